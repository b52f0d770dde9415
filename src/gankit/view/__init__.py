"""`gankit view`: a local, read-only page to watch the game live and play with trained runs (see docs/view.md)."""

from gankit.view.server import make_app

__all__ = ["make_app"]
