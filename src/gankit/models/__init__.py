"""Network families; each knows nothing of training."""

from gankit.models.registry import MODELS, build_models, model_names

__all__ = ["MODELS", "build_models", "model_names"]
