"""Who says an image belongs to domain A or B: the shipped Fashion-MNIST classifier, or one trained on the run's two domains.

A user's folders have no shipped classifier, so gankit trains a small CNN to tell the run's two
training domains apart (seeded, a fixed budget), checks it on the held-out split, and keeps it in
the run folder (eval/domain-judge.safetensors with its accuracy), so that every later evaluation of
the run uses the same judge. Its penultimate layer gives the features of FID and content preservation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from gankit.data.fashion_mnist import CLASS_NAMES
from gankit.data.pairs import domain_images
from gankit.metrics.features import load_domain_classifier, state_dict_hash
from gankit.run import Run
from gankit.utils.atomic import atomic_path, write_json_atomic
from gankit.utils.images import from_uint8

FASHION_DATA = ("fashion-pair", "edges2sneakers")  # datasets made of Fashion-MNIST images
JUDGE_FILE = "domain-judge"
JUDGE_SIZE, JUDGE_STEPS, JUDGE_BATCH = 32, 300, 32


@dataclass
class Judge:
    """A classifier's features, its decision, and which of its classes each domain is (None: not one of them)."""

    extractor: Callable[[torch.Tensor], torch.Tensor]
    decide: Callable[[torch.Tensor], torch.Tensor]
    classes: tuple[int | None, int | None]
    about: str

    @torch.no_grad()
    def classify(self, x: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
        """The judged class index of each image (model space or uint8)."""
        return torch.cat([self.decide(x[i : i + batch_size]).argmax(1).cpu() for i in range(0, len(x), batch_size)])

    def describe(self) -> str:
        """One line: which classifier, and how well it tells real images apart."""
        return self.about


class TwoDomainClassifier(nn.Module):
    """A small CNN at 32×32: three conv blocks (BN, ReLU, 2×2 max-pool), 128 features, 2 logits (A, B).

    Small on purpose: it is trained at every first evaluation of a run, in seconds on a CPU.
    """

    name = "two-domain-classifier"
    resize_rule = "uint8 -> [-1, 1]; bilinear resize to 32×32 (antialiased when shrinking)"

    def __init__(self, channels: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = channels
        for c in (32, 64, 128):
            layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                       nn.MaxPool2d(2)]
            c_in = c
        side = JUDGE_SIZE // 2 ** 3
        self.body = nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * side * side, 128), nn.ReLU(inplace=True))
        self.head = nn.Linear(128, 2)

    @property
    def weights_hash(self) -> str:
        """sha256 (16 hex digits) of the weights."""
        return state_dict_hash(self)

    def preprocess(self, x: torch.Tensor) -> torch.Tensor:
        """Images as stored (uint8) or generated ([-1, 1]) -> N×C×32×32 in [-1, 1]."""
        x = from_uint8(x)
        shrink = min(x.shape[-2:]) > JUDGE_SIZE
        return F.interpolate(x, size=(JUDGE_SIZE, JUDGE_SIZE), mode="bilinear", align_corners=False, antialias=shrink)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The features, N×128."""
        return self.body(self.preprocess(x))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Domain logits, N×2."""
        return self.head(self(x))


def judge_for(run: Run) -> Judge:
    """The judge of a translation run: the shipped classifier for Fashion-MNIST data, else the run's own two-domain one."""
    domains = list(run.info.get("domains", run.class_names))
    if run.data_name in FASHION_DATA:
        clf = load_domain_classifier("fashion-mnist")
        classes = tuple(CLASS_NAMES.index(d) if d in CLASS_NAMES else None for d in domains)
        acc = clf.info.get("test_accuracy")
        about = f"shipped Fashion-MNIST classifier (10 classes{f', test accuracy {acc:.3f}' if acc else ''})"
        return Judge(clf, clf.logits, classes, about)  # type: ignore[arg-type]
    clf, acc = two_domain_classifier(run)
    return Judge(clf, clf.logits, (0, 1), f"two-domain classifier trained on the run's data (held-out accuracy {acc:.3f})")


def two_domain_classifier(run: Run) -> tuple[TwoDomainClassifier, float]:
    """The run's own A-vs-B classifier and its held-out accuracy: loaded from RUN/eval, or trained and kept there."""
    from safetensors.torch import load_file, save_file  # lazy: only folder runs need it (as metrics.features does)

    path = Path(run.path) / "eval" / f"{JUDGE_FILE}.safetensors"
    clf = TwoDomainClassifier(int(run.info["shape"][0]))
    if path.is_file() and path.with_suffix(".json").is_file():
        clf.load_state_dict(load_file(str(path)))
        return clf.eval(), float(json.loads(path.with_suffix(".json").read_text())["test_accuracy"])
    train, test = run.dataset(), run.dataset(split="test", n=None)
    _fit(clf, train)
    acc = _accuracy(clf, test)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        save_file(clf.state_dict(), str(tmp))
    write_json_atomic(path.with_suffix(".json"), {"test_accuracy": acc, "steps": JUDGE_STEPS, "size": JUDGE_SIZE,
                                                  "weights_hash": clf.weights_hash})
    return clf.eval(), acc


def _fit(clf: TwoDomainClassifier, data) -> None:
    """Seeded Adam on balanced batches of both domains, with left-right flips."""
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    a, b = domain_images(data, 0), domain_images(data, 1)
    opt = torch.optim.Adam(clf.parameters(), lr=1e-3)
    clf.train()
    half = JUDGE_BATCH // 2
    for _ in range(JUDGE_STEPS):
        x = torch.cat([a[torch.randint(len(a), (half,), generator=gen)], b[torch.randint(len(b), (half,), generator=gen)]])
        flip = torch.rand(len(x), generator=gen) < 0.5
        x[flip] = x[flip].flip(-1)
        y = torch.cat([torch.zeros(half), torch.ones(half)]).long()
        loss = F.cross_entropy(clf.logits(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    clf.eval()


@torch.no_grad()
def _accuracy(clf: TwoDomainClassifier, data) -> float:
    hits = total = 0
    for k in (0, 1):
        x = domain_images(data, k)
        pred = torch.cat([clf.logits(x[i : i + 256]).argmax(1) for i in range(0, len(x), 256)])
        hits, total = hits + int((pred == k).sum()), total + len(x)
    return hits / max(1, total)
