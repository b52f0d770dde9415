"""Style mixing (Karras et al. 2019, fig. 3): coarse styles from one latent, the rest from another."""

from __future__ import annotations

import torch

from gankit.errors import ConfigError
from gankit.models.protocols import StyleGenerator
from gankit.run import ClassSpec, Run
from gankit.sampling.truncation import check_truncation


def _styles(run, seeds: list[int], classes, psi: float) -> torch.Tensor:
    G = run.generator()
    z = torch.stack([run.noise(1, s)[0] for s in seeds]).to(run.device)
    c = run.labels(len(seeds), classes)
    args = (z,) if c is None else (z, c.to(run.device))
    return G.mapping(*args, truncation_psi=psi)


@torch.no_grad()
def style_mix(run: Run, row_seeds: list[int], col_seeds: list[int], cutoff: int | None = None, truncation: float = 1.0,
              classes: ClassSpec = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(row images, column images, grid (rows, cols, C, H, W)); cell (i, j) takes the styles of layers < cutoff
    from row seed i and the rest from column seed j.

    With the default cutoff (a third of the layers: the 4×4 and 8×8 blocks at 32 px), the rows set
    pose and coarse shape, the columns colour and fine detail.
    """
    check_truncation(truncation)
    G = run.generator()
    if not isinstance(G, StyleGenerator):
        raise ConfigError(f"style mixing needs a style-based generator (model.arch=stylegan2); this run is "
                          f"model.arch={run.config.model.arch}")
    cutoff = max(1, G.num_ws // 3) if cutoff is None else cutoff
    if not 0 < cutoff < G.num_ws:
        raise ConfigError(f"the mixing cutoff must be between 1 and {G.num_ws - 1} (this generator has "
                          f"{G.num_ws} style inputs), got {cutoff}")
    rows = _styles(run, row_seeds, classes, truncation)
    cols = _styles(run, col_seeds, classes, truncation)
    row_img = G.synthesis(rows).float().cpu()
    col_img = G.synthesis(cols).float().cpu()
    grid = torch.stack([G.synthesis(G.mix_ws(rows[i:i + 1].expand_as(cols), cols, cutoff)).float().cpu()
                        for i in range(len(rows))])
    return row_img, col_img, grid
