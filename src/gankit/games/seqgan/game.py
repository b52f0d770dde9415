"""SeqGAN (Yu et al. 2017): G is a policy over tokens, D's verdict its reward, spread over the steps by rollouts.

One run has three stages, by iteration:
  1. MLE (iterations < pretrain_g): G learns the data by teacher-forced maximum likelihood;
  2. D pretraining (next pretrain_d iterations): D learns real windows against samples of the MLE G;
  3. adversarial: G takes a policy-gradient step on rewards from `rollouts` Monte Carlo completions
     by a delayed copy of itself (G_rollout), which then moves toward G at `rollout_rate`; D takes
     `d_steps` steps every `d_every` iterations on real windows against fresh samples.
At the start of stage 3 the MLE generator is kept (G_mle), so the two can always be compared.
Players: G and D; kept networks: G_mle and G_rollout.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.games.seqgan.rollout import rollout_rewards, update_rollout
from gankit.games.stats import game_stats
from gankit.losses.adversarial import Objective
from gankit.losses.sequence import mle_loss, policy_gradient_loss, reward_function
from gankit.training.callbacks import Callback
from gankit.training.numerics import optimizer_step, unscaled_grad_norm
from gankit.training.phase import Phase, Stats
from gankit.training.state import TrainState


@dataclass(frozen=True)
class SeqOptions:
    """The stages' lengths and the adversarial step's knobs."""

    pretrain_g: int = 1000
    pretrain_d: int = 200
    rollouts: int = 16
    rollout_rate: float = 0.8
    pg_batch: int = 32
    d_steps: int = 3
    d_every: int = 1
    clip: float = 0.0  # the critic's weight clipping (WGAN), 0 = off
    grad_clip: float = 5.0  # G's gradient norm clip, as in Yu et al.'s code
    lr_pg: float | None = None  # G's learning rate in the adversarial stage (None: as in MLE)
    baseline: bool = False  # subtract each step's mean reward over the batch (variance reduction; Williams 1992)

    @property
    def adversarial_from(self) -> int:
        """The first iteration of the adversarial stage."""
        return self.pretrain_g + self.pretrain_d


class SeqGame:
    """The SeqGAN game on a TrainState with players G (TokenGenerator) and D (TokenDiscriminator)."""

    def __init__(self, state: TrainState, objective: Objective, options: SeqOptions, length: int) -> None:
        self.state, self.obj, self.o, self.length = state, objective, options, length
        self.G, self.D = state.players["G"], state.players["D"]
        self.reward = reward_function(objective.name)

    # -- the stages --------------------------------------------------------------------------
    def stage(self) -> str:
        """'mle', 'pretrain_d' or 'adversarial' for the current iteration."""
        step = self.state.step
        if step < self.o.pretrain_g:
            return "mle"
        return "pretrain_d" if step < self.o.adversarial_from else "adversarial"

    def enter_stage(self, log: bool) -> Stats:
        """After MLE, G_mle and G_rollout become copies of G; when the adversarial stage starts, G takes lr_pg."""
        if self.state.step == self.o.pretrain_g:
            for name in ("G_mle", "G_rollout"):
                self.state.kept[name].load_state_dict(self.G.net.state_dict())
        if self.state.step == self.o.adversarial_from and self.o.lr_pg is not None:
            for group in self.G.opt.param_groups:  # saved with the optimiser, so a resumed run keeps it
                group["lr"] = self.o.lr_pg
        return {}

    def _fake(self, n: int) -> torch.Tensor:
        """n fresh sequences from G (in eval mode: no dropout), drawn from the run's own sampling stream."""
        self.G.net.eval()
        try:
            return self.G.net.sample(n, self.length, self.state.z_gen)
        finally:
            self.G.net.train()

    def _g_update(self, loss: torch.Tensor, log: bool) -> Stats:
        self.G.opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.G.net.parameters(), self.o.grad_clip) if self.o.grad_clip else None
        out: Stats = {}
        if log:
            out["grad_norm_g"] = norm if norm is not None else unscaled_grad_norm(self.G.net, self.G.opt, None)
        optimizer_step(self.G.opt, None)
        return out

    # -- the phases ----------------------------------------------------------------------------
    def mle_step(self, log: bool) -> Stats:
        """Teacher-forced maximum likelihood on a batch of real windows (stage 1 only)."""
        if self.stage() != "mle":
            return {}
        real, _ = self.state.batches.next()
        loss = mle_loss(self.G.trained(real), real)
        return {"nll": loss.detach(), **self._g_update(loss, log)}

    def d_step(self, log: bool) -> Stats:
        """D's steps on real windows against G's samples (stage 2, and stage 3 every d_every iterations)."""
        stage, step = self.stage(), self.state.step
        if stage == "mle":
            return {}
        if stage == "adversarial" and (step - self.o.adversarial_from) % self.o.d_every:
            return {}
        out: Stats = {}
        for _ in range(1 if stage == "pretrain_d" else self.o.d_steps):
            real, _ = self.state.batches.next()
            fake = self._fake(len(real))
            real_logits, fake_logits = self.D.trained(real).float(), self.D.trained(fake).float()
            loss = self.obj.d(real_logits, fake_logits)
            self.D.opt.zero_grad(set_to_none=True)
            loss.backward()
            if log:
                out["grad_norm_d"] = unscaled_grad_norm(self.D.net, self.D.opt, None)
            optimizer_step(self.D.opt, None)
            if self.o.clip > 0:
                with torch.no_grad():
                    for p in self.D.net.parameters():
                        p.clamp_(-self.o.clip, self.o.clip)
            out.update({"loss_d": loss.detach(), **game_stats(real_logits, fake_logits, self.obj)})
        return out

    def pg_step(self, log: bool) -> Stats:
        """G's policy-gradient step on rollout rewards, then the rollout policy's move toward G (stage 3)."""
        if self.stage() != "adversarial":
            return {}
        tokens = self._fake(self.o.pg_batch)
        q = rollout_rewards(tokens, self.state.kept["G_rollout"], self.D.net, self.o.rollouts, self.reward,
                            self.state.z_gen)
        reward = q[:, -1].mean()
        if self.o.baseline:
            q = q - q.mean(0, keepdim=True)
        self.G.trained.eval()  # the gradient of the policy that drew the tokens: no dropout
        try:
            loss = policy_gradient_loss(self.G.trained(tokens), tokens, q)
        finally:
            self.G.trained.train()
        out = {"loss_g": loss.detach(), "reward": reward, **self._g_update(loss, log)}
        update_rollout(self.state.kept["G_rollout"], self.G.net, self.o.rollout_rate)
        return out

    def schedule(self) -> list[Phase]:
        """Stage changes, MLE (stage 1), G's policy gradient (stage 3), then D (stages 2 and 3)."""
        return [Phase("stage", self.enter_stage), Phase("MLE", self.mle_step), Phase("PG", self.pg_step), Phase("D", self.d_step)]

    def callbacks(self) -> list[Callback]:
        """None of its own."""
        return []
