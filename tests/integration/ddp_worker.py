"""What each rank of the DDP tests runs (a module of its own, so torch.multiprocessing can spawn it)."""

from __future__ import annotations

import os

import torch

CFG = {"data.n": 512, "train.batch_size": 16, "train.lr_schedule": "constant", "log.progress": False}


def game(world: int, rank: int, port: int, preset: str = "ring8-tiny"):
    """Join a gloo group of `world` processes (or none for 1) and build a preset's game (ring8-tiny)."""
    from gankit.api import as_config
    from gankit.build import build_game, load_data
    from gankit.training.distributed import init_distributed

    torch.set_num_threads(1)
    if world > 1:
        os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                          MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    cfg = as_config(preset, CFG)
    ctx, device = init_distributed(torch.device("cpu"))
    return build_game(cfg, load_data(cfg), device, ctx)


def fixed_noise(phases, rank: int, world: int) -> None:
    """Every D/G step draws its slice of one fixed global noise batch, so 1 and N processes see the same fakes."""
    g = torch.Generator().manual_seed(123)
    z = torch.randn(16, phases.o.z_dim, generator=g)
    local = 16 // world
    phases.sample_z = lambda n: z[rank * local:(rank + 1) * local][:n].clone()


def run(rank: int, world: int, port: int, out: str, mode: str) -> None:
    """mode 'train': 12 iterations, save each rank's weights; 'grad': one D and one G step, save the gradients;
    'buffers': 3 iterations of digits-dcgan (batch norm), save each rank's buffers."""
    from gankit.training.distributed import close_distributed
    from gankit.training.loop import Trainer

    phases = game(world, rank, port, "digits-dcgan" if mode == "buffers" else "ring8-tiny")
    state = phases.state
    if mode == "buffers":  # batch norm: each rank's running statistics see its own slice of the batch
        Trainer(state, phases.schedule(), log_every=2).fit(3)
        torch.save({n: dict(p.net.named_buffers()) for n, p in state.players.items()}, f"{out}/buffers{rank}.pt")
    elif mode == "train":
        Trainer(state, phases.schedule(), log_every=4).fit(12)
        torch.save({"G": phases.G.net.state_dict(), "D": phases.D.net.state_dict()}, f"{out}/rank{rank}.pt")
    else:
        fixed_noise(phases, rank, world)
        phases.D.opt.step = phases.G.opt.step = lambda *a, **k: None  # keep the weights; read the gradients
        phases.d_step(log=False, keep_fake=True)
        grads_d = {n: p.grad.clone() for n, p in phases.D.net.named_parameters()}
        phases.g_step(log=False)
        grads_g = {n: p.grad.clone() for n, p in phases.G.net.named_parameters()}
        torch.save({"D": grads_d, "G": grads_g}, f"{out}/grad{world}-{rank}.pt")
    del state, phases  # the DDP wrappers hold the process group
    close_distributed()
