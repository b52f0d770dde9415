"""The text-to-image game: DF-GAN (Tao et al. 2022) after stage-1 encoders (AttnGAN's DAMSM, Xu et al. 2018).

One run has two stages, by iteration:
  1. encoders (iterations < pretrain): the image and text encoders learn from real (image, caption)
     pairs with the DAMSM losses, and the redescriber (MirrorGAN's STREAM, Qiao et al. 2019) learns to
     caption real images when `redescribe` > 0;
  2. the game (then frozen encoders): D scores (image, caption) pairs, real–matching as real,
     generated–matching and real–mismatching as fake, with the matching-aware gradient penalty on
     real–matching pairs; G makes images its caption matches, plus `redescribe` × the redescriber's
     loss of the input caption on G's images.
Players: G, D, E (the encoders) and, when redescribing, R.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.games.stats import game_stats
from gankit.games.text2img.captions import CaptionBook
from gankit.losses.adversarial import Objective
from gankit.losses.damsm import redescription_loss, sentence_loss, word_loss
from gankit.losses.penalties import matching_aware_gp
from gankit.training.callbacks import Callback
from gankit.training.numerics import autocast, optimizer_step, unscaled_grad_norm
from gankit.training.phase import Phase, Stats
from gankit.training.state import Player, TrainState


@dataclass(frozen=True)
class TextOptions:
    """Stage 1's length and the game's weights."""

    pretrain: int = 500
    mismatch: float = 0.5
    ma_gp: float = 2.0
    ma_gp_p: float = 6.0
    gp_every: int = 1
    redescribe: float = 0.0
    noise: float = 0.0
    z_dim: int = 100
    reuse_fakes: bool = False
    precision: str = "fp32"  # fp32 or bf16 (autocast of the game's forward passes)


class TextGame:
    """Stage-1 encoders, then DF-GAN's matching-aware game, on a TrainState with players G, D, E (and R)."""

    def __init__(self, state: TrainState, objective: Objective, options: TextOptions, book: CaptionBook) -> None:
        self.state, self.obj, self.o, self.book = state, objective, options, book
        self.G, self.D, self.E = (state.players[n] for n in ("G", "D", "E"))
        self.R: Player | None = state.players.get("R")
        self.entered = False  # stage 2's set-up done in this process (a resumed run does it again)
        self.drawn: tuple[torch.Tensor, ...] | None = None  # (fakes, conditions, rows) that G's step reuses
        self.device = state.z_gen.device

    def in_game(self) -> bool:
        """Whether the current iteration is in stage 2 (the game)."""
        return self.state.step >= self.o.pretrain

    # -- stage 1 ----------------------------------------------------------------------------------------
    def encoder_step(self, log: bool) -> Stats:
        """The encoders' DAMSM step (and the redescriber's captioning step) on real pairs (stage 1 only)."""
        if self.in_game():
            return {}
        real, rows = self.state.batches.next()
        b = self.book
        ids, lengths = b.ids[rows], b.lengths[rows]
        same = b.same(rows[:, None], rows[None, :]) & ~torch.eye(len(rows), dtype=torch.bool, device=rows.device)
        pretrained = None if b.pretrained is None else b.pretrained[rows]
        local, image, words, sentence = self.E.trained(real, ids, lengths, pretrained)
        loss = sentence_loss(image, sentence, same=same)
        if words is not None:
            loss = loss + word_loss(local, words, lengths, same=same)
        out = {"loss_e": loss.detach(), "retrieval": _retrieval(image.detach(), sentence.detach(), rows, b)}
        _step(self.E, loss)
        if self.R is not None:
            loss_r = redescription_loss(self.R.trained(real, ids, lengths), ids, lengths)
            _step(self.R, loss_r)
            out["loss_r"] = loss_r.detach()
        return out

    @torch.no_grad()
    def enter_game(self) -> None:
        """Freeze the encoders (and the redescriber) and embed every training caption (damsm)."""
        self.entered = True
        for player in (self.E, self.R):
            if player is not None:
                player.net.eval().requires_grad_(False)
        if self.book.cond is None:
            b = self.book
            self.book.cond = self.E.net.encode_text(b.ids, b.lengths, b.pretrained)[1].detach()
        ema = self.state.ema.model if self.state.ema is not None else None
        for G in (self.G.net, ema):  # caption retrieval remembers the captions G and its average may draw from
            if G is not None and G.retrieval is not None:
                G.retrieval.remember(self.book.cond)

    # -- stage 2 ----------------------------------------------------------------------------------------
    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.o.z_dim, generator=self.state.z_gen, device=self.state.z_gen.device)

    def _cond(self, rows: torch.Tensor) -> torch.Tensor:
        s = self.book.cond[rows]
        if self.o.noise > 0:  # conditioning noise: nearby embeddings should draw the same thing
            s = s + self.o.noise * torch.randn(s.shape, generator=self.state.z_gen, device=s.device)
        return s

    def _mismatch(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Each image's neighbour's caption (a roll of the batch), and which of those really mismatch."""
        other = rows.roll(1)
        return other, ~self.book.same(rows, other)

    def d_step(self, log: bool) -> Stats:
        """D on real–matching (real), fake–matching and real–mismatching (fake) pairs, plus MA-GP (stage 2)."""
        if not self.in_game():
            return {}
        if not self.entered:
            self.enter_game()
        real, rows = self.state.batches.next()
        s = self._cond(rows)
        D = self.D.trained
        other, valid = self._mismatch(rows)
        n = len(rows)  # real images judged with their own captions and, from the same features, their neighbours'
        with autocast(self.o.precision, self.device):
            with torch.set_grad_enabled(self.o.reuse_fakes):
                fake = self.G.trained(self._noise(n), s)
            if self.o.reuse_fakes:  # G's step judges these images again, against the updated D (DF-GAN's code)
                self.drawn, fake = (fake, s, rows), fake.detach()
            mismatched = (valid.nonzero().view(-1), self._cond(other)[valid])
            logits = D(torch.cat([real, fake]), torch.cat([s, s]), rejudge=mismatched).float()
        real_logits, fake_logits, mis_logits = logits[:n], logits[n:2 * n], logits[2 * n:]
        loss = self.obj.d(real_logits, fake_logits)
        if len(mis_logits):  # a batch whose captions are all of one group has no mismatching pair
            loss = (1 - self.o.mismatch) * loss + self.o.mismatch * self.obj.d(real_logits, mis_logits)
        if self.o.ma_gp > 0 and (self.state.step - self.o.pretrain) % self.o.gp_every == 0:
            k = self.o.ma_gp * self.o.gp_every  # lazy: as strong on average as a penalty at every step
            loss = loss + matching_aware_gp(D, real, s, k=k, p=self.o.ma_gp_p)
        out = {"loss_d": loss.detach(), **game_stats(real_logits, fake_logits, self.obj)}
        if len(mis_logits):
            out["d_mismatch"] = mis_logits.detach().mean()
        grad = _step(self.D, loss, log, "d")
        return {**out, **grad}

    def g_step(self, log: bool) -> Stats:
        """G on its matching pairs, plus the redescription loss of the input caption (stage 2)."""
        if not self.in_game():
            return {}
        fake, s, rows = self._g_draw()
        b = self.book
        with autocast(self.o.precision, self.device):
            loss = self.obj.g(self.D.trained(fake, s).float(), None)
            described = self.R.net(fake, b.ids[rows], b.lengths[rows]).float() if self.R is not None else None
        out: Stats = {"loss_g": loss.detach()}
        if described is not None and self.o.redescribe > 0:
            loss_r = redescription_loss(described, b.ids[rows], b.lengths[rows])
            loss = loss + self.o.redescribe * loss_r
            out["redescribe"] = loss_r.detach()
        return {**out, **_step(self.G, loss, log, "g")}

    def _g_draw(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """G's images, their conditions and caption rows: D's step's (reuse_fakes), or new ones for the next
        batch's captions, so that G draws what the data describe in their proportions."""
        if self.drawn is not None:
            (fake, s, rows), self.drawn = self.drawn, None
            return fake, s, rows
        _, rows = self.state.batches.next()
        s = self._cond(rows)
        with autocast(self.o.precision, self.device):
            fake = self.G.trained(self._noise(len(rows)), s)
        return fake, s, rows

    def ema_step(self, log: bool) -> Stats:
        """Blend G into its average (stage 2)."""
        if self.state.ema is not None and self.in_game():
            self.state.ema.update(self.G.net, self.state.step + 1)
        return {}

    def schedule(self) -> list[Phase]:
        """Encoders (stage 1); D, G and the EMA (stage 2)."""
        return [Phase("E", self.encoder_step), Phase("D", self.d_step), Phase("G", self.g_step),
                Phase("EMA", self.ema_step)]

    def callbacks(self) -> list[Callback]:
        """None of its own."""
        return []


def _step(player: Player, loss: torch.Tensor, log: bool = False, name: str = "") -> Stats:
    """One optimiser step of a player on `loss`; its gradient norm (as grad_norm_<name>) when logging."""
    player.opt.zero_grad(set_to_none=True)
    loss.backward()
    out: Stats = {f"grad_norm_{name}": unscaled_grad_norm(player.net, player.opt, None)} if log and name else {}
    optimizer_step(player.opt, None)
    return out


@torch.no_grad()
def _retrieval(image: torch.Tensor, sentence: torch.Tensor, rows: torch.Tensor, book: CaptionBook) -> torch.Tensor:
    """The share of a batch's images whose own caption's group is the nearest, by cosine (a live check of stage 1)."""
    sim = torch.nn.functional.normalize(image, dim=1) @ torch.nn.functional.normalize(sentence, dim=1).T
    return book.same(rows, rows[sim.argmax(1)]).float().mean()
