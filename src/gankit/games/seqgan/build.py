"""The SeqGAN game from a config: G, D, the kept MLE and rollout copies of G, batches of real windows."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.errors import ConfigError
from gankit.games.seqgan.game import SeqGame, SeqOptions
from gankit.losses.adversarial import get_objective
from gankit.losses.sequence import REWARDS
from gankit.models.sequence import TokenDiscriminator, TokenGenerator
from gankit.training.batches import EpochBatches
from gankit.training.distributed import DistContext, wrap_player
from gankit.training.state import Player, TrainState
from gankit.utils.seeding import derive_seed, make_generator, seed_everything


def token_generator(cfg: Config, vocab_size: int) -> TokenGenerator:
    """G's architecture (also G_mle's and G_rollout's) from the music section."""
    return TokenGenerator(vocab_size, embed=cfg.music.embed, hidden=cfg.music.hidden, dropout=cfg.music.dropout)


def seqgan_networks(cfg: Config, facts: Mapping[str, Any]) -> dict[str, nn.Module]:
    """G, D, G_mle and G_rollout for the vocabulary and window of the run's data facts."""
    vocab, length = len(facts["vocabulary"]), int(facts["shape"][0])
    m = cfg.music
    return {"G": token_generator(cfg, vocab),
            "D": TokenDiscriminator(vocab, length, embed=m.d_embed, scale=m.d_scale, dropout=m.d_dropout),
            "G_mle": token_generator(cfg, vocab), "G_rollout": token_generator(cfg, vocab)}


def check_seqgan_config(cfg: Config, data: ArrayDataset) -> None:
    """Refuse what the game cannot play: non-token data, an objective without a reward, fp16, eval during training."""
    if data.kind != "tokens":
        raise ConfigError(f"game=seqgan learns token sequences, but {cfg.data.name} holds {data.kind};\n"
                          "use chorales, midi-folder or scales")
    if cfg.loss.objective not in REWARDS:
        raise ConfigError(f"loss.objective={cfg.loss.objective} gives SeqGAN no per-sequence reward;\n"
                          f"choose one of: {', '.join(REWARDS)}")
    if cfg.loss.objective == "wgan" and not cfg.loss.clip_value:
        raise ConfigError("loss.objective=wgan needs a Lipschitz critic: set loss.clip (e.g. 0.01);\n"
                          "a gradient penalty is not defined on discrete tokens")
    if cfg.train.precision != "fp32":
        raise ConfigError("game=seqgan trains in fp32 (its LSTM steps one token at a time): set train.precision=fp32")
    if cfg.eval.every > 0:
        raise ConfigError("a SeqGAN run is scored after training, with `gankit eval RUN`: set eval.every=0")
    if cfg.train.batch_size > len(data):
        raise ConfigError(f"train.batch_size={cfg.train.batch_size} is larger than the {len(data)} training windows; "
                          "lower it or use more pieces")


def _players(nets: dict[str, nn.Module], cfg: Config, device: torch.device, dist: DistContext) -> dict[str, Player]:
    t = cfg.train
    players = {}
    for name in ("G", "D"):
        net = nets[name].to(device)
        lr = t.lr_g if name == "G" else t.lr_d
        player = Player(net, torch.optim.Adam(net.parameters(), lr=lr, betas=(t.beta1, t.beta2)))
        wrap_player(player, device, dist.enabled, None)
        players[name] = player
    return players


def seq_options(cfg: Config) -> SeqOptions:
    """The game's options from the music and loss sections."""
    m = cfg.music
    return SeqOptions(pretrain_g=m.pretrain_g, pretrain_d=m.pretrain_d, rollouts=m.rollouts,
                      rollout_rate=m.rollout_rate, pg_batch=m.pg_batch, d_steps=m.d_steps, d_every=m.d_every,
                      clip=cfg.loss.clip_value, baseline=m.baseline, lr_pg=m.lr_pg)


def build_seqgan_game(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None,
                      run_path: Path | None = None) -> SeqGame:
    """SeqGAN: players G and D, kept copies G_mle and G_rollout, batches of real windows."""
    dist = dist or DistContext()
    check_seqgan_config(cfg, data)
    seed_everything(cfg.seed)
    nets = seqgan_networks(cfg, data.info())
    if dist.rank > 0:  # rank 0 keeps the streams of a single-process run
        seed_everything(derive_seed(cfg.seed, 3, dist.rank))
    try:
        batches = EpochBatches(data.x, data.y, cfg.train.batch_size, cfg.seed, transform=lambda t: t.long(),
                               device=device, rank=dist.rank, world_size=dist.world_size)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    kept = {name: nets[name].to(device).eval().requires_grad_(False) for name in ("G_mle", "G_rollout")}
    state = TrainState(players=_players(nets, cfg, device, dist),
                       z_gen=make_generator(derive_seed(cfg.seed, 1, dist.rank), device),
                       batches=batches, ema=None, ema_of="G", rank=dist.rank, world_size=dist.world_size, kept=kept)
    return SeqGame(state, get_objective(cfg.loss.objective), seq_options(cfg), length=data.x.shape[1])
