"""`gankit eval`: score a run folder's samples against held-out real data, with provenance.

Every score is written into a metric card (JSON) that records how it was made: the extractor and
a hash of its weights, the resize rule, the sample counts, the reference split, the seeds and the
gankit version, so that two numbers are only compared when they were made the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from gankit import __version__
from gankit.api import Run, as_config, load_data
from gankit.errors import ConfigError
from gankit.metrics import (
    c2st,
    extract_features,
    extractor_provenance,
    fid,
    inception_score,
    kid,
    load_extractor,
    memorisation,
    mode_coverage,
    prdc,
)
from gankit.metrics.base import MetricResult
from gankit.metrics.features import DOMAIN_NAMES
from gankit.training.callbacks import Callback
from gankit.utils.atomic import write_json_atomic

METRIC_NAMES = ("fid", "kid", "pr", "dc", "is", "c2st", "memo", "modes", "control", "intra_fid")
CONDITIONAL_METRICS = ("control", "intra_fid")  # added to the defaults of a conditional run
DEFAULT_IMAGE_METRICS = ("fid", "kid", "pr", "dc", "is", "c2st", "memo")
DEFAULT_POINT_METRICS = ("fid", "kid", "pr", "dc", "c2st", "modes")
# Memorisation compares each sample with this many training samples (a seeded subset): the NN search
# costs n_fake × n_train distances, and 20k keeps 10k samples within the one-minute budget.
MEMO_TRAIN_MAX = 20_000
STACKED = "stacked-fashion-mnist"


def _data_name(run) -> str:
    return run.config.data.name if hasattr(run, "config") else getattr(run, "data_name", "")


class RawFeatures:
    """The identity extractor: samples flattened (2-D points, or pixels in [-1, 1])."""

    name = "raw"
    weights_hash = "none"
    resize_rule = "none: samples flattened as they are (points in data coordinates, images in [-1, 1])"

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Flatten to N×D float."""
        return (x.float().div(127.5).sub(1) if x.dtype == torch.uint8 else x.float()).flatten(1)


@dataclass
class EvalSetup:
    """What a run is scored against and with what; reference features are computed once and cached."""

    real: torch.Tensor  # reference samples (uint8 images or float points)
    train: torch.Tensor  # training samples, for memorisation
    reference: str  # e.g. "fashion-mnist/test"
    extractor: Callable[[torch.Tensor], torch.Tensor]
    kind: str
    data_name: str
    real_labels: torch.Tensor | None = None  # class labels of `real`, for per-class metrics
    _cache: dict = field(default_factory=dict)

    def real_features(self, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(reference samples, their features) for a subset of size n drawn with seed."""
        real, feats, _ = self._real(n, seed)
        return real, feats

    def real_labels_of(self, n: int, seed: int) -> torch.Tensor | None:
        """Labels of the subset `real_features(n, seed)` returns."""
        return self._real(n, seed)[2]

    def _real(self, n: int, seed: int):
        if (n, seed) not in self._cache:
            idx = _subset_index(len(self.real), n, seed)
            real = self.real[idx]
            labels = self.real_labels[idx] if self.real_labels is not None else None
            self._cache[(n, seed)] = (real, extract_features(self.extractor, real), labels)
        return self._cache[(n, seed)]


def parse_metrics(spec: str | None, kind: str, data: str = "", conditional: bool = False) -> list[str]:
    """'fid,kid' -> ['fid', 'kid']; None -> the defaults for the run's data. Unknown names list the valid ones."""
    if not spec:
        if data == STACKED:
            return ["modes"]
        names = list(DEFAULT_IMAGE_METRICS if kind == "image" else DEFAULT_POINT_METRICS)
        if conditional:
            names += ["intra_fid"] + (["control"] if data in DOMAIN_NAMES else [])
        return names
    names = [m.strip() for m in spec.split(",") if m.strip()]
    bad = [m for m in names if m not in METRIC_NAMES]
    if bad:
        raise ConfigError(f"unknown metric(s) {', '.join(bad)}; choose from: {', '.join(METRIC_NAMES)}")
    return names


def default_features(run: Run) -> str:
    """The run's domain classifier when there is one, else raw samples."""
    name = run.config.data.name
    return name if run.kind == "image" and name in DOMAIN_NAMES else "raw"


def setup_for(run: Run, features: str | None, inception_weights: str | None = None) -> EvalSetup:
    """Load the reference split (test split where the dataset has one) and the extractor."""
    cfg = run.config
    train = load_data(cfg)
    if cfg.data.name in ("fashion-mnist", STACKED):
        real = load_data(as_config(cfg, {"data.split": "test", "data.n": None}))
        reference = f"{cfg.data.name}/test ({len(real):,} held-out images)"
    else:
        real = train
        reference = f"{cfg.data.name}/{cfg.data.split} (the training data: the dataset has no held-out split)"
    name = features or ("raw" if cfg.data.name == STACKED else default_features(run))
    extractor = RawFeatures() if name == "raw" else load_extractor(name, inception_weights)
    return EvalSetup(real.x, train.x, reference, extractor, run.kind, cfg.data.name, real_labels=real.y)


def _subset_index(size: int, n: int, seed: int) -> torch.Tensor:
    if size <= n:
        return torch.arange(size)
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(size, generator=g)[:n]


def _subset(x: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    return x[_subset_index(len(x), n, seed)]


def evaluate(
    run: Run,
    n: int = 10_000,
    metrics: str | None = None,
    features: str | None = None,
    seed: int = 0,
    inception_weights: str | None = None,
    setup: EvalSetup | None = None,
    reject: float | None = None,
    mixture: bool | None = None,
    jacobian_reject: float | None = None,
) -> dict[str, Any]:
    """Score n samples of the run (drawn by its sampler, see Run.sample); returns the metric card."""
    k = _num_classes(run)
    names = parse_metrics(metrics, run.kind, _data_name(run), conditional=k > 0)
    bad = [m for m in names if m in CONDITIONAL_METRICS and not k]
    if bad:
        raise ConfigError(f"metric(s) {', '.join(bad)} score class control; this run is unconditional")
    if "modes" in names and run.kind != "points" and _data_name(run) != STACKED:
        raise ConfigError("metric 'modes' counts the modes of a 2-D mixture or of stacked-fashion-mnist; "
                          "this run generates other images")
    setup = setup or setup_for(run, features, inception_weights)
    t0 = time.perf_counter()
    reject = run.sample_reject if reject is None else reject
    jacobian_reject = run.sample_jacobian_reject if jacobian_reject is None else jacobian_reject
    fake = run.sample(n, seed=seed, reject=reject, mixture=mixture, jacobian_reject=jacobian_reject)
    real, f_real = setup.real_features(n, seed + 1)
    ext = setup.extractor
    f_fake = extract_features(ext, fake)
    prov = {**extractor_provenance(ext), "reference": setup.reference, "sample_seed": seed, "sample_reject": reject,
            "sample_jacobian_reject": jacobian_reject, "sample_mixture": len(run.mixture_members()) if mixture is not False else 0}
    results: dict[str, MetricResult] = {}
    asked = torch.arange(len(fake)) % k if k else None  # run.sample draws every class in turn
    for name in names:
        if name in CONDITIONAL_METRICS:
            results.update(_control_metric(name, run, f_real, setup.real_labels_of(n, seed + 1), f_fake, asked, fake,
                                           ext, prov))
        else:
            results.update(_one_metric(name, f_real, f_fake, fake, setup, ext, seed, prov))
    card = {
        "run": str(run.path),
        "gankit_version": __version__,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "step": run.step,
        "n_fake": len(fake),
        "n_real": len(real),
        "reference": setup.reference,
        "extractor": extractor_provenance(ext),
        "seeds": {"samples": seed, "reference_subset": seed + 1, "metrics": seed},
        "seconds": round(time.perf_counter() - t0, 2),
        "metrics": {k: v.as_dict() for k, v in results.items()},
    }
    return card


def _num_classes(run) -> int:
    """Classes a conditional run (or live training state) draws from; 0 when unconditional."""
    if hasattr(run, "num_classes"):
        return run.num_classes
    return len(run.class_names) if getattr(run, "conditional", False) else 0


def _control_metric(name, run, f_real, y_real, f_fake, asked, fake, ext, prov) -> dict[str, MetricResult]:
    from gankit.metrics.control import control_accuracy, intra_class_fid
    from gankit.metrics.features import domain_classifier_for

    names = run.class_names
    if name == "intra_fid":
        if y_real is None:
            raise ConfigError("intra-class FID needs the reference data's labels")
        return {"intra_fid": intra_class_fid(f_real, y_real, f_fake, asked, names, provenance=prov)}
    judge = ext if hasattr(ext, "logits") else domain_classifier_for(
        _data_name(run), "control accuracy (to judge the class of each sample)", "leave out the metric 'control'")
    with torch.no_grad():
        judged = torch.cat([judge.logits(fake[i : i + 512]).argmax(1) for i in range(0, len(fake), 512)])
    judge_prov = {**prov, **{f"judge_{k}": v for k, v in extractor_provenance(judge).items()}}
    return {"control": control_accuracy(judged, asked, names, provenance=judge_prov)}


def _one_metric(name, f_real, f_fake, fake, setup: EvalSetup, ext, seed, prov) -> dict[str, MetricResult]:
    if name == "fid":
        return {"fid": fid(f_real, f_fake, provenance=prov)}
    if name == "kid":
        size = min(1000, len(f_real), len(f_fake))
        return {"kid": kid(f_real, f_fake, subset_size=size, seed=seed, provenance=prov)}
    if name in ("pr", "dc"):
        both = prdc(f_real, f_fake, provenance=prov)
        keys = ("precision", "recall") if name == "pr" else ("density", "coverage")
        return {k: both[k] for k in keys}
    if name == "c2st":
        return {"c2st": c2st(f_real, f_fake, seed=seed, provenance=prov)}
    if name == "is":
        if not hasattr(ext, "logits"):
            raise ConfigError("the Inception Score needs a classifier: use --features fashion-mnist or digits")
        with torch.no_grad():
            logits = torch.cat([ext.logits(fake[i : i + 512]) for i in range(0, len(fake), 512)])
        return {"is": inception_score(logits, provenance=prov)}
    if name == "memo":
        train = _subset(setup.train, MEMO_TRAIN_MAX, seed + 2)
        return {"memo": memorisation(f_fake, extract_features(ext, train), seed=seed,
                                     provenance={**prov, "train_subset": len(train)})}
    if name == "modes" and setup.kind == "image":
        from gankit.metrics.features import load_domain_classifier
        from gankit.metrics.stacked import stacked_mode_coverage

        clf = load_domain_classifier("fashion-mnist")
        result = stacked_mode_coverage(fake, clf.logits)
        result.provenance = {**prov, **{f"mode_{k}": v for k, v in extractor_provenance(clf).items()}}
        return {"modes": result}
    if name == "modes":
        from gankit.data.toy2d import mixture_centres, mixture_std

        cov = mode_coverage(fake, mixture_centres(setup.data_name), mixture_std(setup.data_name))
        return {"modes": MetricResult("modes", float(cov.modes), n_fake=len(fake), extras=cov.as_dict(),
                                      provenance=prov)}
    raise ConfigError(f"unknown metric {name!r}")


def format_card(card: dict[str, Any]) -> str:
    """The card as an aligned text table."""
    lines = [f"{card['run']} (step {card['step']}): {card['n_fake']} samples vs {card['n_real']} of {card['reference']}",
             f"extractor {card['extractor']['extractor']} [{card['extractor']['weights_hash']}], "
             f"{card['seconds']:.1f} s", "", f"{'metric':<10} {'value':>12}  uncertainty"]
    for name, r in card["metrics"].items():
        unc = ""
        if r.get("ci"):
            unc = f"95% CI [{r['ci'][0]:.4g}, {r['ci'][1]:.4g}]"
        elif r.get("std") is not None:
            unc = f"± {r['std']:.4g} (std)"
        lines.append(f"{name:<10} {r['value']:>12.5g}  {unc}")
    return "\n".join(lines)


def write_card(card: dict[str, Any], path: str | Path) -> Path:
    """Write the card atomically and return its path."""
    write_json_atomic(path, card)
    return Path(path)


HIGHER_IS_BETTER = {"precision", "recall", "density", "coverage", "is", "control"}


def metric_badness(name: str, value: float) -> float:
    """A number to minimise: the value, its negation for higher-is-better scores, |acc − 0.5| for C2ST."""
    if name == "c2st":
        return abs(value - 0.5)
    return -value if name in HIGHER_IS_BETTER else value


class LiveRun:
    """What `evaluate` needs of a run, taken from the training state instead of a checkpoint."""

    def __init__(self, state, kind: str, z_dim: int, path: Path, data_name: str = "") -> None:
        self.state, self.kind, self.z_dim, self.path, self.data_name = state, kind, z_dim, path, data_name

    @property
    def step(self) -> int:
        """Iterations done."""
        return self.state.step

    @property
    def num_classes(self) -> int:
        """Classes the generator draws from (0 when unconditional)."""
        return getattr(self.state.G, "num_classes", 0)

    @property
    def class_names(self) -> list[str]:
        """The dataset's class names (from the run folder)."""
        import json

        return list(json.loads((self.path / "data.json").read_text())["class_names"])

    sample_reject = sample_jacobian_reject = 0.0  # during training the generator is scored as it is

    def mixture_members(self) -> list:
        """No members: during training the generator is scored alone."""
        return []

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, reject: float | None = None, mixture: bool | None = None,
               jacobian_reject: float | None = None) -> torch.Tensor:
        """n samples from the sampling network in eval mode (its train/eval mode is restored)."""
        from gankit.utils.seeding import make_generator

        if reject:
            raise ConfigError("evaluation during training scores the generator alone; discriminator rejection "
                              "applies to a finished run (gankit eval RUN --reject q)")
        if mixture:
            raise ConfigError("evaluation during training scores the generator alone; the snapshot mixture "
                              "applies to a finished run (sample.mixture)")
        if jacobian_reject:
            raise ConfigError("evaluation during training scores the generator alone; Jacobian rejection "
                              "applies to a finished run (gankit eval RUN --jacobian-reject q)")
        net = self.state.sampler
        device = next(net.parameters()).device
        was_training = net.training
        net.eval()
        try:
            z = torch.randn(n, self.z_dim, generator=make_generator(seed, "cpu")).to(device)
            k = getattr(net, "num_classes", 0)
            c = (torch.arange(n) % k).to(device) if k else None  # every class in turn, as Run.sample does
            parts = [net(z[i : i + 1024]) if c is None else net(z[i : i + 1024], c[i : i + 1024])
                     for i in range(0, n, 1024)]
            return torch.cat([p.float().cpu() for p in parts])
        finally:
            net.train(was_training)


class PeriodicEval(Callback):
    """A trainer callback: every `every` steps score the EMA generator and keep the best checkpoint.

    Reference features are extracted once; each evaluation costs n generated samples through the
    extractor plus one metric (about a second or two for n=2000 with the domain classifiers on CPU).
    Results go to eval.csv; the best weights to checkpoints/best/ with best.json.
    """

    def __init__(self, live: LiveRun, setup: EvalSetup, every: int, n: int, metric: str, seed: int = 0) -> None:
        self.live, self.setup, self.every, self.n, self.metric, self.seed = live, setup, every, n, metric, seed
        self.best: float | None = None
        best = live.path / "checkpoints" / "best" / "best.json"
        if best.is_file():
            import json

            self.best = metric_badness(metric, json.loads(best.read_text())["value"])

    def on_step(self, step: int) -> None:
        """Evaluate on multiples of `every`."""
        if step % self.every:
            return
        names = {"precision": "pr", "recall": "pr", "density": "dc", "coverage": "dc"}.get(self.metric, self.metric)
        card = evaluate(self.live, n=self.n, metrics=names, seed=self.seed, setup=self.setup)
        value = card["metrics"][self.metric]["value"]
        with (self.live.path / "eval.csv").open("a") as f:
            if f.tell() == 0:
                f.write(f"step,{self.metric},seconds\n")
            f.write(f"{step},{value},{card['seconds']}\n")
        score = metric_badness(self.metric, value)
        if self.best is None or score < self.best:
            self.best = score
            self._save_best(step, value)

    def _save_best(self, step: int, value: float) -> None:
        from gankit.training.checkpoint import save_checkpoint

        s = self.live.state
        root = self.live.path / "checkpoints" / "best"
        weights = {"G_ema" if s.ema is not None else "G": s.sampler.state_dict()}
        save_checkpoint(root, step, weights, {"step": step}, keep=1)
        write_json_atomic(root / "best.json", {"step": step, "metric": self.metric, "value": value})
