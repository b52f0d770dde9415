"""The translation figure of the CycleGAN paper (input | translated | reconstructed, both ways), written as training goes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from gankit.data.base import ArrayDataset
from gankit.training.callbacks import read_metrics
from gankit.training.state import TrainState
from gankit.utils import run_dir as rd
from gankit.utils.images import to_uint8
from gankit.utils.plots import plot_game_curves, plot_image_rows
from gankit.utils.provenance import for_run


def fixed_examples(data: ArrayDataset, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n images of each domain in model space, the same ones at every call (a seeded choice; pairs stay pairs)."""
    a, b = data.x[data.y == 0], data.x[data.y == 1]
    g = torch.Generator().manual_seed(seed)
    ia = torch.randperm(len(a), generator=g)[: min(n, len(a))]
    ib = ia if data.meta.get("paired") else torch.randperm(len(b), generator=g)[: min(n, len(b))]
    return data.to_model_space(a[ia]), data.to_model_space(b[ib])


@torch.no_grad()
def translation_rows(nets: dict[str, nn.Module], a: torch.Tensor, b: torch.Tensor,
                     names: tuple[str, str]) -> list[tuple[str, np.ndarray]]:
    """The figure's labelled rows: for CycleGAN both cycles, for pix2pix input | output | ground truth."""
    na, nb = names
    if "G_AB" in nets:
        g, f = nets["G_AB"], nets["G_BA"]
        fake_b, fake_a = g(a), f(b)
        return [(f"{na}", to_uint8(a)), (f"→ {nb}", to_uint8(fake_b)), (f"→ back to {na}", to_uint8(f(fake_b))),
                (f"{nb}", to_uint8(b)), (f"→ {na}", to_uint8(fake_a)), (f"→ back to {nb}", to_uint8(g(fake_a)))]
    return [(f"input ({na})", to_uint8(a)), ("G(input)", to_uint8(nets["G"](a))), (f"ground truth ({nb})", to_uint8(b))]


def _in_eval_mode(nets: dict[str, nn.Module]):
    """Switch the networks to eval mode and return how to put them back."""
    modes = {k: n.training for k, n in nets.items()}
    for n in nets.values():
        n.eval()
    return lambda: [n.train(modes[k]) for k, n in nets.items()]


class TranslationPictures:
    """Every call writes samples/step_XXXXXXX.png (the translation figure on fixed examples) and plots/curves.png."""

    def __init__(self, state: TrainState, data: ArrayDataset, out_dir: Path, n: int, seed: int) -> None:
        self.state, self.out_dir = state, Path(out_dir)
        self.provenance = for_run(self.out_dir.parent, 0)  # read once; each picture gets its step
        self.names = tuple(data.meta.get("domains", data.class_names))
        device = next(next(iter(state.players.values())).net.parameters()).device
        a, b = fixed_examples(data, min(n, 8), seed)
        self.a, self.b = a.to(device), b.to(device)

    def __call__(self, step: int) -> None:
        """Draw the figure at `step` with the generators as they are."""
        nets = {k: p.net for k, p in self.state.players.items() if k.startswith("G")}
        restore = _in_eval_mode(nets)
        try:
            rows = translation_rows(nets, self.a, self.b, self.names)
        finally:
            restore()
        plot_image_rows(rows, self.out_dir / f"step_{step:07d}.png", title=f"step {step}",
                        provenance=self.provenance.at(step))
        metrics = self.out_dir.parent / rd.METRICS
        if metrics.exists():
            plot_game_curves(read_metrics(metrics), self.out_dir.parent / rd.PLOTS / "curves.png")
