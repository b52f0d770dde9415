"""Argument parsing at the edge: numbers checked as they are read, and errors in two lines, not a usage block."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are two lines: what is wrong, and where the help is."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the problem and the help command; exit 2 (bad input)."""
        self.exit(2, f"{self.prog}: error: {message}\nsee `{self.prog} --help`\n")


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer ≥ minimum (a count of samples or steps, a seed)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be ≥ {minimum}, got {value}")
        return value

    parse.__name__ = f"integer ≥ {minimum}"
    return parse


def number_in(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite float in [low, high] (NaN and infinities are refused)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number in [{low:g}, {high:g}], got {text!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a number in [{low:g}, {high:g}], got {text}")
        return value

    parse.__name__ = f"number in [{low:g}, {high:g}]"
    return parse


SEED = count(0)
POSITIVE = count(1)
UNIT = number_in(0.0, 1.0)
