"""Composer: a SeqGAN run writing music. Token sequences from its generator, as MIDI, piano rolls and WAV.

    composer = Composer(load_run("runs/chorales"))           # the adversarial G; generator="pretrained": G_mle
    written = composer.write("music/", n=3, bars=8, seed=0)  # .mid, .png (piano roll), .wav (FluidSynth)

The WAV needs FluidSynth and a General MIDI soundfont; without them the MIDI files and piano rolls
are still written, and the message says how to install them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from gankit.data.music import decode_tokens
from gankit.errors import AudioUnavailable, ConfigError, GankitWarning
from gankit.run import Run
from gankit.utils.audio import render_wav
from gankit.utils.midi import plot_piano_roll, write_midi

GENERATORS = {"latest": "G", "pretrained": "G_mle"}  # --checkpoint of `gankit music` -> the network


@dataclass
class Written:
    """What `Composer.write` wrote: MIDI files, piano rolls, WAVs (empty when audio is unavailable) and why not."""

    midi: list[Path] = field(default_factory=list)
    rolls: list[Path] = field(default_factory=list)
    wav: list[Path] = field(default_factory=list)
    audio_problem: str | None = None


class Composer:
    """Draws token sequences from a SeqGAN run's generator and writes them as music."""

    def __init__(self, run: Run, generator: str = "latest") -> None:
        if run.kind != "tokens":
            raise ConfigError(f"{run.path} is a {run.config.game} run of {run.kind}; `gankit music` needs a SeqGAN run "
                              "(e.g. the preset chorales-seqgan)")
        if generator not in GENERATORS:
            raise ConfigError(f"generator {generator!r}: choose one of {', '.join(GENERATORS)}")
        pretrain = run.config.music.pretrain_g
        if generator == "pretrained" and run.step < pretrain:
            raise ConfigError(f"{run.path} stopped at step {run.step}, within its {pretrain} MLE steps: there is no "
                              "finished pretrained generator yet;\nuse --checkpoint latest, or train on")
        self.run, self.which = run, generator
        self.G = run.network(GENERATORS[generator])
        info = run.info
        self.vocabulary, self.representation = info["vocabulary"], info["representation"]
        self.steps_per_quarter, self.steps_per_bar = int(info["steps_per_quarter"]), int(info["steps_per_bar"])
        self.window = int(info["shape"][0])

    def sample_ids(self, n: int, length: int | None = None, seed: int = 0, temperature: float = 1.0) -> torch.Tensor:
        """n token sequences (n, length) from the generator (length: the training window by default)."""
        if temperature <= 0:
            raise ConfigError(f"temperature must be > 0 (1 = the generator as trained), got {temperature}")
        g = torch.Generator(self.run.device).manual_seed(int(seed))
        return self.G.sample(n, length or self.window, g, temperature).cpu()

    def compose(self, n: int, bars: int | None = None, seed: int = 0, temperature: float = 1.0) -> list[np.ndarray]:
        """n pieces as note arrays (gankit.utils.pitch format), `bars` bars each (the training window by default)."""
        length = bars * self.steps_per_bar if bars else self.window
        ids = self.sample_ids(n, length, seed, temperature)
        return [decode_tokens(row.tolist(), self.vocabulary, self.representation) for row in ids]

    def write(self, out: str | Path, n: int = 3, bars: int | None = None, seed: int = 0, temperature: float = 1.0,
              audio: bool = True) -> Written:
        """Write n pieces to `out`: piece_XX.mid, piece_XX.png (piano roll) and piece_XX.wav (when FluidSynth is here)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = Written()
        source = "MLE-pretrained G" if self.which == "pretrained" else "adversarial G"
        for i, notes in enumerate(self.compose(n, bars, seed, temperature)):
            stem = out / f"piece_{i + 1:02d}"
            written.midi.append(write_midi(notes, stem.with_suffix(".mid"), self.steps_per_quarter))
            written.rolls.append(plot_piano_roll(notes, stem.with_suffix(".png"), self.steps_per_quarter,
                                                 self.steps_per_bar, title=f"{stem.name}: {source}, seed {seed}"))
            if audio and written.audio_problem is None:
                try:
                    written.wav.append(render_wav(written.midi[-1], stem.with_suffix(".wav")))
                except AudioUnavailable as e:
                    written.audio_problem = str(e)
                    warnings.warn(f"no WAV written: {e}", GankitWarning, stacklevel=2)
        return written
