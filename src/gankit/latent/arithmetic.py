"""Latent arithmetic as in DCGAN (Radford et al. 2015, section 6.3 and fig. 7).

A concept is the mean code of k exemplars, e.g. "Sneaker − Sandal + Ankle boot". Exemplars come
from seeds the user names, `Sneaker[3,17,42]`, or are picked by the run's domain classifier: among
`pool` candidate seeds, the k samples it labels as the class with the highest confidence. On a
conditional run a code also holds the class-weight vector: the class weights are added and
subtracted like z, then projected onto the simplex (non-negative weights summing to 1), the only
class codes G was trained on. "Sneaker − Sandal + Ankle boot" thus asks for half Sneaker, half
Ankle boot; the signed sum (1, −1, 1) would put G's class inputs far outside anything it has seen.
On an unconditional run the class name only says which exemplars to pick.

Grammar (whitespace is free; class names match case-insensitively, longest first, so
"T-shirt/top" is one name):  expr := term (('+' | '-') term)* ;
term := CLASS | CLASS '[' seeds ']' | '[' seeds ']' ;  seeds := int (',' int)*
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from gankit.errors import ConfigError
from gankit.latent.codes import Code, generate_codes, one_hot, seed_code, to_simplex
from gankit.metrics.features import Classifier, domain_classifier_for
from gankit.run import Run


@dataclass
class Term:
    """One signed concept of an expression: a class (or None) and explicit seeds (or None)."""

    sign: int
    cls: int | None
    seeds: list[int] | None
    text: str


def _error(expression: str, pos: int, message: str) -> ConfigError:
    return ConfigError(f"cannot parse the arithmetic expression at character {pos + 1}: {message}\n"
                       f"  {expression}\n  {' ' * pos}^")


def parse_expression(expression: str, class_names: Sequence[str]) -> list[Term]:
    """Parse e.g. "Sneaker - Sandal + Ankle boot[3,7]" into signed terms; errors point at the character."""
    by_length = sorted(enumerate(class_names), key=lambda t: -len(t[1]))
    text, i, terms, sign = expression, 0, [], 1

    def skip(i: int) -> int:
        while i < len(text) and text[i].isspace():
            i += 1
        return i

    i = skip(i)
    if i == len(text):
        raise _error(text, 0, "the expression is empty; write e.g. \"Sneaker - Sandal + Ankle boot\"")
    while True:
        start = i
        if i < len(text) and text[i] in "+-" and not terms:  # a leading sign
            sign = -1 if text[i] == "-" else 1
            i = skip(i + 1)
            start = i
        cls = None
        for index, name in by_length:
            if text[i : i + len(name)].lower() == name.lower():
                cls, i = index, i + len(name)
                break
        seeds = None
        j = skip(i)
        if j < len(text) and text[j] == "[":
            close = text.find("]", j)
            if close < 0:
                raise _error(text, j, "'[' is not closed; write seeds as [3,17,42]")
            parts = [p.strip() for p in text[j + 1 : close].split(",")]
            if not parts or not all(p.isdigit() for p in parts):
                raise _error(text, j + 1, "seeds must be non-negative integers separated by commas, e.g. [3,17,42]")
            seeds, i = [int(p) for p in parts], close + 1
        if cls is None and seeds is None:
            valid = ", ".join(repr(n) for n in class_names)
            raise _error(text, start, f"expected a class name or [seeds]; classes: {valid}")
        terms.append(Term(sign, cls, seeds, text[start:i].strip()))
        i = skip(i)
        if i == len(text):
            return terms
        if text[i] not in "+-":
            raise _error(text, i, f"expected '+' or '-' between terms, found {text[i]!r}")
        sign = -1 if text[i] == "-" else 1
        i = skip(i + 1)
        if i == len(text):
            raise _error(text, i, "the expression ends with an operator; a term must follow")


@dataclass
class ArithmeticResult:
    """Exemplar seeds and images per term, each term's mean, and the result with nearby variants."""

    expression: str
    terms: list[Term]
    exemplar_seeds: list[list[int]]
    exemplars: list[torch.Tensor]  # per term: (k, C, H, W)
    means: torch.Tensor  # (terms, C, H, W): G of each term's mean code
    result: Code
    images: torch.Tensor  # (1 + variants, C, H, W): G(result) first
    confidence: list[list[float]] = field(default_factory=list)  # classifier's p(class) of picked exemplars


def pick_exemplars(run: Run, cls: int, k: int, pool: int, classifier: Classifier) -> tuple[list[int], list[float]]:
    """The k seeds among 0..pool-1 whose samples the classifier gives class `cls` with most confidence."""
    codes = [seed_code(run, s, cls) for s in range(pool)]
    with torch.no_grad():
        p = torch.softmax(classifier.logits(generate_codes(run, codes)), 1)[:, cls]
    top = torch.argsort(p, descending=True)[:k]
    return [int(s) for s in top], [float(p[s]) for s in top]


def arithmetic(run: Run, expression: str, k: int = 3, pool: int = 256, variants: int = 7, noise: float = 0.25,
               seed: int = 0, classifier: Classifier | None = None) -> ArithmeticResult:
    """Evaluate a latent-arithmetic expression on a run (see the module docstring); reproducible from seeds."""
    if run.kind != "image":
        raise ConfigError("latent arithmetic works on image runs")
    if k < 1 or pool < k:
        raise ConfigError(f"need 1 ≤ k ≤ pool, got k={k}, pool={pool}")
    terms = parse_expression(expression, run.class_names)
    for t in terms:
        if t.seeds is None and t.cls is not None and classifier is None:
            classifier = _classifier_for(run, t.text)
        if run.conditional and t.cls is None:
            raise ConfigError(f"term {t.text!r}: a seed list needs a class on a conditional run, "
                              f"e.g. {run.class_names[0]}{t.text}")
    seeds_per_term, confidence, exemplars, means, total_z, total_c = [], [], [], [], 0, 0
    for t in terms:
        if t.seeds is not None:
            seeds, conf = t.seeds, []
        else:
            seeds, conf = pick_exemplars(run, t.cls, k, pool, classifier)
        codes = [seed_code(run, s, t.cls) for s in seeds]
        mean = Code(torch.stack([c.z for c in codes]).mean(0), codes[0].c)
        seeds_per_term.append(seeds)
        confidence.append(conf)
        exemplars.append(generate_codes(run, codes))
        means.append(generate_codes(run, [mean])[0])
        total_z = total_z + t.sign * mean.z
        if run.conditional:
            total_c = total_c + t.sign * one_hot(t.cls, len(run.class_names))
    result = Code(total_z, to_simplex(total_c) if run.conditional else None)
    g = torch.Generator().manual_seed(seed)
    jitter = [Code(result.z + noise * torch.randn(run.z_dim, generator=g), result.c) for _ in range(variants)]
    images = generate_codes(run, [result, *jitter])
    return ArithmeticResult(expression, terms, seeds_per_term, exemplars, torch.stack(means), result, images,
                            confidence)


def _classifier_for(run, term: str):

    return domain_classifier_for(run.data_name, f"term {term!r}: picking exemplars",
                                 f"name the exemplar seeds instead, e.g. {term}[3,17,42]")
