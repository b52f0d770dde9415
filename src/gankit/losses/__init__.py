"""Objectives of the adversarial game, as pure functions of logits."""

from gankit.losses.adversarial import OBJECTIVES, Objective, get_objective, objective_names

__all__ = ["OBJECTIVES", "Objective", "get_objective", "objective_names"]
