"""Layers shared by several model families."""

from gankit.nn.layers import MinibatchStd, apply_spectral_norm

__all__ = ["MinibatchStd", "apply_spectral_norm"]
