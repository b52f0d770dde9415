"""The translation games from a config: CycleGAN's four players or pix2pix's two, their pools, batches and schedule."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.errors import ConfigError
from gankit.games.schedule import lr_schedule_of
from gankit.games.translation.batches import DomainBatches
from gankit.games.translation.cyclegan import CycleGame, CycleOptions, make_pools
from gankit.games.translation.pix2pix import PairedGame, PairedOptions
from gankit.losses.adversarial import get_objective
from gankit.models.translation import PatchDiscriminator, ResnetGenerator, UnetGenerator, patch_layers_for
from gankit.training.distributed import DistContext, wrap_player
from gankit.training.state import Player, TrainState
from gankit.utils.seeding import derive_seed, make_generator, seed_everything


def generator(cfg: Config, channels: int, size: int) -> nn.Module:
    """A translator of `channels`-channel images: the ResNet generator of CycleGAN or the U-Net of pix2pix
    (as deep as `size` px images allow, down to a 1×1 bottleneck)."""
    t = cfg.translation
    if t.generator == "resnet":
        return ResnetGenerator(channels, channels, width=t.g_width, blocks=t.blocks)
    return UnetGenerator(channels, channels, width=t.g_width, dropout=t.dropout, size=size)


def discriminator(cfg: Config, channels: int, size: int) -> nn.Module:
    """A PatchGAN over `channels` input channels, with as many layers as `size` px images allow unless set."""
    t = cfg.translation
    layers = t.d_layers if t.d_layers is not None else patch_layers_for(size)
    return PatchDiscriminator(channels, width=t.d_width, layers=layers)


def cycle_networks(cfg: Config, shape: tuple[int, ...], num_classes: int = 0) -> dict[str, nn.Module]:
    """G_AB, G_BA and the discriminators of each domain, D_A and D_B, for images of `shape` (C, H, W)."""
    c, size = shape[0], min(shape[1:])
    return {"G_AB": generator(cfg, c, size), "G_BA": generator(cfg, c, size),
            "D_A": discriminator(cfg, c, size), "D_B": discriminator(cfg, c, size)}


def paired_networks(cfg: Config, shape: tuple[int, ...], num_classes: int = 0) -> dict[str, nn.Module]:
    """G: A→B and the conditional D, which sees input and output together (2C channels)."""
    c, size = shape[0], min(shape[1:])
    return {"G": generator(cfg, c, size), "D": discriminator(cfg, 2 * c, size)}


def check_translation_data(cfg: Config, data: ArrayDataset, paired: bool) -> None:
    """Refuse data that is not two domains (or, for pix2pix, not aligned pairs), saying which datasets are."""
    if "domains" not in data.meta:
        raise ConfigError(f"game={cfg.game} translates between two image domains, but data.name={cfg.data.name} is "
                          "one collection;\nuse fashion-pair, edges2sneakers, unpaired-folder or paired-folder")
    if paired and not data.meta.get("paired"):
        raise ConfigError(f"game=pix2pix learns from aligned pairs, but {cfg.data.name} is unpaired;\n"
                          "use game=cyclegan for unpaired domains, or paired data (edges2sneakers, paired-folder)")
    if cfg.eval.every > 0:
        raise ConfigError("eval.every scores samples of a noise-to-image game during training; a translation run is "
                          "scored after it,\nwith `gankit eval RUN` (or `gankit translate RUN --eval`): set eval.every=0")
    if cfg.train.precision == "fp16":
        raise ConfigError("the translation games train in fp32 or bf16 (train.precision=bf16): one loss drives "
                          "two generators,\nwhich fp16's per-player loss scalers do not allow")


def _players(nets: dict[str, nn.Module], cfg: Config, device: torch.device, dist: DistContext) -> dict[str, Player]:
    t = cfg.train
    players = {}
    for name, net in nets.items():
        net = net.to(device)
        lr = t.lr_d if name.startswith("D") else t.lr_g
        player = Player(net, torch.optim.Adam(net.parameters(), lr=lr, betas=(t.beta1, t.beta2)))
        # CycleGAN's generators run twice per backward (translate, then reconstruct): DDP's static graph
        wrap_player(player, device, dist.enabled, cfg.train.compile_as, static_graph=True)
        players[name] = player
    return players


def _state(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext,
           nets: dict[str, nn.Module]) -> TrainState:
    t = cfg.train
    if dist.rank > 0:  # rank 0 keeps the streams of a single-process run
        seed_everything(derive_seed(cfg.seed, 3, dist.rank))
    try:
        batches = DomainBatches(data, t.batch_size, cfg.seed, device, xflip=cfg.data.xflip,
                                rank=dist.rank, world_size=dist.world_size)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    first = next(iter(nets))
    return TrainState(players=_players(nets, cfg, device, dist), z_gen=make_generator(derive_seed(cfg.seed, 1), device),
                      batches=batches, ema=None, ema_of=first, rank=dist.rank, world_size=dist.world_size)


def build_cycle_game(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None,
                     run_path: Path | None = None) -> CycleGame:
    """CycleGAN: four players, a history pool for each D, batches of each domain."""
    dist = dist or DistContext()
    check_translation_data(cfg, data, paired=False)
    seed_everything(cfg.seed)
    state = _state(cfg, data, device, dist, cycle_networks(cfg, data.sample_shape))
    state.components.update(make_pools(cfg.translation.pool, derive_seed(cfg.seed, 12, dist.rank)))
    t = cfg.translation
    options = CycleOptions(cycle=t.cycle, identity=t.identity, precision=cfg.train.precision,
                           lr_schedule=lr_schedule_of(cfg))
    return CycleGame(state, get_objective(cfg.loss.objective), options)


def build_paired_game(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None,
                      run_path: Path | None = None) -> PairedGame:
    """pix2pix: G and the conditional D on aligned pairs."""
    dist = dist or DistContext()
    check_translation_data(cfg, data, paired=True)
    seed_everything(cfg.seed)
    state = _state(cfg, data, device, dist, paired_networks(cfg, data.sample_shape))
    options = PairedOptions(l1=cfg.translation.l1, precision=cfg.train.precision, lr_schedule=lr_schedule_of(cfg))
    return PairedGame(state, get_objective(cfg.loss.objective), options)
