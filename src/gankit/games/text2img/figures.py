"""The live game of a text-to-image run: a row of samples for each of a few fixed captions, and the curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gankit.data.base import ArrayDataset
from gankit.games.text2img.captions import embed_captions
from gankit.text.words import split_words
from gankit.training.callbacks import read_metrics
from gankit.training.state import TrainState
from gankit.utils import run_dir as rd
from gankit.utils.images import to_uint8
from gankit.utils.plots import plot_game_curves, plot_image_rows
from gankit.utils.provenance import for_run

PER_ROW = 8  # samples per caption: enough to see variety
# Captions worth watching: every colour and shape, a relation, and held-out pairs (shapes never trains on them).
SHAPES_CAPTIONS = ("a large red circle", "a small blue square", "a large yellow triangle",
                   "a small cyan circle above a large magenta square", "a large green square left of a small red triangle",
                   "a large green triangle", "a large magenta circle", "a small cyan square")
FASHION_CAPTIONS = ("a pair of trousers", "a sneaker", "a bag", "a dress", "an ankle boot", "jeans", "a handbag")


def picture_captions(data: ArrayDataset, k: int = 6, seed: int = 0) -> list[str]:
    """The captions a run's pictures show: a fixed list for shapes and fashion-text, else k of the data's own."""
    if data.name == "shapes":
        return list(SHAPES_CAPTIONS)
    if data.name == "fashion-text":
        return list(FASHION_CAPTIONS)
    texts = sorted(set(data.captions or []))
    pick = np.random.default_rng(seed).choice(len(texts), size=min(k, len(texts)), replace=False)
    return [texts[i] for i in sorted(pick)]


def known_words(texts: list[str], vocabulary: list[str]) -> list[str]:
    """The captions whose every word the in-house encoder knows (the others are left out of its pictures)."""
    known = set(vocabulary)
    return [t for t in texts if all(w in known for w in split_words(t))]


class CaptionPictures:
    """Every call writes samples/step_XXXXXXX.png (a row of G's images per fixed caption, fixed noise) and plots/curves.png."""

    def __init__(self, state: TrainState, data: ArrayDataset, out_dir: Path, n: int, seed: int) -> None:
        self.state, self.out_dir, self.seed = state, Path(out_dir), seed
        self.provenance = for_run(self.out_dir.parent, 0)  # read once; each picture gets its step
        self.vocabulary = list(data.meta["caption_vocabulary"])
        texts = picture_captions(data)
        self.captions = texts if self.state.players["E"].net.mode == "minilm" else known_words(texts, self.vocabulary)
        self.n = min(n, PER_ROW)

    def __call__(self, step: int) -> None:
        """Draw the rows at `step`, once the encoders are trained and frozen (stage 2)."""
        E = self.state.players["E"].net
        if any(p.requires_grad for p in E.parameters()):  # stage 1: the captions mean nothing to G yet
            return
        G = self.state.sampler
        device = next(G.parameters()).device
        cond, _ = embed_captions(self.captions, E, self.vocabulary, 64, device)
        z = torch.randn(self.n, G.z_dim, generator=torch.Generator(device).manual_seed(self.seed), device=device)
        with torch.no_grad():
            rows = [(text, to_uint8(G(z, c.expand(self.n, -1)))) for text, c in zip(self.captions, cond[:, None])]
        plot_image_rows(rows, self.out_dir / f"step_{step:07d}.png", title=f"step {step}",
                        provenance=self.provenance.at(step))
        metrics = self.out_dir.parent / rd.METRICS
        if metrics.exists():
            plot_game_curves(read_metrics(metrics), self.out_dir.parent / rd.PLOTS / "curves.png")
