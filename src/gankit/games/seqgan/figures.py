"""The live game of a SeqGAN run: piano rolls of sequences drawn from fixed seeds, and the curves, as it trains."""

from __future__ import annotations

from pathlib import Path

import torch

from gankit.data.base import ArrayDataset
from gankit.data.music import decode_tokens
from gankit.training.callbacks import read_metrics
from gankit.training.state import TrainState
from gankit.utils import run_dir as rd
from gankit.utils.midi import plot_piano_rolls
from gankit.utils.plots import plot_game_curves

ROLLS = 4  # sequences per picture: enough to see variety, few enough to read each


class MusicPictures:
    """Every call writes samples/step_XXXXXXX.png (piano rolls of G's sequences from one fixed seed) and plots/curves.png."""

    def __init__(self, state: TrainState, data: ArrayDataset, out_dir: Path, n: int, seed: int) -> None:
        self.state, self.out_dir, self.seed = state, Path(out_dir), seed
        self.n, self.length = min(n, ROLLS), int(data.x.shape[1])
        self.vocabulary, self.representation = data.meta["vocabulary"], data.meta["representation"]
        self.steps_per_quarter, self.steps_per_bar = data.meta["steps_per_quarter"], data.meta["steps_per_bar"]

    def __call__(self, step: int) -> None:
        """Draw the rolls at `step` with G as it is."""
        G = self.state.players["G"].net
        device = next(G.parameters()).device
        with torch.no_grad():
            ids = G.sample(self.n, self.length, torch.Generator(device).manual_seed(self.seed))
        pieces = [decode_tokens(row.tolist(), self.vocabulary, self.representation) for row in ids.cpu()]
        plot_piano_rolls(pieces, self.out_dir / f"step_{step:07d}.png", self.steps_per_quarter, self.steps_per_bar,
                         titles=[f"step {step}, sequence {i + 1}" for i in range(len(pieces))])
        metrics = self.out_dir.parent / rd.METRICS
        if metrics.exists():
            plot_game_curves(read_metrics(metrics), self.out_dir.parent / rd.PLOTS / "curves.png")
