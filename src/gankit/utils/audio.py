"""MIDI to audio with the FluidSynth program and a General MIDI soundfont, and a spectrogram of the result.

FluidSynth is a system program, not a Python package: where it or a soundfont is missing, `render_wav` raises
AudioUnavailable (a GankitError) saying what is missing and how to install it, and callers keep the MIDI
files and piano rolls they have already written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

from gankit.errors import AudioUnavailable
from gankit.utils.atomic import atomic_path
from gankit.utils.plots import pyplot, save_figure

SOUNDFONT_ENV = "GANKIT_SOUNDFONT"
SOUNDFONT_PATHS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
    Path("/usr/share/soundfonts/default.sf2"),
)
INSTALL_HINT = f"install with: sudo apt-get install fluidsynth fluid-soundfont-gm (or set {SOUNDFONT_ENV}=/path/to.sf2)"
GAIN = 0.8  # FluidSynth's default 0.2 is quiet; 0.8 is loud without clipping four voices
SILENCE_DBFS, TAIL_S = -70.0, 0.1  # FluidSynth runs on for seconds of silence after the last voice fades: cut them


def find_soundfont(explicit: str | os.PathLike | None = None) -> Path | None:
    """The soundfont to use: `explicit` if given, else $GANKIT_SOUNDFONT if set, else the first system GM soundfont
    found; None when the chosen one does not exist (a path the user named is never silently replaced)."""
    if explicit is not None:
        return Path(explicit) if Path(explicit).is_file() else None
    if os.environ.get(SOUNDFONT_ENV):
        env = Path(os.environ[SOUNDFONT_ENV])
        return env if env.is_file() else None
    return next((p for p in SOUNDFONT_PATHS if p.is_file()), None)


def _missing_soundfont(explicit: str | os.PathLike | None) -> str:
    """One line saying which soundfont was looked for and not found."""
    if explicit is not None:
        return f"the soundfont {explicit} does not exist"
    if os.environ.get(SOUNDFONT_ENV):
        return f"the soundfont {os.environ[SOUNDFONT_ENV]} (from ${SOUNDFONT_ENV}) does not exist"
    return f"no General MIDI soundfont found (looked in {', '.join(str(p) for p in SOUNDFONT_PATHS)})"


def wav_seconds(path: str | os.PathLike) -> float:
    """The duration of a WAV file in seconds (0 for a file without audio frames)."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def _fluidsynth() -> str:
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise AudioUnavailable(f"FluidSynth is not installed (no `fluidsynth` program on PATH)\n{INSTALL_HINT}")
    return exe


def render_wav(midi_path: str | os.PathLike, wav_path: str | os.PathLike, soundfont: str | os.PathLike | None = None,
               sample_rate: int = 44100, timeout_s: float = 300.0) -> Path:
    """Render a MIDI file to a 16-bit stereo WAV with FluidSynth (written atomically); return the WAV's path.

    Runs `fluidsynth -ni -g 0.8 -r RATE -T wav -F OUT SOUNDFONT MIDI`, then cuts the silence FluidSynth appends after
    the last voice has faded (the WAV lasts the MIDI's length plus the release of its last notes). Raises
    AudioUnavailable when FluidSynth or the soundfont is missing, or when FluidSynth fails, times out or writes no audio.
    """
    exe = _fluidsynth()
    sf = find_soundfont(soundfont)
    if sf is None:
        raise AudioUnavailable(f"{_missing_soundfont(soundfont)}\n{INSTALL_HINT}")
    midi_path = Path(midi_path)
    if not midi_path.is_file():
        raise FileNotFoundError(f"no MIDI file at {midi_path}")
    wav_path = Path(wav_path)
    with atomic_path(wav_path) as tmp:
        cmd = [exe, "-ni", "-g", str(GAIN), "-r", str(int(sample_rate)), "-T", "wav", "-F", str(tmp), str(sf), str(midi_path)]
        shown = " ".join(cmd).replace(str(tmp), str(wav_path))  # what to run by hand: the real target, not the temp file
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as e:
            raise AudioUnavailable(f"FluidSynth did not finish {midi_path} within {timeout_s:.0f} s\n"
                                   f"the MIDI file is kept; try: {shown}") from e
        said = (done.stderr or done.stdout or "").strip().splitlines()
        if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size <= 44 or wav_seconds(tmp) <= 0:
            raise AudioUnavailable(f"FluidSynth wrote no audio for {midi_path} (exit {done.returncode}"
                                   f"{': ' + said[-1] if said else ''})\nthe MIDI file is kept; try: {shown}")
        trim_trailing_silence(tmp, not_before_s=_midi_seconds(midi_path))
    return wav_path


def _midi_seconds(path: Path) -> float:
    """The end of a MIDI file's last event in seconds (0 if pretty_midi cannot read it: FluidSynth could)."""
    import pretty_midi  # lazy: only audio rendering needs it here

    try:
        return float(pretty_midi.PrettyMIDI(str(path)).get_end_time())
    except Exception:  # any unreadable file only drops the lower bound of the cut
        return 0.0


def trim_trailing_silence(path: str | os.PathLike, not_before_s: float = 0.0, threshold_dbfs: float = SILENCE_DBFS,
                          keep_s: float = TAIL_S) -> None:
    """Cut a WAV file in place keep_s seconds after its last sample louder than threshold_dbfs, but never before
    not_before_s (the MIDI's end: a note that has faded still lasts until its note-off); leading silence stays."""
    from scipy.io import wavfile

    rate, data = wavfile.read(str(path))
    loud = np.flatnonzero(np.abs(_mono_channels(data)).max(axis=1) > 10 ** (threshold_dbfs / 20))
    last = max(int(loud[-1]) + 1 if len(loud) else 0, int(round(not_before_s * rate)))
    end = min(len(data), last + int(keep_s * rate))
    if end < len(data):
        wavfile.write(str(path), rate, data[: max(end, 1)])


def _mono_channels(data: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as (frames, channels)."""
    x = data.astype(np.float64)
    if np.issubdtype(data.dtype, np.integer):
        x /= float(np.iinfo(data.dtype).max) + 1.0
    return x.reshape(len(x), -1)


def _mono(data: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1], channels averaged."""
    return _mono_channels(data).mean(axis=1)


def plot_spectrogram(wav_path: str | os.PathLike, png_path: str | os.PathLike, title: str = "",
                     max_hz: float = 5000.0) -> Path:
    """Draw the log-magnitude spectrogram (dB, 80 dB of range) of a WAV file up to max_hz as a PNG, atomically."""
    from scipy.io import wavfile
    from scipy.signal import spectrogram

    rate, data = wavfile.read(str(wav_path))
    x = _mono(data)
    if len(x) == 0:
        raise ValueError(f"{wav_path} holds no audio samples")
    nperseg = min(2048, len(x))
    freqs, _, power = spectrogram(x, fs=rate, nperseg=nperseg, noverlap=nperseg * 3 // 4)
    keep = freqs <= max_hz
    db = 10 * np.log10(power[keep] + 1e-12)
    plt = pyplot()
    seconds = len(x) / rate
    fig, ax = plt.subplots(figsize=(float(np.clip(4 + 0.15 * seconds, 8, 16)), 3.6))
    image = ax.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=db.max() - 80, vmax=db.max(),
                      extent=(0.0, seconds, 0.0, float(freqs[keep][-1])))
    fig.colorbar(image, ax=ax, label="power (dB)")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    save_figure(fig, png_path)
    return Path(png_path)
