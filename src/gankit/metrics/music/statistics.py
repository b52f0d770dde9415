"""Musical statistics of note arrays, and how far the generated ones lie from the reference ones.

Each piece is a note array (gankit.utils.pitch: int64 (n, 3) of pitch, onset, duration in grid steps); its
length L in steps is given, or the end of its last note rounded up to whole bars (B = ceil(L / steps_per_bar)
bars, a partial last bar counting as one). Features, in the spirit of Yang & Lerch (2020, "On the evaluation
of generative models in music"), with the per-piece ones of Mogren (2016, C-RNN-GAN) and Dong et al. (2018,
MuseGAN):

pooled over all pieces (histograms; distance = Jensen–Shannon distance, base 2, of the normalised histograms):
- pitch_class[c] = Σ_notes duration · [pitch mod 12 = c], 12 bins;
- note_length[d−1] = #notes of duration d steps, d = 1..4·steps_per_bar (longer clipped into the last bin,
  shorter than 1 into the first);
- polyphony[k] = #time steps t ∈ [0, L) of a piece at which exactly k notes sound (onset ≤ t < onset +
  duration), k = 0..max(8, observed);

per piece (samples; distance = two-sample Kolmogorov–Smirnov statistic, scipy.stats.ks_2samp):
- pitch_range = max pitch − min pitch (0 for a piece with no notes) — Mogren's "tone span";
- scale_consistency = #notes whose pitch class is in the scale of the piece's Krumhansl–Schmuckler key
  (gankit.utils.pitch.estimate_key) / #notes, 0 for a piece with no notes — after Mogren's measure, which
  takes the best-fitting scale instead;
- empty_bars = #bars in which no note sounds / B (1 for a piece of no bars) — MuseGAN's EB.

Both distances lie in [0, 1], 0 for identical statistics. A histogram that is all zeros (no notes at all)
cannot be compared and counts as the maximal distance 1, and so does an empty set of pieces in KS.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp

from gankit.metrics.base import MetricError
from gankit.utils.pitch import DURATION, ONSET, PITCH, estimate_key, pitch_class_histogram, scale_pitch_classes

MIN_POLYPHONY_BINS = 9  # 0..8 notes at once
HISTOGRAMS = ("pitch_class", "note_length", "polyphony")
SAMPLES = ("pitch_range", "scale_consistency", "empty_bars")


@dataclass
class MusicStats:
    """Pooled histograms (unnormalised counts) and per-piece values of a set of pieces (see the module docstring).

    pitch_class (12,), note_length (4·steps_per_bar,) with bin d−1 for duration d, polyphony (≥ 9,) with bin k
    for k notes sounding; pitch_range, scale_consistency, empty_bars, n_notes, duration_sum and lengths (S,)
    for the S pieces.
    """

    steps_per_bar: int
    pitch_class: np.ndarray
    note_length: np.ndarray
    polyphony: np.ndarray
    pitch_range: np.ndarray
    scale_consistency: np.ndarray
    empty_bars: np.ndarray
    n_notes: np.ndarray
    duration_sum: np.ndarray
    lengths: np.ndarray

    def summary(self) -> dict[str, float]:
        """Scalars for a card: means of pitch range (semitones), scale consistency, empty-bar share, polyphony
        (notes per step, over the steps where any note sounds) and note length (steps); 0 where there is nothing."""
        sounding = self.polyphony[1:]
        notes = int(self.n_notes.sum())
        return {
            "mean_pitch_range": _mean(self.pitch_range),
            "mean_scale_consistency": _mean(self.scale_consistency),
            "mean_empty_bars": _mean(self.empty_bars),
            "mean_polyphony": float(np.arange(1, len(self.polyphony)) @ sounding / sounding.sum()) if sounding.sum() else 0.0,
            "mean_note_length": float(self.duration_sum.sum() / notes) if notes else 0.0,
            "sequences": float(len(self.lengths)),
            "notes": float(notes),
        }


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else 0.0


def _notes(notes: np.ndarray) -> np.ndarray:
    a = np.asarray(notes, dtype=np.int64)
    if a.size and (a.ndim != 2 or a.shape[1] != 3):
        raise MetricError(f"a piece is a note array of shape (n, 3) (pitch, onset, duration), got shape {a.shape}")
    return a.reshape(-1, 3)


def piece_length(notes: np.ndarray, steps_per_bar: int) -> int:
    """The end of the last note rounded up to whole bars, in steps (0 for a piece with no notes)."""
    notes = _notes(notes)
    if not len(notes):
        return 0
    end = int((notes[:, ONSET] + notes[:, DURATION]).max())
    return max(0, math.ceil(end / steps_per_bar) * steps_per_bar)


def sounding_counts(notes: np.ndarray, length: int) -> np.ndarray:
    """(length,) the number of notes sounding at each step t (onset ≤ t < onset + duration)."""
    notes = _notes(notes)
    delta = np.zeros(length + 1, dtype=np.int64)
    start = notes[:, ONSET].clip(0, length)
    end = (notes[:, ONSET] + notes[:, DURATION]).clip(0, length)
    keep = end > start
    np.add.at(delta, start[keep], 1)
    np.add.at(delta, end[keep], -1)
    return np.cumsum(delta[:length])


def scale_consistency(notes: np.ndarray) -> float:
    """Share of the notes whose pitch class is in the scale of the piece's estimated key (0 with no notes)."""
    notes = _notes(notes)
    if not len(notes):
        return 0.0
    scale = np.array(sorted(scale_pitch_classes(estimate_key(notes))))
    return float(np.isin(notes[:, PITCH] % 12, scale).mean())


def empty_bar_share(counts: np.ndarray, steps_per_bar: int) -> float:
    """Share of the bars (partial last bar included) in which no note sounds, from sounding_counts (1 with no bars)."""
    bars = math.ceil(len(counts) / steps_per_bar)
    if bars == 0:
        return 1.0
    padded = np.zeros(bars * steps_per_bar, dtype=np.int64)
    padded[: len(counts)] = counts
    return float((padded.reshape(bars, steps_per_bar).max(axis=1) == 0).mean())


def _add(total: np.ndarray, part: np.ndarray) -> np.ndarray:
    """The sum of two histograms, the shorter padded with zeros."""
    size = max(len(total), len(part))
    return np.pad(total, (0, size - len(total))) + np.pad(part, (0, size - len(part)))


def music_statistics(pieces: Sequence[np.ndarray], steps_per_bar: int,
                     lengths: Sequence[int] | int | None = None) -> MusicStats:
    """The pooled histograms and per-piece values of a list of note arrays (lengths in steps: given, or inferred)."""
    if steps_per_bar < 1:
        raise MetricError(f"steps_per_bar must be at least 1, got {steps_per_bar}")
    pieces = [_notes(p) for p in pieces]
    if lengths is None:
        lengths = [piece_length(p, steps_per_bar) for p in pieces]
    elif isinstance(lengths, int | np.integer):
        lengths = [int(lengths)] * len(pieces)
    if len(lengths) != len(pieces):
        raise MetricError(f"got {len(lengths)} lengths for {len(pieces)} pieces")
    max_len = 4 * steps_per_bar
    pc, nl, poly = np.zeros(12), np.zeros(max_len), np.zeros(MIN_POLYPHONY_BINS)
    ranges, consistency, empty = [], [], []
    for notes, length in zip(pieces, lengths):
        counts = sounding_counts(notes, int(length))
        pc += pitch_class_histogram(notes)
        nl += np.bincount(notes[:, DURATION].clip(1, max_len) - 1, minlength=max_len)
        poly = _add(poly, np.bincount(counts, minlength=MIN_POLYPHONY_BINS).astype(np.float64))
        ranges.append(int(np.ptp(notes[:, PITCH])) if len(notes) else 0)
        consistency.append(scale_consistency(notes))
        empty.append(empty_bar_share(counts, steps_per_bar))
    return MusicStats(
        steps_per_bar=steps_per_bar, pitch_class=pc, note_length=nl, polyphony=poly,
        pitch_range=np.array(ranges, dtype=np.float64), scale_consistency=np.array(consistency, dtype=np.float64),
        empty_bars=np.array(empty, dtype=np.float64), n_notes=np.array([len(p) for p in pieces], dtype=np.int64),
        duration_sum=np.array([p[:, DURATION].sum() for p in pieces], dtype=np.int64),
        lengths=np.array(lengths, dtype=np.int64),
    )


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen–Shannon distance (base 2, in [0, 1]) of two histograms after normalising; 1 if either is all zeros."""
    size = max(len(p), len(q))
    p, q = np.pad(np.asarray(p, float), (0, size - len(p))), np.pad(np.asarray(q, float), (0, size - len(q)))
    if p.sum() <= 0 or q.sum() <= 0:
        return 1.0
    d = float(jensenshannon(p / p.sum(), q / q.sum(), base=2))
    return float(np.clip(d, 0.0, 1.0)) if math.isfinite(d) else 1.0


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov statistic sup_x |F_a(x) − F_b(x)| in [0, 1]; 1 if either sample is empty."""
    if len(a) == 0 or len(b) == 0:
        return 1.0
    return float(ks_2samp(a, b).statistic)


def statistics_distance(gen: MusicStats, ref: MusicStats) -> dict[str, float]:
    """JS distances of the three histograms, KS statistics of the three per-piece values, and "summary" = their
    plain mean; all in [0, 1], lower is closer to the reference."""
    if gen.steps_per_bar != ref.steps_per_bar:
        raise MetricError(f"the two sets of statistics use different grids: {gen.steps_per_bar} and "
                          f"{ref.steps_per_bar} steps per bar")
    out = {name: js_distance(getattr(gen, name), getattr(ref, name)) for name in HISTOGRAMS}
    out.update({name: ks_distance(getattr(gen, name), getattr(ref, name)) for name in SAMPLES})
    out["summary"] = float(np.mean([out[name] for name in HISTOGRAMS + SAMPLES]))
    return out
