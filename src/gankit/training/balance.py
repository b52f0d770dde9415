"""The automatic balancer: keeps the game inside a band of discriminator accuracy by turning one knob.

The seed's warning is that training fails when one player gets far ahead. The balancer reads D's
accuracy (on real and fake together) over the last `every` iterations:
- above `acc_high`, D is ahead: it weakens D (fewer D updates per G update, a lower D learning
  rate, or more augmentation of what D sees);
- below `acc_low`, G is ahead: it strengthens D the opposite way;
- inside the band it leaves the game alone.
Every adjustment is written to `adjustments` (and the run's balance.jsonl) with its reason.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from gankit.training.callbacks import Callback


class Knobs(Protocol):
    """What the balancer turns in a game: D updates per iteration, the D phase's interval, D's learning-rate scale."""

    d_steps: int
    d_every: int
    lr_scale_d: float


class Probability(Protocol):
    """An augmentation with a probability p of applying its transforms (ADA)."""

    p: float

# (D updates per iteration, run the D phase every n iterations): D:G ratios from 1/4 to 8
LADDER = [(1, 4), (1, 3), (1, 2)] + [(k, 1) for k in range(1, 9)]


class Balancer(Callback):
    """Adjusts `phases.d_steps/d_every`, `phases.lr_scale_d` or `aug.p` to keep D's accuracy in [low, high]."""

    def __init__(
        self,
        mode: str,
        phases: Knobs,
        aug: Probability | None = None,
        acc_low: float = 0.55,
        acc_high: float = 0.8,
        every: int = 100,
        factor: float = 1.5,
        max_d_steps: int = 5,
        max_lr_factor: float = 100.0,
        p_step: float = 0.05,
        log_path: str | Path | None = None,
    ) -> None:
        if mode not in ("d_steps", "lr", "augment"):
            raise ValueError(f"unknown balance mode {mode!r}")
        if mode == "augment" and aug is None:
            raise ValueError("balance mode 'augment' needs an augmentation with a probability p")
        self.mode, self.phases, self.aug = mode, phases, aug
        self.low, self.high, self.every, self.factor = acc_low, acc_high, every, factor
        self.max_level = LADDER.index((max_d_steps, 1))
        self.max_lr_factor, self.p_step = max_lr_factor, p_step
        self.log_path = Path(log_path) if log_path else None
        self.level = LADDER.index((phases.d_steps, 1)) if (phases.d_steps, 1) in LADDER else LADDER.index((1, 1))
        self.lr_scale = 1.0
        self._acc_sum, self._n, self._since = 0.0, 0, 0
        self.adjustments: list[dict[str, Any]] = []

    # -- the decision --------------------------------------------------------------------------
    def on_log(self, step: int, row: Mapping[str, float]) -> None:
        """Accumulate the window's accuracy; decide once `every` iterations have passed."""
        acc = row.get("acc")
        if acc is None or not math.isfinite(acc):
            return
        self._acc_sum, self._n = self._acc_sum + acc, self._n + 1
        if step - self._since < self.every:
            return
        mean_acc = self._acc_sum / self._n
        self._acc_sum, self._n, self._since = 0.0, 0, step
        if mean_acc > self.high:
            self._adjust(step, mean_acc, stronger_d=False)
        elif mean_acc < self.low:
            self._adjust(step, mean_acc, stronger_d=True)

    def _adjust(self, step: int, acc: float, stronger_d: bool) -> None:
        before = self.knob()
        if self.mode == "d_steps":
            self.level = min(self.max_level, self.level + 1) if stronger_d else max(0, self.level - 1)
        elif self.mode == "lr":
            scale = self.lr_scale * (self.factor if stronger_d else 1 / self.factor)
            self.lr_scale = min(self.max_lr_factor, max(1 / self.max_lr_factor, scale))
        else:
            self.aug.p = min(1.0, max(0.0, self.aug.p + (-self.p_step if stronger_d else self.p_step)))
        self.apply()
        after = self.knob()
        if after == before:
            return
        why = f"D accuracy {acc:.3f} {'<' if stronger_d else '>'} {self.low if stronger_d else self.high}"
        entry = {"step": step, "mode": self.mode, "from": before, "to": after, "reason": why}
        self.adjustments.append(entry)
        if self.log_path is not None:
            with self.log_path.open("a") as f:
                f.write(json.dumps(entry) + "\n")

    def knob(self) -> float:
        """The current value of the knob: D:G ratio, D learning-rate scale, or p."""
        if self.mode == "d_steps":
            k, every = LADDER[self.level]
            return k / every
        if self.mode == "lr":
            return self.lr_scale
        return float(self.aug.p)

    def apply(self) -> None:
        """Push the knob's value into the game."""
        if self.mode == "d_steps":
            self.phases.d_steps, self.phases.d_every = LADDER[self.level]
        elif self.mode == "lr":
            self.phases.lr_scale_d = self.lr_scale

    # -- resume --------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The knob and the partial window."""
        return {"level": self.level, "lr_scale": self.lr_scale, "acc_sum": self._acc_sum, "n": self._n,
                "since": self._since}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the knob."""
        self.level, self.lr_scale = int(state["level"]), float(state["lr_scale"])
        self._acc_sum, self._n, self._since = float(state["acc_sum"]), int(state["n"]), int(state["since"])
        self.apply()
