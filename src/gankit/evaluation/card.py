"""`gankit eval`: score a run's samples against held-out real data, with provenance.

Every score is written into a metric card (JSON) that records how it was made: the extractor and
a hash of its weights, the resize rule, the sample counts, the reference split, the seeds and the
gankit version, so that two numbers are only compared when they were made the same way.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Protocol

import torch

from gankit.data.toy2d import mixture_centres, mixture_std
from gankit.errors import ConfigError
from gankit.evaluation.setup import EvalSetup, setup_for, subset_index
from gankit.metrics import (
    c2st,
    extract_features,
    extractor_provenance,
    fid,
    inception_score,
    kid,
    memorisation,
    mode_coverage,
    prdc,
)
from gankit.metrics.base import MetricResult
from gankit.metrics.control import control_accuracy, intra_class_fid
from gankit.metrics.features import CLASS_JUDGES, Classifier, FeatureExtractor, domain_classifier_for, load_domain_classifier
from gankit.metrics.registry import conditional_groups, metric_groups
from gankit.metrics.stacked import stacked_mode_coverage
from gankit.utils.atomic import write_json_atomic
from gankit.version import __version__

STACKED = "stacked-fashion-mnist"  # scored by its 1000 modes
DEFAULT_IMAGE_METRICS = ("fid", "kid", "pr", "dc", "is", "c2st", "memo")
DEFAULT_POINT_METRICS = ("fid", "kid", "pr", "dc", "c2st", "modes")
# Memorisation compares each sample with this many training samples (a seeded subset): the NN search
# costs n_fake × n_train distances, and 20k keeps 10k samples within the one-minute budget.
MEMO_TRAIN_MAX = 20_000


class Scorable(Protocol):
    """What `evaluate` needs of a run: a finished Run, or the live training state (LiveRun)."""

    path: Path
    kind: str
    data_name: str
    class_names: list[str]
    num_classes: int
    step: int
    sample_reject: float
    sample_jacobian_reject: float
    precision: str  # G's arithmetic while sampling: fp32 or bf16

    def sample(self, n: int, seed: int = 0, reject: float | None = None, mixture: bool | None = None,
               jacobian_reject: float | None = None) -> torch.Tensor:
        """n samples in model space."""
        ...

    def mixture_members(self) -> list:
        """The snapshot-mixture members the sampler draws from ([] for none)."""
        ...


def parse_metrics(spec: str | None, kind: str, data: str = "", conditional: bool = False) -> list[str]:
    """'fid,kid' -> ['fid', 'kid']; None -> the defaults for the run's data. Unknown names list the valid ones."""
    if not spec:
        if data == STACKED:
            return ["modes"]
        names = list(DEFAULT_IMAGE_METRICS if kind == "image" else DEFAULT_POINT_METRICS)
        if conditional:
            names += ["intra_fid"] + (["control"] if data in CLASS_JUDGES else [])
        return names
    names = [m.strip() for m in spec.split(",") if m.strip()]
    bad = [m for m in names if m not in metric_groups()]
    if bad:
        raise ConfigError(f"unknown metric(s) {', '.join(bad)}; choose from: {', '.join(metric_groups())}")
    return names


def _check_metrics(names: list[str], run: Scorable) -> None:
    bad = [m for m in names if m in conditional_groups() and not run.num_classes]
    if bad:
        raise ConfigError(f"metric(s) {', '.join(bad)} score class control; this run is unconditional")
    if "modes" in names and run.kind != "points" and run.data_name != STACKED:
        raise ConfigError("metric 'modes' counts the modes of a 2-D mixture or of stacked-fashion-mnist; "
                          "this run generates other images")


def evaluate(run: Scorable, n: int = 10_000, metrics: str | None = None, features: str | None = None, seed: int = 0,
             inception_weights: str | None = None, setup: EvalSetup | None = None, reject: float | None = None,
             mixture: bool | None = None, jacobian_reject: float | None = None) -> dict[str, Any]:
    """Score n samples of the run (drawn by its sampler, see Run.sample); returns the metric card."""
    k = run.num_classes
    names = parse_metrics(metrics, run.kind, run.data_name, conditional=k > 0)
    _check_metrics(names, run)
    setup = setup or setup_for(run, features, inception_weights)
    t0 = time.perf_counter()
    reject = run.sample_reject if reject is None else reject
    jacobian_reject = run.sample_jacobian_reject if jacobian_reject is None else jacobian_reject
    fake = run.sample(n, seed=seed, reject=reject, mixture=mixture, jacobian_reject=jacobian_reject)
    real, f_real = setup.real_features(n, seed + 1)
    ext = setup.extractor
    f_fake = extract_features(ext, fake)
    prov = {**extractor_provenance(ext), "reference": setup.reference, "sample_seed": seed,
            "sample_precision": run.precision, "sample_reject": reject,
            "sample_jacobian_reject": jacobian_reject,
            "sample_mixture": len(run.mixture_members()) if mixture is not False else 0}
    results: dict[str, MetricResult] = {}
    asked = torch.arange(len(fake)) % k if k else None  # run.sample draws every class in turn
    for name in names:
        if name in conditional_groups():
            y_real = setup.real_labels_of(n, seed + 1)
            results.update(_control_metric(name, run, f_real, y_real, f_fake, asked, fake, ext, prov))
        else:
            results.update(_one_metric(name, f_real, f_fake, fake, setup, ext, seed, prov))
    return {
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


def control_judge(ext: FeatureExtractor, data_name: str) -> Classifier:
    """The classifier that judges control accuracy: the feature extractor when it is one, else the data's shipped one."""
    return ext if isinstance(ext, Classifier) else domain_classifier_for(
        data_name, "control accuracy (to judge the class of each sample)", "leave out the metric 'control'")


@torch.no_grad()
def judged_classes(judge: Classifier, images: torch.Tensor) -> torch.Tensor:
    """The class the judge gives each image (N,), in batches of 512."""
    return class_logits(judge, images).argmax(1)


@torch.no_grad()
def class_logits(judge: Classifier, images: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """The judge's logits (N, K) on the host, each batch computed on the judge's own device."""
    device = next(judge.parameters()).device if isinstance(judge, torch.nn.Module) else torch.device("cpu")
    return torch.cat([judge.logits(images[i : i + batch].to(device)).float().cpu() for i in range(0, len(images), batch)])


def _control_metric(name: str, run: Scorable, f_real, y_real, f_fake, asked, fake, ext,
                    prov: dict) -> dict[str, MetricResult]:
    names = run.class_names
    if name == "intra_fid":
        if y_real is None:
            raise ConfigError("intra-class FID needs the reference data's labels")
        return {"intra_fid": intra_class_fid(f_real, y_real, f_fake, asked, names, provenance=prov)}
    if run.data_name not in CLASS_JUDGES:
        raise ConfigError(f"control accuracy needs a classifier of {run.data_name}'s own classes, and gankit ships them "
                          f"only for {', '.join(CLASS_JUDGES)};\nleave out the metric 'control'")
    judge = control_judge(ext, run.data_name)
    judged = judged_classes(judge, fake)
    judge_prov = {**prov, **{f"judge_{k}": v for k, v in extractor_provenance(judge).items()}}
    return {"control": control_accuracy(judged, asked, names, provenance=judge_prov)}


def _one_metric(name: str, f_real, f_fake, fake, setup: EvalSetup, ext, seed: int,
                prov: dict) -> dict[str, MetricResult]:
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
        if not isinstance(ext, Classifier):
            raise ConfigError("the Inception Score needs a classifier: use --features fashion-mnist or digits")
        return {"is": inception_score(class_logits(ext, fake), provenance=prov)}
    if name == "memo":
        train = setup.train[subset_index(len(setup.train), MEMO_TRAIN_MAX, seed + 2)]
        return {"memo": memorisation(f_fake, extract_features(ext, train), seed=seed,
                                     provenance={**prov, "train_subset": len(train)})}
    if name == "modes":
        return {"modes": _modes(fake, setup, prov)}
    raise ConfigError(f"unknown metric {name!r}")


def _modes(fake: torch.Tensor, setup: EvalSetup, prov: dict) -> MetricResult:
    """Mode coverage: of stacked Fashion-MNIST (1000 modes, judged by the shipped classifier) or of a 2-D mixture."""
    if setup.kind == "image":
        clf = load_domain_classifier("fashion-mnist")
        result = stacked_mode_coverage(fake, clf.logits)
        result.provenance = {**prov, **{f"mode_{k}": v for k, v in extractor_provenance(clf).items()}}
        return result
    cov = mode_coverage(fake, mixture_centres(setup.data_name), mixture_std(setup.data_name))
    return MetricResult("modes", float(cov.modes), n_fake=len(fake), extras=cov.as_dict(), provenance=prov)


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
