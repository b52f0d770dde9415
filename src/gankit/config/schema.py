"""The typed configuration: nested dataclasses, validated on construction with messages that teach."""

from __future__ import annotations

import functools
import math
import textwrap
import types
import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

from gankit.data.music import MusicOptions, music_options
from gankit.data.registry import dataset_captioned, dataset_kind, dataset_names
from gankit.errors import ConfigError, DataError
from gankit.losses.adversarial import objective_names
from gankit.metrics.registry import SELECTABLE
from gankit.models.conditioning import D_MODES, G_MODES
from gankit.models.registry import model_names
from gankit.sampling.jacobian import check_jacobian_reject
from gankit.sampling.mixture import check_mixture
from gankit.sampling.rejection import check_reject_fraction, check_scorable


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ConfigError(msg)


def _choice(key: str, value: Any, valid: list[str] | tuple[str, ...]) -> None:
    _check(value in valid, f"{key}={value!r} is not valid;\nchoose one of: {', '.join(valid)}")


@dataclass
class DataConfig:
    """Which dataset to train on and how to shape it.

    upscale: allow folder images smaller than `size` (else they are refused by name); xflip: also
    train on mirror images (doubles the epoch, as StyleGAN2's --mirror); cache: keep a decoded
    copy of an image folder on disk ($GANKIT_CACHE or ~/.cache/gankit) so the next load is fast.
    """

    name: str = "ring8"
    path: str | None = None
    size: int | None = None
    channels: int | None = None
    n: int | None = None
    download: bool = False
    split: str = "train"
    upscale: bool = False
    xflip: bool = False
    cache: bool = True
    domains: list[str] | None = None

    def __post_init__(self) -> None:
        # wrapped: the list of every dataset no longer fits on one line of its own
        _check(self.name in dataset_names(), textwrap.fill(f"data.name={self.name!r} is not a dataset gankit knows; "
                                                           f"choose one of: {', '.join(dataset_names())}", width=150))
        _choice("data.split", self.split, ("train", "val", "test", "heldout"))
        _check(self.size is None or self.size >= 4, f"data.size must be ≥ 4 pixels, got {self.size}")
        _check(self.channels in (None, 1, 3), f"data.channels must be 1 (gray) or 3 (RGB), got {self.channels}")
        _check(self.n is None or self.n > 0, f"data.n must be positive, got {self.n}")


@dataclass
class ModelConfig:
    """The generator/discriminator family and its sizes.

    cond_g / cond_d make the game class-conditional (see gankit.models.conditioning):
    cond_g: none | concat | embed | cbn;  cond_d: none | concat | embed | projection | acgan | projection_acgan;
    embed_dim is the size of G's learned class embedding (and of D's for the MLP).
    """

    arch: str = "mlp"
    z_dim: int = 64
    g_width: int = 128
    d_width: int = 128
    g_depth: int = 3
    d_depth: int = 3
    spectral_norm: bool = False
    minibatch_std: bool = False
    pack: int = 1
    cond_g: str = "none"
    cond_d: str = "none"
    embed_dim: int = 32

    def __post_init__(self) -> None:
        _choice("model.arch", self.arch, model_names())
        _choice("model.cond_g", self.cond_g, G_MODES)
        _choice("model.cond_d", self.cond_d, D_MODES)
        for key in ("z_dim", "g_width", "d_width", "g_depth", "d_depth", "pack", "embed_dim"):
            _check(getattr(self, key) >= 1, f"model.{key} must be ≥ 1, got {getattr(self, key)}")
        if (self.cond_g == "none") != (self.cond_d == "none"):
            raise ConfigError(f"model.cond_g={self.cond_g} but model.cond_d={self.cond_d}: in a conditional game both "
                              "players take the class.\nSet both (e.g. cond_g=cbn, cond_d=projection) or both to none")
        if self.conditional and self.pack > 1:
            raise ConfigError(f"model.pack={self.pack} packs several samples into one D input, which then has no "
                              "single class; PacGAN packing works with unconditional models only (model.pack=1)")
        if self.cond_g == "cbn" and self.arch == "mlp":
            raise ConfigError("model.cond_g=cbn (conditional batch norm) needs a generator with batch norm "
                              "(model.arch=dcgan); the MLP generator takes cond_g=concat or embed")

    @property
    def conditional(self) -> bool:
        """Whether G and D take a class descriptor."""
        return self.cond_g != "none"


@dataclass
class LossConfig:
    """The adversarial objective and D's regularisers (formulas in gankit.losses).

    Weights: r1, r2 and roth are γ (the penalty enters as γ/2·E‖∇D‖², Mescheder et al. 2018);
    gp is λ of WGAN-GP (None: 10 for wgan-gp, else off); clip is WGAN's weight clip c
    (None: 0.01 for wgan, else off). reg_every > 1 makes the penalties lazy (Karras et al. 2020).
    aux_weight weighs AC-GAN's auxiliary class loss (model.cond_d=acgan or projection_acgan; Odena et al. 2017, eq. 2-3);
    aux_fake_in_d=false trains D's classifier on real images only, so that D cannot learn to read a code
    G invents instead of the class (the paper's D fits the class of fakes too). aux_weight_d, when set,
    weighs D's side of the class loss apart from G's; aux_confidence < 1 stops G's class loss on a sample
    once D's classifier gives it the asked class with that probability (1: never stops, as in the paper).
    pl is the weight of StyleGAN2's path-length regulariser of G (Karras et al. 2020, §3.2; 2 in the
    paper), applied lazily every pl_every steps on batch_size / pl_batch_shrink fakes, with a
    running mean of decay pl_decay; it needs model.arch=stylegan2.
    """

    objective: str = "nonsaturating"
    r1: float = 0.0
    r2: float = 0.0
    roth: float = 0.0
    gp: float | None = None
    gp_mode: str = "two-sided"
    gp_center: float = 1.0
    clip: float | None = None
    reg_every: int = 1
    aux_weight: float = 1.0
    aux_fake_in_d: bool = True
    aux_weight_d: float | None = None
    aux_confidence: float = 1.0
    pl: float = 0.0
    pl_every: int = 4
    pl_decay: float = 0.01
    pl_batch_shrink: int = 2

    def __post_init__(self) -> None:
        _choice("loss.objective", self.objective, objective_names())
        _choice("loss.gp_mode", self.gp_mode, ("two-sided", "one-sided"))
        for key in ("r1", "r2", "roth", "gp", "clip"):
            v = getattr(self, key)
            _check(v is None or v >= 0, f"loss.{key} is a penalty weight and must be ≥ 0, got {v}")
        _check(self.gp_center > 0, f"loss.gp_center must be > 0, got {self.gp_center}")
        _check(self.reg_every >= 1, f"loss.reg_every must be ≥ 1 (1 = every D step), got {self.reg_every}")
        _check(self.aux_weight >= 0, f"loss.aux_weight (AC-GAN's class loss) must be ≥ 0, got {self.aux_weight}")
        _check(self.aux_weight_d is None or self.aux_weight_d >= 0,
               f"loss.aux_weight_d (D's class loss) must be ≥ 0, got {self.aux_weight_d}")
        _check(0 < self.aux_confidence <= 1, f"loss.aux_confidence must be in (0, 1], got {self.aux_confidence}")
        _check(self.pl >= 0, f"loss.pl is a penalty weight and must be ≥ 0, got {self.pl}")
        _check(self.pl_every >= 1, f"loss.pl_every must be ≥ 1, got {self.pl_every}")
        _check(0 < self.pl_decay <= 1, f"loss.pl_decay must be in (0, 1], got {self.pl_decay}")
        _check(self.pl_batch_shrink >= 1, f"loss.pl_batch_shrink must be ≥ 1, got {self.pl_batch_shrink}")
        if self.clip_value > 0 and self.gp_weight > 0:
            raise ConfigError(
                "weight clipping (loss.clip) and a gradient penalty (loss.gp) cannot be combined: clipping caps the "
                "norm the penalty steers to 1 (Gulrajani et al. 2017, §3).\nUse loss.objective=wgan or wgan-gp"
            )
        if self.roth > 0 and self.objective not in ("minimax", "nonsaturating"):
            raise ConfigError(
                f"loss.roth is Roth et al. 2017's regulariser for the original (Jensen-Shannon) game; it does not "
                f"apply to loss.objective={self.objective}. Use loss.r1 or loss.gp instead."
            )

    @property
    def gp_weight(self) -> float:
        """λ of the gradient penalty after defaults (10 for wgan-gp)."""
        return (10.0 if self.objective == "wgan-gp" else 0.0) if self.gp is None else self.gp

    @property
    def clip_value(self) -> float:
        """WGAN's weight-clip bound after defaults (0.01 for wgan; 0 = no clipping)."""
        return (0.01 if self.objective == "wgan" else 0.0) if self.clip is None else self.clip

    @property
    def any_penalty(self) -> bool:
        """Whether any gradient penalty is on."""
        return self.r1 > 0 or self.r2 > 0 or self.roth > 0 or self.gp_weight > 0


@dataclass
class AugmentConfig:
    """Changing what D sees, real and fake alike.

    kind: none | diffaugment (Zhao et al. 2020, `policy`) | ada (Karras et al. 2020: p adapted so
    that r_t = E[sign D(x_real)] stays near `ada_target`; p starts at `p`); images only.
    instance_noise = σ₀ adds N(0, σ²) to every sample D sees, any data (Arjovsky & Bottou 2017;
    Sønderby et al. 2017), with σ falling linearly from σ₀ to 0 at `instance_noise_until` × train.steps
    (gankit.augment.instance_noise); 0 = off.
    """

    kind: str = "none"
    policy: str = "color,translation,cutout"
    p: float = 0.0
    ada_target: float = 0.6
    ada_speed_kimg: float = 500.0
    ada_interval: int = 4
    instance_noise: float = 0.0
    instance_noise_until: float = 1.0

    def __post_init__(self) -> None:
        _choice("augment.kind", self.kind, ("none", "diffaugment", "ada"))
        _check(0 <= self.p <= 1, f"augment.p must be in [0, 1], got {self.p}")
        _check(0 < self.ada_target < 1, f"augment.ada_target must be in (0, 1), got {self.ada_target}")
        _check(self.ada_speed_kimg > 0, f"augment.ada_speed_kimg must be > 0, got {self.ada_speed_kimg}")
        _check(self.ada_interval >= 1, f"augment.ada_interval must be ≥ 1, got {self.ada_interval}")
        _check(math.isfinite(self.instance_noise) and self.instance_noise >= 0,
               f"augment.instance_noise (σ₀ of the noise added to what D sees, in model space; 0 = off) must be a "
               f"finite number ≥ 0, got {self.instance_noise}")
        _check(0 < self.instance_noise_until <= 1,
               f"augment.instance_noise_until (fraction of train.steps at which the noise reaches 0) must be in "
               f"(0, 1], got {self.instance_noise_until}")


@dataclass
class BalanceConfig:
    """The automatic balancer: keeps D's accuracy inside [acc_low, acc_high] by turning one knob.

    mode: off | d_steps (D updates per G update, from 1/4 to max_d_steps) | lr (D's learning rate,
    within ×/÷ max_lr_factor of its start) | augment (the probability p of ADA's pipeline, which then
    replaces ADA's own r_t rule; needs augment.kind=ada).
    """

    mode: str = "off"
    acc_low: float = 0.55
    acc_high: float = 0.8
    every: int = 100
    factor: float = 1.5
    max_d_steps: int = 5
    max_lr_factor: float = 100.0
    p_step: float = 0.05

    def __post_init__(self) -> None:
        _choice("balance.mode", self.mode, ("off", "d_steps", "lr", "augment"))
        _check(0.5 <= self.acc_low < self.acc_high <= 1,
               f"balance needs 0.5 ≤ acc_low < acc_high ≤ 1, got [{self.acc_low}, {self.acc_high}]")
        _check(self.every >= 1, f"balance.every must be ≥ 1, got {self.every}")
        _check(self.factor > 1, f"balance.factor must be > 1, got {self.factor}")
        _check(self.max_d_steps >= 1, f"balance.max_d_steps must be ≥ 1, got {self.max_d_steps}")
        _check(self.max_lr_factor >= 1, f"balance.max_lr_factor must be ≥ 1, got {self.max_lr_factor}")
        _check(0 < self.p_step <= 1, f"balance.p_step must be in (0, 1], got {self.p_step}")


COMPILE_MODES = ("default", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


@dataclass
class TrainConfig:
    """The schedule and optimisers of the game.

    precision: fp32 | bf16 (autocast; CPU or CUDA) | fp16 (CUDA only, with a loss scaler per player) | auto (bf16
    where this device runs it faster, else fp32: measured on CPUs, whose bf16 speed differs tenfold; the run's
    config.json records the choice, so a resumed run keeps it).
    channels_last: NHWC weights for the image networks (the adversarial and text-to-image games; faster
    convolutions with oneDNN on CPUs and tensor cores on GPUs).
    style_mixing: probability of mixing two latents per batch (StyleGAN2 models; Karras et al. 2019 §3.1).
    compile: torch.compile both networks (costs seconds up front; pays off on GPUs). compile_mode: torch.compile's
    mode: default | reduce-overhead (CUDA graphs of the compiled passes) | max-autotune-no-cudagraphs | max-autotune.
    allow_world_change: resume a run under a different number of torchrun processes (new noise streams).
    """

    steps: int = 2000
    batch_size: int = 256
    lr_g: float = 1e-4
    lr_d: float = 1e-4
    beta1: float = 0.5
    beta2: float = 0.999
    d_steps: int = 1
    ema_decay: float = 0.999
    ema_start: int = 0
    ema_rampup: float = 0.05  # the EMA's half-life is at most this fraction of the steps so far (0 = off)
    precision: str = "fp32"
    channels_last: bool = False
    reuse_fake: bool = True
    budget_minutes: float | None = None
    unroll_steps: int = 0
    unroll_lr: float = 0.05
    lr_schedule: str = "constant"
    decay_start: float = 0.5
    lr_end: float = 0.01
    style_mixing: float = 0.0
    compile: bool = False
    compile_mode: str = "default"
    allow_world_change: bool = False

    def __post_init__(self) -> None:
        _check(self.budget_minutes is None or self.budget_minutes > 0,
               f"train.budget_minutes must be > 0 (or null for no limit), got {self.budget_minutes}")
        _check(self.steps >= 0, f"train.steps must be ≥ 0, got {self.steps}")
        _check(self.batch_size >= 1, f"train.batch_size must be ≥ 1, got {self.batch_size}")
        for key in ("lr_g", "lr_d"):
            _check(getattr(self, key) > 0, f"train.{key} must be > 0, got {getattr(self, key)}")
        for key in ("beta1", "beta2"):
            _check(0 <= getattr(self, key) < 1, f"train.{key} must be in [0, 1), got {getattr(self, key)}")
        _check(self.d_steps >= 1, f"train.d_steps (D updates per G update) must be ≥ 1, got {self.d_steps}")
        _check(0 <= self.ema_decay < 1, f"train.ema_decay must be in [0, 1) (0 turns EMA off), got {self.ema_decay}")
        _check(self.ema_start >= 0, f"train.ema_start must be ≥ 0, got {self.ema_start}")
        _check(0 <= self.ema_rampup <= 1, f"train.ema_rampup (the EMA half-life as a fraction of the steps so far) must be "
                                          f"in [0, 1] (0 = off), got {self.ema_rampup}")
        _choice("train.precision", self.precision, ("auto", "fp32", "bf16", "fp16"))
        _choice("train.compile_mode", self.compile_mode, COMPILE_MODES)
        _check(0 <= self.style_mixing <= 1, f"train.style_mixing (a probability) must be in [0, 1], got {self.style_mixing}")
        _check(self.unroll_steps >= 0, f"train.unroll_steps must be ≥ 0 (0 = off), got {self.unroll_steps}")
        _check(self.unroll_lr > 0, f"train.unroll_lr must be > 0, got {self.unroll_lr}")
        _choice("train.lr_schedule", self.lr_schedule, ("constant", "linear", "cosine"))
        _check(0 <= self.decay_start < 1, f"train.decay_start (fraction of steps) must be in [0, 1), got {self.decay_start}")
        _check(0 <= self.lr_end <= 1, f"train.lr_end (final lr multiplier) must be in [0, 1], got {self.lr_end}")

    @property
    def compile_as(self) -> str | None:
        """torch.compile's mode when train.compile is on, else None (eager)."""
        return self.compile_mode if self.compile else None


@dataclass
class TranslationConfig:
    """Image-to-image translation: the networks and weights of game=cyclegan (Zhu et al. 2017) and game=pix2pix
    (Isola et al. 2017). The model section does not apply to these games.

    generator: resnet (residual blocks, instance norm, reflection padding) | unet (skips between mirrored layers);
    blocks: residual blocks of the resnet generator (6 or 9 in the paper); g_width/d_width: channels of the first
    layer; d_layers: stride-2 layers of the PatchGAN D (3 = the 70×70 patches; null = chosen from the image size);
    cycle: λ of the cycle loss; identity: weight of the identity loss as a multiple of λ (0.5·λ in the paper; 0 = off);
    l1: λ of pix2pix's L1 term; pool: generated images each D is shown again from its history (0 = off).
    """

    generator: str = "resnet"
    blocks: int = 9
    g_width: int = 64
    d_width: int = 64
    d_layers: int | None = None
    dropout: bool = True
    cycle: float = 10.0
    identity: float = 0.5
    l1: float = 100.0
    pool: int = 50

    def __post_init__(self) -> None:
        _choice("translation.generator", self.generator, ("resnet", "unet"))
        _check(self.blocks >= 1, f"translation.blocks (residual blocks) must be ≥ 1, got {self.blocks}")
        for key in ("g_width", "d_width"):
            _check(getattr(self, key) >= 1, f"translation.{key} must be ≥ 1, got {getattr(self, key)}")
        _check(self.d_layers is None or 1 <= self.d_layers <= 6,
               f"translation.d_layers must be in 1..6 (3 = 70×70 patches) or null, got {self.d_layers}")
        for key in ("cycle", "identity", "l1"):
            _check(getattr(self, key) >= 0, f"translation.{key} must be ≥ 0, got {getattr(self, key)}")
        _check(self.pool >= 0, f"translation.pool (images kept per D) must be ≥ 0 (0 = off), got {self.pool}")


@dataclass
class MusicConfig:
    """Music as token sequences, and the SeqGAN game (Yu et al. 2017) that learns it (game=seqgan; Lee et al. 2017).

    Data: steps_per_quarter: the grid (2 = eighth notes, 4 = sixteenths); transpose: none | c (every piece to
    C major / A minor by its estimated key) | augment (training pieces in all 12 keys); representation: word
    (the sounding pitches, each marked struck or held: Lee et al.'s musical word) | set (the sounding pitches only);
    window: tokens per sequence; stride: between windows (null = window/2); min_count: rarer words become <unk>;
    max_voices: notes sounding at once beyond this are dropped (and counted); val/test: fractions of pieces held
    out; split_seed: the split's seed (not the run's, so every seed is tested on the same pieces).
    Networks: embed/hidden: G's token embedding and LSTM width; dropout: G's, on the LSTM's input and output while
    it learns by MLE (its samples and policy gradient use none); d_embed, d_scale (Yu et al.'s filter counts × this),
    d_dropout: D's. Game: pretrain_g: MLE iterations; pretrain_d: D's pretraining iterations; then per iteration one
    policy-gradient step on pg_batch sequences with `rollouts` Monte Carlo completions per prefix by a copy of G
    that follows it at rollout_rate, and d_steps D steps every d_every iterations. train.steps counts all three.
    lr_pg: G's learning rate in the adversarial stage (null: train.lr_g, as in MLE);
    baseline: subtract each step's mean reward over the batch from the rewards (variance reduction, Williams 1992;
    Yu et al. use none).
    """

    steps_per_quarter: int = 2
    transpose: str = "c"
    representation: str = "word"
    window: int = 32
    stride: int | None = None
    min_count: int = 2
    max_voices: int = 4
    val: float = 0.1
    test: float = 0.1
    split_seed: int = 0
    embed: int = 64
    hidden: int = 128
    dropout: float = 0.0
    d_embed: int = 64
    d_scale: float = 0.25
    d_dropout: float = 0.25
    pretrain_g: int = 1000
    pretrain_d: int = 200
    rollouts: int = 16
    rollout_rate: float = 0.8
    pg_batch: int = 32
    d_steps: int = 3
    d_every: int = 1
    lr_pg: float | None = None
    baseline: bool = False

    def __post_init__(self) -> None:
        for key in ("embed", "hidden", "d_embed", "rollouts", "pg_batch", "d_every", "pretrain_g"):
            _check(getattr(self, key) >= 1, f"music.{key} must be ≥ 1, got {getattr(self, key)}")
        for key in ("pretrain_d", "d_steps"):
            _check(getattr(self, key) >= 0, f"music.{key} must be ≥ 0, got {getattr(self, key)}")
        _check(self.lr_pg is None or self.lr_pg > 0, f"music.lr_pg must be > 0 or null (= train.lr_g), got {self.lr_pg}")
        _check(self.d_scale > 0, f"music.d_scale (× Yu et al.'s filter counts) must be > 0, got {self.d_scale}")
        for key in ("dropout", "d_dropout"):
            _check(0 <= getattr(self, key) < 1, f"music.{key} must be in [0, 1), got {getattr(self, key)}")
        _check(0 <= self.rollout_rate < 1, f"music.rollout_rate must be in [0, 1) (0.8 in Yu et al.), got {self.rollout_rate}")
        try:  # the data fields are checked where the loaders define them
            music_options(self.data_options())
        except DataError as e:
            raise ConfigError(str(e)) from None

    def data_options(self) -> dict[str, Any]:
        """The fields that shape the data (passed to the music loaders)."""
        return {k: getattr(self, k) for k in MUSIC_DATA_KEYS}


MUSIC_DATA_KEYS = tuple(f.name for f in fields(MusicOptions))  # the data fields are the loaders' own options


@dataclass
class TextConfig:
    """Text-to-image: the caption encoders and the DF-GAN game (game=text2img; Tao et al. 2022, after AttnGAN).

    encoder: damsm (an in-house bi-LSTM trained in stage 1 with AttnGAN's DAMSM losses on the training captions;
    closed vocabulary) | minilm (the pretrained sentence encoder all-MiniLM-L6-v2, frozen; free text).
    max_words: longer captions are cut (with a warning); embed: the in-house encoder's word embedding;
    dim: the image–text space of the encoders (the in-house sentence embedding; R-precision's space).
    pretrain: stage 1's iterations, in which the encoders (and the redescriber) learn from real pairs;
    lr_encoders: their learning rate. Then the game: D on real–matching pairs (real), generated–matching and
    real–mismatching pairs (fake, each weighted `mismatch`), plus MA-GP (weight ma_gp, power ma_gp_p; every
    gp_every-th D step with its weight multiplied by gp_every: lazy regularisation, Karras et al. 2020); G on
    its matching pairs, plus `redescribe` × MirrorGAN's redescription loss (a captioner reads G's images back;
    0 = off). noise: std of Gaussian noise on the sentence embeddings G and D see in training (0 = off).
    retrieve: temperature τ of caption retrieval (0 = off): G conditions on Σ softmax(cos(s, m_i)/τ)·m_i over the
    training captions' embeddings m_i, so a phrasing it never saw draws what its nearest training captions draw
    (KNN-Diffusion, Sheynin et al. 2022); for captions that name a class, not for new compositions.
    layout: G's first layer reads the caption as well as the noise (StackGAN, AttnGAN), not the noise alone (DF-GAN).
    reuse_fakes: G draws once per step: D judges the images detached, then G's step judges the same images against
    the updated D, as DF-GAN's code does (one forward pass of G per step instead of two).
    """

    encoder: str = "damsm"
    max_words: int = 18
    embed: int = 128
    dim: int = 128
    pretrain: int = 500
    lr_encoders: float = 2e-3
    mismatch: float = 0.5
    ma_gp: float = 2.0
    ma_gp_p: float = 6.0
    gp_every: int = 1
    redescribe: float = 0.0
    noise: float = 0.0
    retrieve: float = 0.0
    layout: bool = False
    reuse_fakes: bool = False

    def __post_init__(self) -> None:
        _choice("text.encoder", self.encoder, TEXT_ENCODERS)
        for key in ("max_words", "embed", "dim", "pretrain", "gp_every"):
            _check(getattr(self, key) >= 1, f"text.{key} must be ≥ 1, got {getattr(self, key)}")
        _check(self.lr_encoders > 0, f"text.lr_encoders must be > 0, got {self.lr_encoders}")
        for key in ("mismatch", "ma_gp", "redescribe", "noise", "retrieve"):
            _check(getattr(self, key) >= 0, f"text.{key} must be ≥ 0 (0 = off), got {getattr(self, key)}")
        _check(self.ma_gp_p >= 1, f"text.ma_gp_p (MA-GP's power; 6 in DF-GAN) must be ≥ 1, got {self.ma_gp_p}")


TEXT_ENCODERS = ("damsm", "minilm")


@dataclass
class LogConfig:
    """What a run writes while it trains, and how often (in steps = G updates)."""

    every: int = 50
    sample_every: int = 500
    checkpoint_every: int = 1000
    keep_checkpoints: int = 2
    n_samples: int = 64
    progress: bool = True
    tensorboard: bool = True
    report: str = "md"

    def __post_init__(self) -> None:
        for key in ("every", "sample_every", "checkpoint_every", "keep_checkpoints", "n_samples"):
            _check(getattr(self, key) >= 1, f"log.{key} must be ≥ 1, got {getattr(self, key)}")
        _choice("log.report", self.report, ("md", "html", "none"))


@dataclass
class EvalConfig:
    """Evaluation during training: every `every` steps (0 = off), score `n` samples of the EMA generator
    with `metric` and keep the best checkpoint in checkpoints/best/."""

    every: int = 0
    n: int = 2000
    metric: str = "fid"
    features: str | None = None

    def __post_init__(self) -> None:
        _check(self.every >= 0, f"eval.every must be ≥ 0 (0 = off), got {self.every}")
        _check(self.n >= 10, f"eval.n must be ≥ 10 samples, got {self.n}")
        _choice("eval.metric", self.metric, SELECTABLE)


@dataclass
class SampleConfig:
    """How a trained run draws samples by default (Run.sample, `gankit sample`, `gankit eval`).

    reject = q keeps only the generated samples that the run's final discriminator scores at least
    as real as all but a fraction q of the training data (the threshold is the q-quantile of D's
    scores on real samples, per class for a conditional run); the others are drawn again. A perfect
    generator would lose a fraction q. This is discriminator rejection sampling (Azadi et al. 2019)
    with a hard threshold set by the data, so it needs no density-ratio calibration of D (see
    gankit.rejection). Keep q below the smallest mode's share of the data. 0 samples G(z) as it is.

    mixture = f > 0 samples from a uniform mixture of G's snapshots, kept every `mixture_every`
    steps over the last fraction f of train.steps and at the end, instead of the final G alone (a
    mixed strategy of the game: Grnarova et al. 2018; Ge et al. 2018; see gankit.mixture). Training
    writes the snapshots (weights of the sampling G and of D) to the run's snapshots/ folder.

    jacobian_reject = q turns away the latent points where the generator stretches most: a
    candidate z is kept when ‖∂G(z)/∂z‖_F is at most the (1 − q)-quantile of that norm over a fixed
    reference draw of the latent (per class for a conditional run; Tanielian et al. 2020, see
    gankit.jacobian_rejection). It removes the samples G draws in the gaps between disconnected
    modes, and composes with `reject` (a sample must pass both) and `mixture` (each snapshot uses
    its own G's norms). 0 = off.
    """

    reject: float = 0.0
    mixture: float = 0.0
    mixture_every: int = 250
    jacobian_reject: float = 0.0

    def __post_init__(self) -> None:
        check_reject_fraction(self.reject, "sample.reject")
        check_mixture(self.mixture, self.mixture_every)
        check_jacobian_reject(self.jacobian_reject, "sample.jacobian_reject")


@dataclass
class GuardConfig:
    """When to stop a game that has failed, keeping the last good checkpoint."""

    max_loss: float = 1e4
    d_win_steps: int = 0

    def __post_init__(self) -> None:
        _check(self.max_loss > 0, f"guard.max_loss must be > 0, got {self.max_loss}")
        _check(self.d_win_steps >= 0, f"guard.d_win_steps must be ≥ 0 (0 = off), got {self.d_win_steps}")


@dataclass
class Config:
    """A whole experiment: data, networks, objective, schedule, logging and guards."""

    name: str = "custom"
    description: str = ""
    game: str = "adversarial"
    seed: int = 0
    device: str = "auto"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    balance: BalanceConfig = field(default_factory=BalanceConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    log: LogConfig = field(default_factory=LogConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    translation: TranslationConfig = field(default_factory=TranslationConfig)
    music: MusicConfig = field(default_factory=MusicConfig)
    text: TextConfig = field(default_factory=TextConfig)
    sample: SampleConfig = field(default_factory=SampleConfig)
    guard: GuardConfig = field(default_factory=GuardConfig)

    def __post_init__(self) -> None:
        _check(self.seed >= 0, f"seed must be ≥ 0, got {self.seed}")
        for key, value in _numbers(self):
            _check(math.isfinite(value), f"{key} must be a finite number, got {value!r}")
        dev = self.device.split(":")[0]
        _choice("device", dev, ("auto", "cpu", "cuda", "mps"))
        points = dataset_kind(self.data.name) == "points"
        _check_music_game(self)
        _check_text_game(self)
        if self.model.arch == "dcgan" and points:
            raise ConfigError("model.arch=dcgan needs an image dataset; 2-D points take model.arch=mlp")
        if self.data.xflip and points:
            raise ConfigError("data.xflip mirrors images left-right; 2-D points have no mirror. Use data.xflip=false")
        if self.augment.kind != "none" and points:
            raise ConfigError(f"augment.kind={self.augment.kind} transforms images (colour, translation, flips); "
                              "it has no meaning for 2-D points. Use augment.kind=none.")
        if self.train.batch_size % self.model.pack:
            raise ConfigError(f"model.pack={self.model.pack} packs that many samples per D input, so "
                              f"train.batch_size={self.train.batch_size} must be a multiple of it")
        if self.loss.clip_value > 0 and self.model.spectral_norm:
            raise ConfigError("loss.clip (WGAN weight clipping) and model.spectral_norm both bound D's Lipschitz "
                              "constant; use one of them")
        style = self.model.arch == "stylegan2"
        if self.loss.pl > 0 and not style:
            raise ConfigError(f"loss.pl (path-length regularisation) differentiates images w.r.t. the styles w of a "
                              f"mapping network; model.arch={self.model.arch} has none. Use model.arch=stylegan2")
        if self.train.style_mixing > 0 and not style:
            raise ConfigError(f"train.style_mixing mixes the styles of two latents; model.arch={self.model.arch} "
                              "has no per-layer styles. Use model.arch=stylegan2")
        if style and self.model.spectral_norm:
            raise ConfigError("model.spectral_norm does not apply to StyleGAN2's equalised-lr layers (StyleGAN2 "
                              "regularises D with R1: loss.r1)")
        if self.balance.mode != "off" and self.balance.every < self.log.every:
            raise ConfigError(f"balance.every={self.balance.every} but log.every={self.log.every}: the balancer decides "
                              f"on logged windows;\nset log.every ≤ {self.balance.every}, or balance.every ≥ {self.log.every}")
        if self.balance.mode == "augment" and self.augment.kind != "ada":
            raise ConfigError("balance.mode=augment steers the probability p of ADA's augmentation pipeline "
                              f"(in place of ADA's r_t rule), but augment.kind={self.augment.kind}; set augment.kind=ada")
        check_scorable(self.sample.reject, self.loss.objective, self.model.pack)

    def to_dict(self) -> dict[str, Any]:
        """The config as plain nested dicts (JSON/YAML-ready)."""
        return asdict(self)


def _check_music_game(cfg: Config) -> None:
    """Token sequences (music) and the SeqGAN game go together; SeqGAN needs steps left after its pretraining."""
    tokens = dataset_kind(cfg.data.name) == "tokens"
    if tokens and cfg.game != "seqgan":
        raise ConfigError(f"data.name={cfg.data.name} holds token sequences (music); game={cfg.game} plays on images "
                          "or points.\nUse game=seqgan (e.g. the preset chorales-seqgan)")
    if cfg.game == "seqgan" and not tokens:
        raise ConfigError(f"game=seqgan learns token sequences, but data.name={cfg.data.name} is not one;\n"
                          "use chorales, midi-folder or scales")
    pretrain = cfg.music.pretrain_g + cfg.music.pretrain_d
    if cfg.game == "seqgan" and cfg.train.steps <= pretrain:
        raise ConfigError(f"train.steps={cfg.train.steps} ends within SeqGAN's pretraining (music.pretrain_g + "
                          f"music.pretrain_d = {pretrain});\ngive train.steps above {pretrain} for adversarial steps")


def _check_text_game(cfg: Config) -> None:
    """The text-to-image game needs captioned images and steps left after its encoders' stage."""
    if cfg.game != "text2img":
        return
    if not dataset_captioned(cfg.data.name):
        raise ConfigError(f"game=text2img draws what a caption says, but data.name={cfg.data.name} has no captions;\n"
                          f"use {', '.join(n for n in dataset_names() if dataset_captioned(n))}")
    if cfg.train.steps <= cfg.text.pretrain:
        raise ConfigError(f"train.steps={cfg.train.steps} ends within the encoders' stage (text.pretrain="
                          f"{cfg.text.pretrain});\ngive train.steps above {cfg.text.pretrain} for adversarial steps")


SECTIONS = {f.name: f.type for f in fields(Config)}


def _numbers(cfg: Config) -> list[tuple[str, float]]:
    """Every float value of a config with its dotted key: none may be NaN or infinite."""
    out = []
    for f in fields(Config):
        section = getattr(cfg, f.name)
        if is_dataclass(section):
            out += [(f"{f.name}.{g.name}", getattr(section, g.name)) for g in fields(section)
                    if isinstance(getattr(section, g.name), float)]
    return out


@functools.cache
def field_types(cls: type) -> Mapping[str, Any]:
    """The resolved type of every field of a config section (cached: resolving compiles each annotation)."""
    return types.MappingProxyType(typing.get_type_hints(cls))


def dataclass_of(cls: type, name: str) -> type | None:
    """The dataclass type of field `name` of `cls` (a config section), or None for a plain value."""
    hint = field_types(cls)[name]
    return hint if is_dataclass(hint) else None


def valid_keys() -> list[str]:
    """Every dotted key a config accepts, e.g. 'train.lr_g'."""
    keys: list[str] = []
    for f in fields(Config):
        sub = dataclass_of(Config, f.name)
        if sub is None:
            keys.append(f.name)
        else:
            keys.extend(f"{f.name}.{g.name}" for g in fields(sub))
    return keys
