"""gankit: generative adversarial networks as they are taught, measured.

Public API (importing has no side effects):
    train(source, out=None, overrides=None, resume=None) -> Run
    load_run(path) -> Run;  Run.sample(n, seed) / Run.save_samples(path, n, seed)
    load_config(source, overrides) -> Config
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gankit.version import __version__

__all__ = ["Config", "Run", "__version__", "load_config", "load_run", "train"]

if TYPE_CHECKING:  # pragma: no cover
    from gankit.api import Run, load_run, train
    from gankit.config import Config, load_config


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `import gankit` cheap and free of side effects (no torch import until used);
    # they serve that and no import cycle: gankit.api imports nothing from this module.
    if name in ("train", "load_run", "Run"):
        import gankit.api as api

        return getattr(api, name)
    if name in ("Config", "load_config"):
        import gankit.config as config

        return getattr(config, name)
    raise AttributeError(f"module 'gankit' has no attribute {name!r}")
