"""Every metric gankit reports, by name: which `--metrics` group computes it and which direction is better.

One table for the names that sit in several places: the CLI's metric groups, `eval.metric` (the
score that picks the best checkpoint), and the ranking of scores.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricInfo:
    """A reported score: its name in a metric card, the group that computes it, and what is better.

    higher_is_better None with `target` set: the best value is `target` (a C2ST accuracy of 0.5).
    conditional: it scores class control, so it needs a conditional run.
    live: it can pick the best checkpoint during training (`eval.metric`); IS, memorisation and modes cannot.
    """

    name: str
    group: str
    higher_is_better: bool | None
    target: float | None = None
    conditional: bool = False
    live: bool = True


METRICS: dict[str, MetricInfo] = {m.name: m for m in (
    MetricInfo("fid", "fid", False),
    MetricInfo("kid", "kid", False),
    MetricInfo("precision", "pr", True),
    MetricInfo("recall", "pr", True),
    MetricInfo("density", "dc", True),
    MetricInfo("coverage", "dc", True),
    MetricInfo("is", "is", True, live=False),
    MetricInfo("c2st", "c2st", None, target=0.5),
    MetricInfo("memo", "memo", False, live=False),
    MetricInfo("modes", "modes", True, live=False),
    MetricInfo("control", "control", True, conditional=True),
    MetricInfo("intra_fid", "intra_fid", False, conditional=True),
)}


def metric_groups() -> list[str]:
    """The names `--metrics` accepts, in order (pr gives precision and recall, dc density and coverage)."""
    return list(dict.fromkeys(m.group for m in METRICS.values()))


def conditional_groups() -> list[str]:
    """The groups that score class control."""
    return list(dict.fromkeys(m.group for m in METRICS.values() if m.conditional))


def group_of(name: str) -> str:
    """The `--metrics` group that computes the score `name`."""
    return METRICS[name].group


def badness(name: str, value: float) -> float:
    """A number to minimise: the value, its negation for higher-is-better scores, the distance to the target else."""
    info = METRICS[name]
    if info.target is not None:
        return abs(value - info.target)
    return -value if info.higher_is_better else value


# Scores that can pick a best checkpoint during training (eval.metric)
SELECTABLE = tuple(name for name, m in METRICS.items() if m.live)
