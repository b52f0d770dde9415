"""Classifier two-sample test (Lopez-Paz & Oquab 2017, "Revisiting Classifier Two-Sample Tests").

Recipe (their section 3, on features):
1. subsample the larger set so real and fake have the same size n (chance accuracy is then exactly 1/2);
2. split each set, seeded, into a training part and a held-out part of ⌊n·test_fraction⌋ samples;
3. fit a fresh classifier real-vs-fake on the training parts: by default a logistic regression on
   features standardised with the training statistics (scikit-learn), or a small torch MLP;
4. score its accuracy t on the n_te = 2⌊n·test_fraction⌋ held-out samples.
Under H0 (same distribution) the number of correct answers is Binomial(n_te, 1/2) (their section 3 uses
the normal approximation N(1/2, 1/(4 n_te)) of t); the one-sided p-value P(X ≥ correct) is exact here.
The ci is the 95% Wilson interval of the accuracy. 0.5 means indistinguishable, 1.0 perfectly separable.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import comb
from typing import Any

import torch

from gankit.metrics.base import Metric, MetricError, MetricResult, wilson_interval

CLASSIFIERS = ("logistic", "mlp")


def binomial_sf(successes: int, n: int) -> float:
    """One-sided p-value P(X ≥ successes) for X ~ Binomial(n, 1/2), exact in integer arithmetic."""
    if successes <= 0:
        return 1.0
    if successes > n:
        return 0.0
    term, total = comb(n, successes), 0
    for i in range(successes, n + 1):
        total += term
        term = term * (n - i) // (i + 1)
    return total / 2**n


def _split(x: torch.Tensor, n: int, n_test: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    perm = torch.randperm(len(x), generator=gen)[:n]
    return x[perm[n_test:]], x[perm[:n_test]]


def _fit_predict_logistic(x_tr: torch.Tensor, y_tr: torch.Tensor, x_te: torch.Tensor, seed: int,
                          c: float) -> torch.Tensor:
    """Standardise with training statistics, fit an L2 logistic regression, predict labels."""
    from sklearn.linear_model import LogisticRegression  # deferred: importing sklearn takes ~1 s
    from sklearn.pipeline import make_pipeline  # lazy: heavy (about a second to import): loaded only on the path that needs it
    from sklearn.preprocessing import StandardScaler  # lazy: heavy (about a second to import): loaded only on the path that needs it

    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000, random_state=seed))
    model.fit(x_tr.double().numpy(), y_tr.numpy())
    return torch.from_numpy(model.predict(x_te.double().numpy()))


def _fit_predict_mlp(x_tr: torch.Tensor, y_tr: torch.Tensor, x_te: torch.Tensor, seed: int, hidden: int,
                     epochs: int) -> torch.Tensor:
    """Standardise, train a one-hidden-layer ReLU MLP with Adam and cross-entropy, predict labels."""
    mean, std = x_tr.mean(0), x_tr.std(0).clamp(min=1e-8)
    x_tr, x_te = ((x_tr - mean) / std).float(), ((x_te - mean) / std).float()
    with torch.random.fork_rng(devices=[]):  # seed the init without touching the caller's RNG
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(x_tr.shape[1], hidden), torch.nn.ReLU(),
                                  torch.nn.Linear(hidden, 2))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(x_tr), generator=gen)
        for i in range(0, len(x_tr), 128):
            idx = perm[i:i + 128]
            loss = torch.nn.functional.cross_entropy(net(x_tr[idx]), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    with torch.no_grad():
        return net(x_te).argmax(1)


def c2st(real: torch.Tensor, fake: torch.Tensor, classifier: str = "logistic", test_fraction: float = 0.5,
         seed: int = 0, provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """Held-out real-vs-fake accuracy of a fresh classifier on features, with Wilson CI and binomial p-value."""
    m = C2ST(classifier=classifier, test_fraction=test_fraction, seed=seed, provenance=provenance)
    m.update(real=real, fake=fake)
    return m.compute()


class C2ST(Metric):
    """Classifier two-sample test on features; the value is held-out accuracy (0.5 = indistinguishable).

    extras: p_value (one-sided, H0: accuracy = 0.5), n_train and n_test per class, classifier.
    """

    name = "c2st"
    min_real = 4
    min_fake = 4
    min_reason = "each set is split into a training and a held-out part of at least 2 samples"

    def __init__(self, classifier: str = "logistic", test_fraction: float = 0.5, seed: int = 0,
                 c: float = 1.0, hidden: int = 64, epochs: int = 20,
                 provenance: Mapping[str, Any] | None = None) -> None:
        super().__init__(provenance)
        if classifier not in CLASSIFIERS:
            raise MetricError(f"C2ST classifier {classifier!r} is unknown; choose one of {list(CLASSIFIERS)}")
        if not 0 < test_fraction < 1:
            raise MetricError(f"C2ST test_fraction must lie in (0, 1), got {test_fraction}")
        self.classifier, self.test_fraction, self.seed = classifier, test_fraction, seed
        self.c, self.hidden, self.epochs = c, hidden, epochs

    def _score(self, real: torch.Tensor, fake: torch.Tensor) -> MetricResult:
        n = min(len(real), len(fake))
        n_test = min(n - 2, max(2, int(n * self.test_fraction)))
        gen = torch.Generator().manual_seed(self.seed)
        r_tr, r_te = _split(real, n, n_test, gen)
        f_tr, f_te = _split(fake, n, n_test, gen)
        x_tr, x_te = torch.cat([r_tr, f_tr]).double(), torch.cat([r_te, f_te]).double()
        y_tr = torch.cat([torch.ones(len(r_tr)), torch.zeros(len(f_tr))]).long()
        y_te = torch.cat([torch.ones(len(r_te)), torch.zeros(len(f_te))]).long()
        if self.classifier == "logistic":
            pred = _fit_predict_logistic(x_tr, y_tr, x_te, self.seed, self.c)
        else:
            pred = _fit_predict_mlp(x_tr, y_tr, x_te, self.seed, self.hidden, self.epochs)
        correct, total = int((pred.long() == y_te).sum()), len(y_te)
        return MetricResult(
            name=self.name, value=correct / total, ci=wilson_interval(correct, total),
            extras={"p_value": binomial_sf(correct, total), "correct": correct, "n_test": total,
                    "n_train": len(y_tr), "classifier": self.classifier, "test_fraction": self.test_fraction},
            provenance={"seed": self.seed},
        )
