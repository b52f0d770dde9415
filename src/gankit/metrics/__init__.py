"""Sample-quality metrics; each takes tensors, never model classes."""

from gankit.metrics.modes import ModeCoverage, mode_coverage

__all__ = ["ModeCoverage", "mode_coverage"]
