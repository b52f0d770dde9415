"""The text-to-image game from a config: G, D, the encoders E (and the redescriber R), the caption book, batches."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.data.cache import default_cache_dir
from gankit.errors import ConfigError
from gankit.games.text2img.captions import CaptionEncoders, caption_book, cond_dim
from gankit.games.text2img.game import TextGame, TextOptions
from gankit.losses.adversarial import get_objective
from gankit.models.dfgan import DFDiscriminator, DFGenerator
from gankit.models.text_encoders import Redescriber
from gankit.text.words import Vocabulary
from gankit.training.batches import EpochBatches
from gankit.training.distributed import DistContext, wrap_player
from gankit.training.ema import EMA
from gankit.training.state import Player, TrainState
from gankit.utils.seeding import derive_seed, make_generator, seed_everything

# the relativistic objectives pair each real with one fake (no room for mismatched pairs); WGAN needs clipping
TEXT_OBJECTIVES = ("hinge", "nonsaturating", "minimax", "lsgan", "wgan-gp")


def text_networks(cfg: Config, facts: Mapping[str, Any]) -> dict[str, nn.Module]:
    """G, D, E (and R when redescribing) for the images and caption vocabulary of the run's data facts."""
    channels, size = int(facts["shape"][0]), int(facts["shape"][1])
    t, m = cfg.text, cfg.model
    vocab = len(Vocabulary(facts["caption_vocabulary"]))
    cond = cond_dim(t.encoder, t.dim)
    nets: dict[str, nn.Module] = {
        "G": DFGenerator(m.z_dim, cond, width=m.g_width, size=size, channels=channels, retrieve=t.retrieve,
                         layout=t.layout),
        "D": DFDiscriminator(cond, width=m.d_width, size=size, channels=channels),
        "E": CaptionEncoders(t.encoder, vocab, channels, size, embed=t.embed, dim=t.dim),
    }
    if t.redescribe > 0:
        nets["R"] = Redescriber(vocab, channels=channels, size=size, dim=t.dim)
    return nets


def check_text_config(cfg: Config, data: ArrayDataset) -> None:
    """Refuse what the game cannot play: uncaptioned data, sizes DF-GAN has no blocks for, a mirrored shapes set."""
    if data.captions is None:
        raise ConfigError(f"game=text2img needs captioned images, and {cfg.data.name} has no captions;\n"
                          "use shapes, fashion-text or caption-folder")
    h, w = data.sample_shape[1:]
    if h != w or h < 8 or h & (h - 1):
        raise ConfigError(f"DF-GAN's networks take square images of 8, 16, 32, 64 … px; {cfg.data.name} gives {h}x{w}:\n"
                          "set data.size to a power of two (fashion-text: 32)")
    if cfg.data.xflip and cfg.data.name == "shapes":
        raise ConfigError("data.xflip would mirror the shapes but not their captions' 'left of' / 'right of': "
                          "set data.xflip=false")
    if cfg.loss.objective not in TEXT_OBJECTIVES:
        raise ConfigError(f"loss.objective={cfg.loss.objective}: DF-GAN's D judges real, fake and mismatched pairs, "
                          f"with MA-GP as its only constraint;\nchoose one of: {', '.join(TEXT_OBJECTIVES)}")
    if cfg.eval.every > 0:
        raise ConfigError("a text-to-image run is scored after training, with `gankit eval RUN`: set eval.every=0")
    if cfg.train.precision == "fp16":
        raise ConfigError("game=text2img trains in fp32 or bf16 (MA-GP's double backward is not fp16-safe): "
                          "set train.precision=bf16 or fp32")


def _players(nets: dict[str, nn.Module], cfg: Config, device: torch.device, dist: DistContext) -> dict[str, Player]:
    t = cfg.train
    lrs = {"G": (t.lr_g, (t.beta1, t.beta2)), "D": (t.lr_d, (t.beta1, t.beta2))}
    players = {}
    for name, net in nets.items():
        net = net.to(device)
        lr, betas = lrs.get(name, (cfg.text.lr_encoders, (0.5, 0.999)))
        player = Player(net, torch.optim.Adam(net.parameters(), lr=lr, betas=betas))
        wrap_player(player, device, dist.enabled, None)
        players[name] = player
    return players


def text_options(cfg: Config) -> TextOptions:
    """The game's options from the text and model sections."""
    t = cfg.text
    return TextOptions(pretrain=t.pretrain, mismatch=t.mismatch, ma_gp=t.ma_gp, ma_gp_p=t.ma_gp_p, gp_every=t.gp_every,
                       redescribe=t.redescribe, noise=t.noise, z_dim=cfg.model.z_dim, reuse_fakes=t.reuse_fakes,
                       precision=cfg.train.precision)


def build_text_game(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None,
                    run_path: Path | None = None) -> TextGame:
    """DF-GAN after stage-1 encoders: players G, D, E (and R), batches of (image, caption row)."""
    dist = dist or DistContext()
    check_text_config(cfg, data)
    seed_everything(cfg.seed)
    cache = default_cache_dir() if cfg.data.cache else None
    book = caption_book(data.captions, data.y, data.info(), cfg.text.encoder, cfg.text.max_words, device, cache)
    nets = text_networks(cfg, data.info())
    if cfg.train.channels_last:  # oneDNN's convolutions run faster on NHWC weights (docs/benchmarks.md)
        nets = {name: net.to(memory_format=torch.channels_last) for name, net in nets.items()}
    if dist.rank > 0:  # rank 0 keeps the streams of a single-process run
        seed_everything(derive_seed(cfg.seed, 3, dist.rank))
    try:
        batches = EpochBatches(data.x, book.rows, cfg.train.batch_size, cfg.seed, data.to_model_space, device,
                               xflip=cfg.data.xflip, rank=dist.rank, world_size=dist.world_size)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    t = cfg.train
    ema = EMA(nets["G"].to(device), t.ema_decay, max(t.ema_start, cfg.text.pretrain), t.ema_rampup) if t.ema_decay > 0 else None
    state = TrainState(players=_players(nets, cfg, device, dist),
                       z_gen=make_generator(derive_seed(cfg.seed, 1, dist.rank), device),
                       batches=batches, ema=ema, ema_of="G", rank=dist.rank, world_size=dist.world_size)
    return TextGame(state, get_objective(cfg.loss.objective), text_options(cfg), book)
