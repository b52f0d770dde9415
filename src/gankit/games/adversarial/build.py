"""The adversarial game from a config: networks, players, options, the game and its balancer."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import torch
from torch import nn

from gankit.augment import AdaptiveAugment, ada_augment, add_instance_noise, diff_augment, instance_noise_std
from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.errors import ConfigError
from gankit.games.adversarial.game import AdversarialGame
from gankit.games.adversarial.options import (
    Augment,
    AuxClassifier,
    GameOptions,
    PathLength,
    Regularizers,
    Unroll,
)
from gankit.games.adversarial.path_length import PathLengthState
from gankit.games.schedule import lr_schedule_of
from gankit.losses.adversarial import get_objective
from gankit.models.registry import build_models
from gankit.training.balance import Balancer
from gankit.training.batches import EpochBatches
from gankit.training.distributed import DistContext, wrap_player
from gankit.training.ema import EMA
from gankit.training.state import Player, TrainState
from gankit.utils.run_dir import BALANCE_LOG
from gankit.utils.seeding import derive_seed, make_generator, seed_everything


def build_networks(cfg: Config, shape: tuple[int, ...], num_classes: int = 0) -> dict[str, nn.Module]:
    """{'G': G, 'D': D} for samples of `shape` (and `num_classes` classes) from the model section of a config."""
    m = cfg.model
    cond = {"num_classes": num_classes, "cond_g": m.cond_g, "cond_d": m.cond_d, "embed_dim": m.embed_dim}
    try:
        G, D = build_models(
            m.arch, shape, spectral_norm=m.spectral_norm, z_dim=m.z_dim, g_width=m.g_width, d_width=m.d_width,
            g_depth=m.g_depth, d_depth=m.d_depth, pack=m.pack, minibatch_std=m.minibatch_std,
            **(cond if m.conditional else {}),
        )
    except ValueError as e:
        raise ConfigError(str(e)) from None
    return {"G": G, "D": D}


def lazy_regularisation_factor(every: int, active: bool) -> float:
    """c = k/(k+1) for a regulariser applied every k steps, else 1 (Karras et al. 2020, StyleGAN2 appendix B).

    The player's optimiser then uses lr·c and betas**c, so that its effective momentum per update is unchanged.
    """
    return every / (every + 1) if active and every > 1 else 1.0


def _player(net: nn.Module, lr: float, betas: tuple[float, float], c: float) -> Player:
    return Player(net, torch.optim.Adam(net.parameters(), lr=lr * c, betas=(betas[0] ** c, betas[1] ** c)))


def build_state(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None) -> TrainState:
    """Players (TTUR: one learning rate each), EMA, RNGs and batches for a fresh run.

    Under DDP every rank builds the same networks from the seed, then draws its own noise and global
    random streams, takes its slice of each global batch, and trains through DDP wrappers.
    """
    dist = dist or DistContext()
    seed_everything(cfg.seed)
    nets = build_networks(cfg, data.sample_shape, len(data.class_names))
    G, D = nets["G"].to(device), nets["D"].to(device)
    if cfg.train.channels_last and data.kind == "image":
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    if dist.rank > 0:  # rank 0 keeps the streams of a single-process run
        seed_everything(derive_seed(cfg.seed, 3, dist.rank))
    t, lo = cfg.train, cfg.loss
    try:
        batches = EpochBatches(data.x, data.y, t.batch_size, cfg.seed, data.to_model_space, device,
                               xflip=cfg.data.xflip, rank=dist.rank, world_size=dist.world_size)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    z_seed = derive_seed(cfg.seed, 1) if dist.rank == 0 else derive_seed(cfg.seed, 1, dist.rank)
    betas = (t.beta1, t.beta2)
    state = TrainState(
        players={"G": _player(G, t.lr_g, betas, lazy_regularisation_factor(lo.pl_every, lo.pl > 0)),
                 "D": _player(D, t.lr_d, betas, lazy_regularisation_factor(lo.reg_every, lo.any_penalty))},
        z_gen=make_generator(z_seed, device),
        batches=batches,
        ema=EMA(G, t.ema_decay, t.ema_start, t.ema_rampup) if t.ema_decay > 0 else None,
        rank=dist.rank,
        world_size=dist.world_size,
    )
    _wrap(state, cfg, device, dist)
    _add_components(state, cfg, device)
    return state


def _wrap(state: TrainState, cfg: Config, device: torch.device, dist: DistContext) -> None:
    """DDP wrappers under torchrun; compiled wrappers with train.compile (sharing the weights; penalties run eagerly)."""
    for p in state.players.values():
        wrap_player(p, device, dist.enabled, cfg.train.compile_as)


def _add_components(state: TrainState, cfg: Config, device: torch.device) -> None:
    """The checkpointed parts besides the networks: fp16 loss scalers, path length's mean, ADA's p."""
    if cfg.train.precision == "fp16":
        if device.type != "cuda":
            raise ConfigError(f"train.precision=fp16 needs a CUDA device (this run is on {device.type}); "
                              "on CPUs use train.precision=bf16")
        for name, p in state.players.items():
            p.scaler = state.components[f"scaler_{name.lower()}"] = torch.amp.GradScaler("cuda")
    if cfg.loss.pl > 0:
        state.components["pl"] = PathLengthState()
    a = cfg.augment
    if a.kind == "ada":
        state.components["ada"] = AdaptiveAugment(a.ada_target, a.ada_speed_kimg, a.ada_interval, p_init=a.p)


def augmentation(cfg: Config, state: TrainState) -> Augment | None:
    """What D sees besides packing: DiffAugment or ADA, then instance noise, or nothing."""
    a = cfg.augment
    augment: Augment | None = None
    if a.kind == "diffaugment":
        augment = partial(diff_augment, policy=a.policy)
    elif a.kind == "ada":
        ada = state.components["ada"]

        def augment(x: torch.Tensor) -> torch.Tensor:
            return ada_augment(x, ada.p)

    if a.instance_noise > 0:
        augment = with_instance_noise(augment, state, a.instance_noise, a.instance_noise_until, cfg.train.steps)
    return augment


def with_instance_noise(augment: Augment | None, state: TrainState, sigma0: float, until: float,
                        total_steps: int) -> Augment:
    """`augment` (or nothing) followed by instance noise whose σ follows the run's step."""
    def view(x: torch.Tensor) -> torch.Tensor:
        x = augment(x) if augment is not None else x
        return add_instance_noise(x, instance_noise_std(state.step, total_steps, sigma0, until))

    return view


def game_options(cfg: Config, state: TrainState) -> GameOptions:
    """How each iteration is played, from the loss, augment, model and train sections."""
    lo, a, t = cfg.loss, cfg.augment, cfg.train
    return GameOptions(
        z_dim=cfg.model.z_dim, batch_size=t.batch_size // state.world_size, d_steps=t.d_steps, precision=t.precision,
        channels_last=t.channels_last, reuse_fake=t.reuse_fake, conditional=cfg.model.conditional,
        pack=cfg.model.pack, augment=augmentation(cfg, state), adapt_p=a.kind == "ada" and cfg.balance.mode != "augment",
        reg=Regularizers(r1=lo.r1, r2=lo.r2, roth=lo.roth, gp=lo.gp_weight, gp_center=lo.gp_center,
                         gp_one_sided=lo.gp_mode == "one-sided", every=lo.reg_every, clip=lo.clip_value),
        aux=AuxClassifier(lo.aux_weight, lo.aux_fake_in_d, lo.aux_weight_d, lo.aux_confidence),
        unroll=Unroll(t.unroll_steps, t.unroll_lr),
        path_length=PathLength(lo.pl, lo.pl_every, lo.pl_decay, lo.pl_batch_shrink),
        style_mixing=t.style_mixing,
        lr_schedule=lr_schedule_of(cfg),
    )


def build_game(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None,
               run_path: Path | None = None) -> AdversarialGame:
    """The TrainState, the game on it and (when asked for) the balancer among its watchers."""
    state = build_state(cfg, data, device, dist)
    game = AdversarialGame(state, get_objective(cfg.loss.objective), game_options(cfg, state))
    b = cfg.balance
    if b.mode != "off":
        log = run_path / BALANCE_LOG if run_path is not None and state.rank == 0 else None
        balancer = Balancer(b.mode, game, state.components.get("ada"), b.acc_low, b.acc_high, b.every, b.factor,
                            b.max_d_steps, b.max_lr_factor, b.p_step, log)
        state.components["balance"] = balancer
        game.watchers.append(balancer)
    return game
