"""Stopping a failed game early, with a message that says what went wrong and what to try."""

from __future__ import annotations

import math
from collections.abc import Mapping

from gankit.errors import TrainingDiverged


class DivergenceGuard:
    """Raises TrainingDiverged on a non-finite or runaway loss, or when D has won for too long.

    `d_win_steps` > 0 stops the game once D has been right on ≥ 99% of real and fake samples for
    that many consecutive iterations: the generator then gets vanishing or useless gradients and
    the game will not recover by itself (Goodfellow et al. 2014, section 3; Arjovsky & Bottou 2017).
    """

    def __init__(self, max_loss: float = 1e4, d_win_steps: int = 0) -> None:
        self.max_loss, self.d_win_steps = max_loss, d_win_steps
        self.won_since: int | None = None

    def check(self, step: int, row: Mapping[str, float]) -> None:
        """Inspect one logged window ending at `step`."""
        for key in ("loss_d", "loss_g", "grad_norm_d", "grad_norm_g"):
            v = row.get(key)
            if v is not None and not math.isfinite(v):
                raise TrainingDiverged(
                    f"{key} became {v} near step {step}: the game diverged. "
                    "Lower the learning rates (train.lr_g / train.lr_d), or use train.precision=fp32."
                )
        for key in ("loss_d", "loss_g"):
            if abs(row.get(key, 0.0)) > self.max_loss:
                raise TrainingDiverged(
                    f"|{key}| = {abs(row[key]):.3g} exceeds guard.max_loss={self.max_loss:g} at step {step}: "
                    "the game ran away. Lower the learning rates or raise guard.max_loss."
                )
        self._check_d_win(step, row)

    def _check_d_win(self, step: int, row: Mapping[str, float]) -> None:
        if self.d_win_steps <= 0:
            return
        if row.get("acc_real", 0.0) >= 0.99 and row.get("acc_fake", 0.0) >= 0.99:
            self.won_since = self.won_since if self.won_since is not None else step
            if step - self.won_since >= self.d_win_steps:
                raise TrainingDiverged(
                    f"D has won: right on ≥99% of real and fake samples from step {self.won_since} to {step}.\n"
                    "Try loss.objective=nonsaturating, a lower train.lr_d, fewer train.d_steps or a narrower D"
                )
        else:
            self.won_since = None
