"""MIDI files, piano-roll pictures, FluidSynth audio and spectrograms of note arrays."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from gankit.data.music import read_midi  # the reader the midi-folder dataset uses: written files read back as data
from gankit.errors import AudioUnavailable, GankitError
from gankit.utils import audio
from gankit.utils.midi import note_name, playable, plot_piano_roll, plot_piano_rolls, write_midi

pretty_midi = pytest.importorskip("pretty_midi")

SPQ, SPB, TEMPO = 4, 16, 80  # sixteenth-note grid, 4/4
STEP_S = 60 / TEMPO / SPQ


def chorale_like(bars: int = 4, seed: int = 0) -> np.ndarray:
    """Four voices in separate registers (no unisons), random rhythms, ending exactly at the last bar line."""
    rng = np.random.default_rng(seed)
    rows = []
    for base in (72, 64, 55, 45):
        t = 0
        while t < bars * SPB:
            d = min(int(rng.choice([2, 4, 4, 8])), bars * SPB - t)
            rows.append((base + int(rng.integers(-3, 4)), t, d))
            t += d
    notes = np.array(rows, dtype=np.int64)
    return notes[np.lexsort((notes[:, 0], notes[:, 1]))]


def test_write_midi_round_trip_on_the_grid(tmp_path):
    notes = chorale_like()
    path = write_midi(notes, tmp_path / "piece.mid", SPQ, tempo_bpm=TEMPO)
    assert path == tmp_path / "piece.mid" and not list(tmp_path.glob(".*.tmp"))
    pm = pretty_midi.PrettyMIDI(str(path))
    assert len(pm.instruments) == 1 and pm.instruments[0].program == 0
    back = sorted((n.pitch, round(n.start / STEP_S), round((n.end - n.start) / STEP_S)) for n in pm.instruments[0].notes)
    assert back == sorted(map(tuple, notes.tolist()))
    for n in pm.instruments[0].notes:  # on the grid, not merely close to it
        assert n.start / STEP_S == pytest.approx(round(n.start / STEP_S), abs=1e-6)
    np.testing.assert_array_equal(read_midi(path, SPQ).notes, notes)
    assert pm.get_end_time() == pytest.approx(4 * SPB * STEP_S)


def test_write_midi_program_and_repeated_notes(tmp_path):
    repeated = np.array([[60, 0, 2], [60, 2, 2], [60, 4, 2]])  # one pitch struck three times, end to end
    path = write_midi(repeated, tmp_path / "organ.mid", SPQ, program=19)
    pm = pretty_midi.PrettyMIDI(str(path))
    assert pm.instruments[0].program == 19
    np.testing.assert_array_equal(read_midi(path, SPQ).notes, repeated)


def test_unisons_become_playable():
    # alto holds C4 for a bar while the tenor strikes C4 in its middle; a doubled note; a zero-length note
    notes = np.array([[60, 0, 16], [60, 4, 4], [64, 0, 4], [64, 0, 8], [67, 3, 0]])
    np.testing.assert_array_equal(playable(notes), [[60, 0, 4], [64, 0, 8], [60, 4, 12]])


def test_note_names():
    assert [note_name(p) for p in (60, 61, 69, 21, 108)] == ["C4", "C#4", "A4", "A0", "C8"]


def png_size(path) -> tuple[int, int]:
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        assert im.format == "PNG"
        return im.size


def test_piano_roll_png(tmp_path):
    short = png_size(plot_piano_roll(chorale_like(4), tmp_path / "short.png", SPQ, SPB, title="four bars"))
    long = png_size(plot_piano_roll(chorale_like(24), tmp_path / "long.png", SPQ, SPB))
    huge = png_size(plot_piano_roll(chorale_like(40), tmp_path / "huge.png", SPQ, SPB))
    assert 500 < short[0] < long[0] <= huge[0] < 2700  # width grows with length, up to a cap (20 in at 120 dpi)
    assert 250 < short[1] < 1500
    empty = png_size(plot_piano_roll(np.zeros((0, 3), dtype=np.int64), tmp_path / "empty.png", SPQ, SPB))
    assert empty[0] > 300 and empty[1] > 150


def test_stacked_piano_rolls(tmp_path):
    pieces = [chorale_like(4, seed) for seed in range(3)]
    one = png_size(plot_piano_roll(pieces[0], tmp_path / "one.png", SPQ, SPB))
    three = png_size(plot_piano_rolls(pieces, tmp_path / "three.png", SPQ, SPB, titles=["a", "b", "c"], title="epoch 3"))
    assert three[1] > 2.5 * one[1] * 0.9
    with pytest.raises(ValueError, match="titles"):
        plot_piano_rolls(pieces, tmp_path / "x.png", SPQ, SPB, titles=["a"])


def synth_wav(path, seconds: float, silence: float = 0.0, rate: int = 8000) -> None:
    from scipy.io import wavfile

    t = np.arange(int(seconds * rate)) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    wavfile.write(str(path), rate, np.concatenate([tone, np.zeros(int(silence * rate), np.int16)]))


def test_spectrogram_png(tmp_path):
    synth_wav(tmp_path / "a.wav", 1.5)
    width, height = png_size(audio.plot_spectrogram(tmp_path / "a.wav", tmp_path / "a.png", title="440 Hz"))
    assert width > 500 and height > 250


def test_trailing_silence_is_cut_but_not_before_the_music_ends(tmp_path):
    synth_wav(tmp_path / "a.wav", 1.0, silence=2.0)
    audio.trim_trailing_silence(tmp_path / "a.wav")
    assert audio.wav_seconds(tmp_path / "a.wav") == pytest.approx(1.1, abs=0.01)
    synth_wav(tmp_path / "b.wav", 1.0, silence=2.0)
    audio.trim_trailing_silence(tmp_path / "b.wav", not_before_s=2.5)
    assert audio.wav_seconds(tmp_path / "b.wav") == pytest.approx(2.6, abs=0.01)


def test_render_wav_lasts_as_long_as_the_midi(tmp_path):
    if shutil.which("fluidsynth") is None or audio.find_soundfont() is None:
        pytest.skip("FluidSynth or a General MIDI soundfont is not installed")
    midi = write_midi(chorale_like(2), tmp_path / "piece.mid", SPQ, tempo_bpm=TEMPO)
    wav = audio.render_wav(midi, tmp_path / "piece.wav", sample_rate=22050)
    expected = 2 * SPB * STEP_S  # 6 s
    # the WAV also holds the release of the last notes (a piano's fades within ~0.5 s); the silence after it is cut
    assert expected - 0.05 <= audio.wav_seconds(wav) <= expected + 1.0
    assert not list(tmp_path.glob(".*.tmp"))
    png_size(audio.plot_spectrogram(wav, tmp_path / "piece.png"))


def test_missing_soundfont_says_how_to_install(tmp_path, monkeypatch):
    midi = write_midi(chorale_like(1), tmp_path / "piece.mid", SPQ)
    monkeypatch.setattr(audio.shutil, "which", lambda name: "/usr/bin/fluidsynth")  # as if FluidSynth were installed
    with pytest.raises(AudioUnavailable) as err:
        audio.render_wav(midi, tmp_path / "piece.wav", soundfont=tmp_path / "nope.sf2")
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and "nope.sf2" in lines[0]
    assert "sudo apt-get install fluidsynth fluid-soundfont-gm" in lines[1] and "GANKIT_SOUNDFONT" in lines[1]
    monkeypatch.delenv("GANKIT_SOUNDFONT", raising=False)
    monkeypatch.setattr(audio, "SOUNDFONT_PATHS", (tmp_path / "none.sf2",))
    assert audio.find_soundfont() is None
    with pytest.raises(AudioUnavailable, match="no General MIDI soundfont found"):
        audio.render_wav(midi, tmp_path / "piece.wav")
    assert isinstance(err.value, GankitError) and not (tmp_path / "piece.wav").exists()


def test_soundfont_search_order(tmp_path, monkeypatch):
    system, env, explicit = (tmp_path / f"{n}.sf2" for n in ("system", "env", "explicit"))
    for p in (system, env, explicit):
        p.write_bytes(b"sf2")
    monkeypatch.setattr(audio, "SOUNDFONT_PATHS", (tmp_path / "absent.sf2", system))
    monkeypatch.delenv("GANKIT_SOUNDFONT", raising=False)
    assert audio.find_soundfont() == system
    monkeypatch.setenv("GANKIT_SOUNDFONT", str(env))
    assert audio.find_soundfont() == env
    assert audio.find_soundfont(explicit) == explicit
    monkeypatch.setenv("GANKIT_SOUNDFONT", str(tmp_path / "typo.sf2"))
    assert audio.find_soundfont() is None  # a path the user named is never silently replaced


def test_missing_fluidsynth_says_how_to_install(tmp_path, monkeypatch):
    midi = write_midi(chorale_like(1), tmp_path / "piece.mid", SPQ)
    monkeypatch.setenv("PATH", str(tmp_path))  # no fluidsynth on this PATH
    with pytest.raises(AudioUnavailable) as err:
        audio.render_wav(midi, tmp_path / "piece.wav")
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and "fluidsynth" in lines[0] and lines[1].startswith("install with: sudo apt-get install")


def test_fluidsynth_failure_is_reported(tmp_path):
    if shutil.which("fluidsynth") is None or audio.find_soundfont() is None:
        pytest.skip("FluidSynth or a General MIDI soundfont is not installed")
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not a midi file")
    with pytest.raises(AudioUnavailable, match="FluidSynth wrote no audio"):
        audio.render_wav(bad, tmp_path / "bad.wav")
    assert not (tmp_path / "bad.wav").exists() and not list(tmp_path.glob(".*.tmp"))
