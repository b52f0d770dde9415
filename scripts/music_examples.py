"""The listenable examples of docs/music/: three chorale pieces by the adversarial G, with piano rolls and spectrograms.

    python scripts/music_examples.py [--run RUN] [--out docs/music] [--bars 8] [--seed 0]

Trains chorales-seqgan into RUN first when RUN holds no run. Writes piece_0k.mid, .png (piano roll)
and .wav (FluidSynth with the General MIDI soundfont, folded to mono at 16 kHz to keep the repository
small), piece_01_spectrum.png, and the MLE-pretrained G's first piece for comparison (mle_piece_01.*).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.io import wavfile

import gankit
from gankit.composer import Composer
from gankit.utils.atomic import atomic_path
from gankit.utils.audio import plot_spectrogram, render_wav

RATE = 16_000


def fold_to_mono(path: Path) -> None:
    """Rewrite a stereo WAV as 16-bit mono (the mean of both channels)."""
    rate, x = wavfile.read(path)
    if x.ndim == 2:
        x = x.astype(np.float64).mean(1).round().astype(np.int16)
    with atomic_path(path) as tmp:
        wavfile.write(tmp, rate, x)


def write_examples(run_path: Path, out: Path, bars: int, seed: int) -> None:
    """Three pieces by the adversarial G and one by the MLE G, each as MIDI, piano roll, WAV and spectrogram."""
    run = gankit.load_run(run_path)
    for which, prefix, n in (("latest", "", 3), ("pretrained", "mle_", 1)):
        written = Composer(run, which).write(out / "tmp", n=n, bars=bars, seed=seed, audio=False)
        for mid, roll in zip(written.midi, written.rolls):
            stem = out / f"{prefix}{mid.stem}"
            mid.replace(stem.with_suffix(".mid"))
            roll.replace(stem.with_suffix(".png"))
            wav = _render(stem.with_suffix(".mid"), stem.with_suffix(".wav"))
            if stem.name == "piece_01":  # one spectrogram shows what the WAVs hold; more would only weigh the repository
                plot_spectrogram(wav, out / f"{stem.name}_spectrum.png", title=f"{stem.name}: spectrogram")
            print(f"wrote {stem}.mid/.png/.wav")
    (out / "tmp").rmdir()


def _render(mid: Path, wav: Path) -> Path:
    render_wav(mid, wav, sample_rate=RATE)
    fold_to_mono(wav)
    return wav


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=Path("bench/out/chorales-seqgan/seed0"))
    ap.add_argument("--out", type=Path, default=Path("docs/music"))
    ap.add_argument("--bars", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if not (args.run / "config.json").is_file():
        gankit.train("chorales-seqgan", out=args.run, overrides=["log.progress=false"])
    args.out.mkdir(parents=True, exist_ok=True)
    write_examples(args.run, args.out, args.bars, args.seed)


if __name__ == "__main__":
    main()
