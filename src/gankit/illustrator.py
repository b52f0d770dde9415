"""Illustrator: a text-to-image run drawing what captions say.

    ill = Illustrator(load_run("runs/shapes-dfgan"))
    images = ill.draw(["a large red circle", "a small blue square above a large yellow triangle"], n=8, seed=0)
    ill.write(["a large red circle"], "red.png", n=8)     # a row of 8 per caption, labelled; .npy: uint8 arrays

A caption is embedded as the run was trained: by its in-house encoder (only the words of its
training captions) or by the pretrained MiniLM sentence encoder (free text).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from gankit.data.cache import default_cache_dir
from gankit.errors import ConfigError
from gankit.games.text2img.captions import CaptionEncoders, embed_captions
from gankit.run import Run
from gankit.text.words import check_caption
from gankit.utils.atomic import atomic_path
from gankit.utils.images import to_uint8
from gankit.utils.plots import plot_image_rows

OUTPUT_SUFFIXES = (".png", ".npy")


class Illustrator:
    """Draws images for captions from a text-to-image run's generator (its EMA copy when kept)."""

    def __init__(self, run: Run) -> None:
        if run.config.game != "text2img":
            raise ConfigError(f"{run.path} is a {run.config.game} run with no text conditioning; `gankit text2img` needs "
                              "a text-to-image run\n(e.g. the preset shapes-dfgan or fashion-text)")
        pretrain = run.config.text.pretrain
        if run.step < pretrain:
            raise ConfigError(f"{run.path} stopped at step {run.step}, within its encoders' stage ({pretrain} steps): "
                              "its generator has not played yet;\ntrain it on")
        self.run = run
        self.G = run.generator()
        self.E: CaptionEncoders = run.network("E")
        self.vocabulary = list(run.info["caption_vocabulary"])
        self.grey = int(run.info["shape"][0]) == 1

    def embed(self, captions: Sequence[str]) -> torch.Tensor:
        """What G conditions on for each caption (N×T); an empty caption or unknown words are refused."""
        for i, text in enumerate(captions):
            check_caption(text, i)
        cond, _ = embed_captions(list(captions), self.E, self.vocabulary, self.run.config.text.max_words,
                                 self.run.device, default_cache_dir())
        return cond

    @torch.no_grad()
    def draw(self, captions: Sequence[str], n: int = 8, seed: int = 0) -> torch.Tensor:
        """Images in [-1, 1], len(captions)×n×C×H×W: the same n noise vectors for every caption."""
        if n < 1:
            raise ConfigError(f"n must be ≥ 1, got {n}")
        cond = self.embed(captions)
        g = torch.Generator(self.run.device).manual_seed(int(seed))
        z = torch.randn(n, self.G.z_dim, generator=g, device=self.run.device)
        return torch.stack([self.G(z, c.expand(n, -1)).clamp(-1, 1).cpu() for c in cond])

    def write(self, captions: Sequence[str], out: str | Path, n: int = 8, seed: int = 0, watermark: bool = True) -> Path:
        """Write the drawings: .png (a labelled row of n per caption, with the run's provenance) or .npy (uint8
        K×n×H×W×3, or K×n×H×W for grey)."""
        out = Path(out)
        if out.suffix.lower() not in OUTPUT_SUFFIXES:
            raise ConfigError(f"--out {out}: write .png (a picture) or .npy (uint8 arrays)")
        images = np.stack([to_uint8(row) for row in self.draw(captions, n, seed)])
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".npy":
            with atomic_path(out) as tmp, open(tmp, "wb") as f:
                np.save(f, images[0] if len(captions) == 1 else images)
        else:
            plot_image_rows(list(zip(captions, images)), out, provenance=self.run.provenance(watermark))
        return out


def read_captions(path: str | Path) -> list[str]:
    """One caption per non-blank line of a text file; an empty file is refused."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"--captions {path}: no such file; give a text file with one caption per line")
    captions = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not captions:
        raise ConfigError(f"--captions {path} has no captions: write one per line")
    return captions


@torch.no_grad()
def draw_each(ill: Illustrator, captions: Sequence[str], seed: int = 0, batch_size: int = 500) -> torch.Tensor:
    """One image per caption (N×C×H×W, model space, CPU), each from its own noise of one seeded stream."""
    g = torch.Generator(ill.run.device).manual_seed(int(seed))
    out = []
    for i in range(0, len(captions), batch_size):
        chunk = list(captions[i:i + batch_size])
        z = torch.randn(len(chunk), ill.G.z_dim, generator=g, device=ill.run.device)
        out.append(ill.G(z, ill.embed(chunk)).clamp(-1, 1).cpu())
    return torch.cat(out)
