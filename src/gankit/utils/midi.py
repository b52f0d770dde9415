"""Note arrays as files a person can hear and read: MIDI (pretty_midi) and piano-roll pictures (matplotlib).

Note arrays are those of gankit.utils.pitch: int64 (n, 3) of MIDI pitch, onset and duration in grid steps.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gankit.utils.atomic import atomic_path
from gankit.utils.pitch import DURATION, NOTE_NAMES, ONSET, PITCH
from gankit.utils.plots import pyplot

ORGAN, CHOIR_AAHS = 19, 52  # General MIDI programs (0-based) that suit chorales; piano (0) is the default
BLACK_KEYS = frozenset({1, 3, 6, 8, 10})
DPI = 120
INCHES_PER_BAR, MIN_WIDTH, MAX_WIDTH = 0.9, 6.0, 20.0
INCHES_PER_SEMITONE = 0.12


def _notes(notes: np.ndarray) -> np.ndarray:
    return np.asarray(notes, dtype=np.int64).reshape(-1, 3)


def playable(notes: np.ndarray) -> np.ndarray:
    """The notes as one MIDI channel can sound them: no zero-length notes, and no two notes of one pitch at once.

    A channel sounds each pitch once, so notes of the same pitch that overlap (two voices in unison) become
    consecutive: each is cut where the next one starts, and the last lasts until the latest of their ends;
    notes of one pitch and onset are merged into the longest. Other notes are unchanged.
    """
    notes = _notes(notes)
    notes = notes[notes[:, DURATION] > 0]
    order = np.lexsort((-notes[:, DURATION], notes[:, ONSET], notes[:, PITCH]))
    out: list[list[int]] = []
    cluster_end = -1
    for pitch, onset, duration in notes[order].tolist():
        prev = out[-1] if out else None
        if prev is not None and prev[PITCH] == pitch and onset < cluster_end:
            if onset == prev[ONSET]:  # same pitch, same onset: one note, the longest (sorted first)
                continue
            prev[DURATION] = onset - prev[ONSET]
            cluster_end = max(cluster_end, onset + duration)
            out.append([pitch, onset, cluster_end - onset])
        else:
            cluster_end = onset + duration
            out.append([pitch, onset, duration])
    arr = np.array(out, dtype=np.int64).reshape(-1, 3)
    return arr[np.lexsort((arr[:, PITCH], arr[:, ONSET]))]


def write_midi(notes: np.ndarray, path: str | os.PathLike, steps_per_quarter: int, tempo_bpm: float = 80,
               program: int = 0, velocity: int = 80) -> Path:
    """Write the notes as a one-instrument MIDI file (General MIDI `program`, 0 = piano) atomically; return the path.

    A step lasts 60 / (tempo_bpm · steps_per_quarter) seconds; the file's resolution is a multiple of
    steps_per_quarter so that every onset and end falls on a whole tick. Unisons are made playable (see `playable`).
    """
    import pretty_midi  # lazy: only the music commands need it

    if steps_per_quarter < 1 or tempo_bpm <= 0:
        raise ValueError(f"steps_per_quarter must be ≥ 1 and tempo_bpm > 0, got {steps_per_quarter} and {tempo_bpm}")
    resolution = 480 if 480 % steps_per_quarter == 0 else steps_per_quarter * 96
    pm = pretty_midi.PrettyMIDI(resolution=resolution, initial_tempo=float(tempo_bpm))
    instrument = pretty_midi.Instrument(program=int(program), name="gankit")
    step = 60.0 / (float(tempo_bpm) * steps_per_quarter)
    for pitch, onset, duration in playable(notes).tolist():
        instrument.notes.append(pretty_midi.Note(velocity=int(velocity), pitch=int(pitch), start=onset * step,
                                                 end=(onset + duration) * step))
    pm.instruments.append(instrument)
    path = Path(path)
    with atomic_path(path) as tmp:
        pm.write(str(tmp))
    return path


def note_name(pitch: int) -> str:
    """Scientific pitch notation of a MIDI pitch: 60 → 'C4', 61 → 'C#4'."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def _bars(notes: np.ndarray, steps_per_bar: int) -> int:
    end = int((notes[:, ONSET] + notes[:, DURATION]).max()) if len(notes) else 0
    return max(1, math.ceil(end / steps_per_bar))


def _pitch_span(notes: np.ndarray) -> tuple[int, int]:
    if not len(notes):
        return 58, 62
    return max(0, int(notes[:, PITCH].min()) - 2), min(127, int(notes[:, PITCH].max()) + 2)


def _draw_roll(ax, notes: np.ndarray, steps_per_quarter: int, steps_per_bar: int, bars: int, title: str) -> None:
    """One piano roll on an axis: bars on x (bar lines, fainter beats), named pitches on y, notes as boxes."""
    low, high = _pitch_span(notes)
    black = [p for p in range(low, high + 1) if p % 12 in BLACK_KEYS]  # shaded rows as on a keyboard
    ax.barh(black, bars, left=0, height=1.0, color="0.93", lw=0, zorder=0)
    beats = np.arange(0, bars * steps_per_bar + 1, steps_per_quarter) / steps_per_bar
    ax.vlines(beats[beats % 1 != 0], low - 0.5, high + 0.5, color="0.8", lw=0.5, zorder=1)
    ax.vlines(np.arange(bars + 1), low - 0.5, high + 0.5, color="0.35", lw=0.9, zorder=1)
    if len(notes):
        ax.barh(notes[:, PITCH], notes[:, DURATION] / steps_per_bar, left=notes[:, ONSET] / steps_per_bar, height=0.8,
                color="tab:blue", edgecolor="navy", linewidth=0.6, zorder=2)
    else:
        ax.text(bars / 2, (low + high) / 2, "no notes", ha="center", va="center", color="0.4")
    ticks = list(range(low, high + 1))
    ax.set_yticks(ticks, [note_name(p) for p in ticks], fontsize=7)  # rows are 0.12 in: 7 pt names fit
    for label, p in zip(ax.get_yticklabels(), ticks):
        if p % 12 == 0:  # the Cs in bold, to find the octaves at a glance
            label.set_fontweight("bold")
    ax.set_ylim(low - 0.5, high + 0.5)
    ax.set_xlim(0, bars)
    every = max(1, math.ceil(bars / 48))  # at most ~48 bar numbers, so they never run together
    ax.set_xticks(range(0, bars, every), [str(b + 1) for b in range(0, bars, every)], fontsize=8)
    ax.set_xlabel("bar")
    if title:
        ax.set_title(title, fontsize=10, loc="left")


def _save(fig, path: str | os.PathLike) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=DPI, bbox_inches="tight", format="png")
    pyplot().close(fig)
    return path


def _width(bars: int) -> float:
    return float(np.clip(1.5 + INCHES_PER_BAR * bars, MIN_WIDTH, MAX_WIDTH))


def _height(notes: np.ndarray) -> float:
    low, high = _pitch_span(notes)
    return max(2.2, 0.8 + INCHES_PER_SEMITONE * (high - low + 1))


def plot_piano_roll(notes: np.ndarray, path: str | os.PathLike, steps_per_quarter: int, steps_per_bar: int,
                    title: str = "") -> Path:
    """Draw one piece as a piano roll PNG (time in bars, pitches by name, each note a box) atomically; return the path."""
    return plot_piano_rolls([notes], path, steps_per_quarter, steps_per_bar, titles=[title])


def plot_piano_rolls(pieces: Sequence[np.ndarray], path: str | os.PathLike, steps_per_quarter: int, steps_per_bar: int,
                     titles: Sequence[str] | None = None, title: str = "") -> Path:
    """Draw several pieces as piano rolls stacked in one PNG on a common bar axis (e.g. a run's progress)."""
    pieces = [_notes(p) for p in pieces]
    if not pieces:
        raise ValueError("plot_piano_rolls needs at least one piece")
    titles = list(titles) if titles is not None else [""] * len(pieces)
    if len(titles) != len(pieces):
        raise ValueError(f"got {len(titles)} titles for {len(pieces)} pieces")
    bars = max(_bars(p, steps_per_bar) for p in pieces)
    heights = [_height(p) for p in pieces]
    plt = pyplot()
    fig, axes = plt.subplots(len(pieces), 1, figsize=(_width(bars), sum(heights) + 0.6 * len(pieces)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, notes, name in zip(axes[:, 0], pieces, titles):
        _draw_roll(ax, notes, steps_per_quarter, steps_per_bar, bars, name)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return _save(fig, path)
