"""Music data (gankit.data.music): words, vocabulary, split, windows, transposition, sources, errors, cache."""

from __future__ import annotations

import json
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
import torch

import gankit.data.music.chorales as chorales_module
import gankit.data.music.midi_folder as midi_module
from gankit.data import load_dataset
from gankit.data.base import ArrayDataset
from gankit.data.music import (
    MusicOptions,
    Piece,
    Vocabulary,
    build_corpus,
    canonical_notes,
    chorales_corpus,
    cut_windows,
    decode_tokens,
    decode_words,
    encode_notes,
    limit_voices,
    midi_folder_corpus,
    music_corpus,
    music_pieces,
    quantise_notes,
    scales_corpus,
    split_names,
    steps_per_bar,
    valid_share,
)
from gankit.data.music.chorales import chorale_files, parse_chorale
from gankit.data.music.synthetic import sentence
from gankit.data.registry import dataset_entry, dataset_kind
from gankit.errors import DataError, GankitWarning
from gankit.utils.pitch import estimate_key, sort_notes

N_CHORALES = 12


def _two_lines(e: pytest.ExceptionInfo) -> str:
    message = str(e.value)
    assert message.count("\n") <= 1, message
    return message


def _notes(*rows) -> np.ndarray:
    return sort_notes(np.array(rows, dtype=np.int64).reshape(-1, 3))


def _write_midi(path: Path, notes, drums=(), time_signature=None) -> Path:
    """A MIDI file at 120 bpm (a quarter note = 0.5 s) with (pitch, onset, end) in quarter notes."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(velocity=80, pitch=p, start=on / 2, end=end / 2) for p, on, end in notes]
    midi.instruments.append(piano)
    if drums:
        kit = pretty_midi.Instrument(program=0, is_drum=True)
        kit.notes = [pretty_midi.Note(velocity=80, pitch=p, start=on / 2, end=end / 2) for p, on, end in drums]
        midi.instruments.append(kit)
    if time_signature:
        midi.time_signature_changes.append(pretty_midi.TimeSignature(*time_signature, 0.0))
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.write(str(path))
    return path


def _scale_piece(start: int, quarters: int = 24) -> list[tuple[int, float, float]]:
    """A line of eighth notes up a C major scale from `start` (quarters × 2 notes)."""
    steps = [0, 2, 4, 5, 7, 9, 11, 12]
    return [(start + steps[k % 8], k / 2, k / 2 + 0.5) for k in range(quarters * 2)]


@pytest.fixture(scope="module")
def chorale_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chorale-cache")


@pytest.fixture(scope="module")
def chorales(chorale_cache) -> dict:
    """The corpus of 12 chorales (parsed once for the module) under transpose none and c."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GankitWarning)
        return {t: chorales_corpus(MusicOptions(transpose=t, min_count=1), n=N_CHORALES, cache_dir=chorale_cache)
                for t in ("none", "c", "augment")}


# ------------------------------------------------------------------ options


@pytest.mark.parametrize("field, value, hint", [
    ("steps_per_quarter", 3, "1 (quarters), 2 (eighths) or 4"),
    ("transpose", "d", "none, c, augment"),
    ("representation", "roll", "word"),
    ("window", 1, "≥ 2"),
    ("stride", 0, "≥ 1"),
    ("min_count", 0, "≥ 1"),
    ("max_voices", 0, "≥ 1"),
    ("val", 1.5, "[0, 1)"),
    ("test", -0.1, "[0, 1)"),
    ("split_seed", 1.5, "integer"),
])
def test_bad_options_are_refused_with_a_short_message_naming_the_key(field, value, hint):
    with pytest.raises(DataError) as e:
        MusicOptions(**{field: value})
    message = _two_lines(e)
    assert f"music.{field}" in message and hint in message


def test_val_and_test_must_leave_training_pieces_and_stride_defaults_to_half_a_window():
    with pytest.raises(DataError, match="no training pieces"):
        MusicOptions(val=0.5, test=0.5)
    assert MusicOptions(window=32).hop == 16 and MusicOptions(window=32, stride=5).hop == 5


# ------------------------------------------------------------------ words and quantisation


def test_word_syntax_marks_held_notes_and_rests():
    notes = _notes([55, 0, 2], [48, 1, 1], [64, 1, 1], [67, 1, 1], [60, 3, 1])
    words, dropped = encode_notes(notes, 4, "word")
    assert words == ["55", "48.55~.64.67", "R", "60"] and dropped == 0
    assert encode_notes(notes, 4, "set")[0] == ["55", "48.55.64.67", "R", "60"]


@pytest.mark.parametrize("name, notes", [
    ("repeated notes", _notes([60, 0, 1], [60, 1, 1], [60, 2, 2], [60, 4, 1])),
    ("overlapping voices", _notes([60, 0, 4], [64, 1, 2], [67, 2, 5], [72, 3, 1], [48, 0, 8])),
    ("rests", _notes([60, 2, 1], [62, 5, 2], [64, 10, 1])),
    ("long holds", _notes([36, 0, 40], [60, 0, 1], [61, 1, 1], [62, 39, 1])),
    ("extremes", _notes([0, 0, 3], [127, 0, 3], [0, 3, 1])),
])
def test_word_round_trip_is_exact_on_hand_made_cases(name, notes):
    words, dropped = encode_notes(notes, 4, "word")
    assert dropped == 0 and len(words) == int((notes[:, 1] + notes[:, 2]).max())
    np.testing.assert_array_equal(decode_words(words, "word"), notes)


def test_set_representation_merges_a_repeated_note_with_the_one_before():
    notes = _notes([60, 0, 1], [60, 1, 1], [64, 0, 2])
    words, _ = encode_notes(notes, 4, "set")
    np.testing.assert_array_equal(decode_words(words, "set"), _notes([60, 0, 2], [64, 0, 2]))


def test_a_held_word_at_the_first_step_starts_a_note_and_unk_is_silence():
    np.testing.assert_array_equal(decode_words(["60~", "60~", "<unk>", "62~"]), _notes([60, 0, 2], [62, 3, 1]))
    with pytest.raises(ValueError, match="malformed"):
        decode_words(["60.x"])


def test_round_trip_is_exact_on_a_real_chorale():
    path = next(p for p in chorale_files() if p.stem == "bwv66.6")
    for spq in (2, 4):
        notes = parse_chorale(path, spq).notes
        assert len(notes) > 100 and limit_voices(notes, 4)[1] == 0
        words, _ = encode_notes(notes, 4, "word")
        np.testing.assert_array_equal(decode_words(words, "word"), notes)
    assert parse_chorale(path, 2).steps_per_bar == 8


def test_quantise_snaps_to_the_grid_merges_duplicates_and_cuts_same_pitch_overlaps():
    notes = quantise_notes([60, 60, 64, 67, 67], [0, 0, 0.26, 1.0, 1.5], [0.5, 1.0, 0.3, 2.0, 2.0], 2)
    # 60 twice at step 0: the longest kept; 64 is shorter than a step: one step; 67 struck again at step 3
    np.testing.assert_array_equal(notes, _notes([60, 0, 2], [64, 1, 1], [67, 2, 1], [67, 3, 1]))
    np.testing.assert_array_equal(canonical_notes(notes), notes)
    assert steps_per_bar(3, 4, 2) == 6 and steps_per_bar(6, 8, 4) == 12 and steps_per_bar(4, 4, 1) == 4


def test_max_voices_keeps_outer_voices_first_and_drops_whole_notes():
    notes = _notes([48, 0, 4], [55, 0, 4], [60, 0, 4], [64, 0, 4], [72, 0, 4], [62, 2, 1])
    kept, dropped = limit_voices(notes, 4)
    # 48, 72 (outer), then 64 (next-highest), 55 (next-lowest); 60 dropped at step 0, 62 at step 2
    assert dropped == 2 and sorted(kept[:, 0].tolist()) == [48, 55, 64, 72]
    assert (kept[:, 2] == 4).all()
    assert limit_voices(notes, 2)[0][:, 0].tolist() == [48, 72]


# ------------------------------------------------------------------ vocabulary


def test_vocabulary_orders_by_count_then_string_with_unk_first():
    vocab = Vocabulary.from_words(["b", "a", "c", "a", "b", "d", "d", "d"], min_count=2)
    assert vocab.words == ("<unk>", "d", "a", "b") and len(vocab) == 4
    assert vocab.encode(["d", "c", "a"]).tolist() == [1, 0, 2]
    assert vocab.decode(torch.tensor([3, 0])) == ["b", "<unk>"]
    with pytest.raises(ValueError):
        vocab.decode([4])


def test_decode_tokens_reads_ids_through_the_vocabulary():
    vocab = Vocabulary(("<unk>", "60", "60~", "R"))
    np.testing.assert_array_equal(decode_tokens(torch.tensor([1, 2, 0, 1]), vocab), _notes([60, 0, 2], [60, 3, 1]))
    np.testing.assert_array_equal(decode_tokens([1, 2], ["<unk>", "60", "60~"]), _notes([60, 0, 2]))


def _pieces(k: int, length: int = 40) -> list[Piece]:
    """k monophonic pieces; piece j plays pitch 40 + j so every piece has its own words."""
    return [Piece(f"p{j:02d}", _notes(*[[40 + j, t, 1] for t in range(length)]), 8) for j in range(k)]


def test_vocabulary_comes_from_the_training_split_only():
    options = MusicOptions(transpose="none", min_count=1, val=0.2, test=0.2)
    corpus = build_corpus("toy", _pieces(10), options, "toy")
    split = corpus.meta["split"]
    train_words = {str(40 + int(name[1:])) for name in split["train"]}
    assert set(corpus.vocabulary.words) == {"<unk>", *train_words}
    test = corpus.dataset("test")
    assert (test.x == 0).all() and corpus.meta["counts"]["test"]["unk_share"] == 1.0
    assert corpus.meta["counts"]["train"]["unk_share"] == 0.0
    assert corpus.dataset("val").meta["vocabulary"] == corpus.dataset("train").meta["vocabulary"]


def test_min_count_turns_rare_training_words_into_unk():
    pieces = [Piece("a", _notes([60, 0, 1], [62, 1, 1], [60, 2, 1], [64, 3, 1]), 8)]
    corpus = build_corpus("toy", pieces, MusicOptions(transpose="none", min_count=2, window=4, val=0, test=0), "toy")
    assert corpus.vocabulary.words == ("<unk>", "60")
    assert corpus.dataset("train").x.tolist() == [[1, 0, 1, 0]]
    np.testing.assert_array_equal(corpus.pieces("train")[0], _notes([60, 0, 1], [60, 2, 1]))


# ------------------------------------------------------------------ split and windows


@pytest.mark.filterwarnings("ignore::gankit.errors.GankitWarning")  # notes beyond 4 voices in a few chorales
def test_split_is_by_piece_seeded_by_split_seed_and_not_the_run_seed(chorales, chorale_cache, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(chorale_cache))  # load_dataset reuses the module's parsed pieces
    split = chorales["none"].meta["split"]
    names = [n for s in ("train", "val", "test") for n in split[s]]
    assert len(names) == len(set(names)) == N_CHORALES and len(split["val"]) == len(split["test"]) == 1
    first = load_dataset("chorales", n=N_CHORALES, seed=0, music=MusicOptions(transpose="none"))
    other = load_dataset("chorales", n=N_CHORALES, seed=7, split="test", music={"transpose": "none"})
    assert first.meta["split"] == other.meta["split"] == {**split}
    assert split_names(names, 0.1, 0.1, 0) == split_names(list(reversed(names)), 0.1, 0.1, 0)
    assert split_names(names, 0.25, 0.25, 1) != split_names(names, 0.25, 0.25, 2)


def test_split_keeps_a_training_piece_and_an_empty_split_is_a_clear_error():
    assert split_names(["a"], 0.1, 0.1, 0) == {"train": ["a"], "val": [], "test": []}
    assert [len(v) for v in split_names(["a", "b"], 0.1, 0.1, 0).values()] == [1, 0, 1]
    corpus = build_corpus("toy", _pieces(1), MusicOptions(transpose="none"), "toy")
    with pytest.raises(DataError) as e:
        corpus.dataset("validation")
    assert "music.val" in _two_lines(e)
    with pytest.raises(DataError, match="unknown split"):
        corpus.dataset("dev")


def test_windows_are_cut_at_every_stride_and_labelled_by_piece():
    seqs = [np.arange(10), np.arange(100, 103), np.arange(200, 208)]
    x, y = cut_windows(seqs, [0, 1, 2], window=4, stride=3)
    assert x.tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9], [200, 201, 202, 203], [203, 204, 205, 206]]
    assert y.tolist() == [0, 0, 0, 2, 2] and x.dtype == np.int64


def test_the_dataset_holds_int64_windows_of_its_split_with_small_json_meta(chorales):
    corpus = chorales["c"]
    for split in ("train", "val", "test"):
        ds = corpus.dataset(split)
        assert ds.kind == "tokens" and ds.name == "chorales" and ds.class_names == ["music"]
        assert ds.x.dtype == ds.y.dtype == torch.int64 and ds.x.shape[1] == 32 and len(ds) > 0
        lengths = [len(s) for s in corpus.splits[split].sequences]
        assert len(ds) == sum((n - 32) // 16 + 1 for n in lengths if n >= 32) == ds.meta["counts"][split]["windows"]
        assert ds.y.max() < len(ds.meta["split"][split])
    first = corpus.splits["train"].sequences[0]
    ds = corpus.dataset("train")
    assert ds.x[0].tolist() == first[:32].tolist() and ds.x[1].tolist() == first[16:48].tolist()
    keys = {"vocabulary", "representation", "steps_per_quarter", "steps_per_bar", "window", "stride", "transpose",
            "min_count", "max_voices", "split", "counts", "dropped_notes", "skipped"}
    assert keys <= set(ds.meta) and ds.meta["steps_per_bar"] == 8 and ds.meta["stride"] == 16
    json.dumps(ds.info())


def test_tokens_must_be_int64_rows():
    with pytest.raises(ValueError, match="int64"):
        ArrayDataset(torch.zeros(2, 4), torch.zeros(2, dtype=torch.int64), ["music"], "tokens", "x")
    assert dataset_kind("chorales") == dataset_kind("midi-folder") == dataset_kind("scales") == "tokens"
    assert dataset_entry("chorales").held_out and dataset_entry("midi-folder").held_out


# ------------------------------------------------------------------ transposition


def test_transpose_c_puts_every_estimated_key_at_c_major_or_a_minor(chorales):
    keys = {estimate_key(notes) for notes in chorales["c"].pieces("train")}
    assert keys <= {(0, "major"), (9, "minor")}
    before = {estimate_key(notes) for notes in chorales["none"].pieces("train")}
    assert len(before) > 2


def test_augment_plays_training_pieces_in_twelve_keys_and_leaves_val_and_test_alone(chorales):
    none, augment = chorales["none"], chorales["augment"]
    counts = augment.meta["counts"]
    assert counts["train"]["sequences"] == 12 * counts["train"]["pieces"]  # chorales sit mid-range
    assert counts["train"]["windows"] == 12 * none.meta["counts"]["train"]["windows"]
    assert counts["test"] == {**none.meta["counts"]["test"], "unk_share": counts["test"]["unk_share"]}
    lowest = [int(notes[:, 0].min()) for notes in augment.pieces("train")[:12]]  # piece 0 at shifts -5..+6
    assert lowest == list(range(lowest[5] - 5, lowest[5] + 7))


# ------------------------------------------------------------------ midi folders


def test_midi_folder_reads_files_recursively_ignoring_drums_and_hidden_files(tmp_path):
    _write_midi(tmp_path / "a.mid", _scale_piece(60), drums=[(36, 0, 1)], time_signature=(3, 4))
    _write_midi(tmp_path / "sub" / "b.MIDI", _scale_piece(62))
    _write_midi(tmp_path / ".hidden" / "c.mid", _scale_piece(64))
    _write_midi(tmp_path / ".d.mid", _scale_piece(64))
    corpus = midi_folder_corpus(tmp_path, MusicOptions(transpose="none", min_count=1, val=0, test=0), cache_dir=None)
    assert corpus.meta["split"]["train"] == ["a", "sub/b"] and corpus.meta["steps_per_bar"] in (6, 8)
    a = corpus.pieces("train")[0]
    np.testing.assert_array_equal(a, _notes(*[[p, int(on * 2), 1] for p, on, _ in _scale_piece(60)]))


def test_more_voices_than_max_voices_are_dropped_counted_and_warned_with_file_names(tmp_path):
    chord = [(p, on, on + 1) for on in range(0, 24) for p in (48, 52, 55, 60, 64, 67)]
    _write_midi(tmp_path / "thick.mid", chord)
    _write_midi(tmp_path / "thin.mid", _scale_piece(60))
    with pytest.warns(GankitWarning, match=r"48 notes dropped in 1 files beyond data max_voices=4 \(thick: 48\)") as w:
        ds = load_dataset("midi-folder", path=tmp_path, cache=False, music=MusicOptions(val=0, test=0))
    assert "raise music.max_voices" in str(w[0].message)
    assert ds.meta["dropped_notes"] == {"total": 48, "files": {"thick": 48}}


@pytest.mark.parametrize("case, match", [
    ("missing", "does not exist"),
    ("file", "is a file, not a folder"),
    ("no midi", r"no MIDI files \(extensions .mid, .midi"),
    ("no path", "needs a folder of MIDI files"),
])
def test_a_bad_midi_path_is_a_clear_error(tmp_path, case, match):
    (tmp_path / "notes.txt").write_text("not music")
    path = {"missing": tmp_path / "nope", "file": tmp_path / "notes.txt", "no midi": tmp_path, "no path": None}[case]
    with pytest.raises(DataError, match=match) as e:
        load_dataset("midi-folder", path=path, cache=False)
    _two_lines(e)


def test_corrupt_midi_files_are_named_with_the_fix(tmp_path):
    _write_midi(tmp_path / "good.mid", _scale_piece(60))
    (tmp_path / "broken.mid").write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(DataError, match=r"1 MIDI file\(s\) cannot be read: broken.mid") as e:
        load_dataset("midi-folder", path=tmp_path, cache=False)
    assert "remove or repair them" in _two_lines(e)


def test_empty_midi_files_are_skipped_by_name_and_all_empty_is_an_error(tmp_path):
    _write_midi(tmp_path / "silent.mid", [])
    with pytest.raises(DataError, match="no piece has any notes") as e:
        load_dataset("midi-folder", path=tmp_path, cache=False)
    _two_lines(e)
    _write_midi(tmp_path / "tune.mid", _scale_piece(60))
    with pytest.warns(GankitWarning, match="no notes: silent"):
        ds = load_dataset("midi-folder", path=tmp_path, cache=False, music=MusicOptions(val=0, test=0))
    assert ds.meta["skipped"]["empty"] == ["silent"] and ds.meta["split"]["train"] == ["tune"]


def test_pieces_shorter_than_a_window_are_skipped_and_none_long_enough_is_an_error(tmp_path):
    _write_midi(tmp_path / "short.mid", _scale_piece(60, quarters=4))
    with pytest.raises(DataError, match=r"short \(8 steps\)") as e:
        load_dataset("midi-folder", path=tmp_path, cache=False)
    assert "lower music.window" in _two_lines(e)
    _write_midi(tmp_path / "long.mid", _scale_piece(60))
    with pytest.warns(GankitWarning, match=r"shorter than music.window=32 steps: short \(8 steps\)"):
        ds = load_dataset("midi-folder", path=tmp_path, cache=False, music=MusicOptions(val=0, test=0))
    assert ds.meta["skipped"]["short"] == {"short": 8}
    assert len(load_dataset("midi-folder", path=tmp_path, cache=False, music=MusicOptions(window=8, val=0, test=0))) > 0


def test_n_keeps_a_seeded_subset_and_refuses_too_many(tmp_path):
    for k in range(5):
        _write_midi(tmp_path / f"t{k}.mid", _scale_piece(50 + k))
    options = MusicOptions(val=0, test=0)
    a = load_dataset("midi-folder", path=tmp_path, n=3, cache=False, music=options).meta["split"]["train"]
    b = load_dataset("midi-folder", path=tmp_path, n=3, seed=9, cache=False, music=options).meta["split"]["train"]
    assert a == b and len(a) == 3
    with pytest.raises(DataError, match="n=6") as e:
        load_dataset("midi-folder", path=tmp_path, n=6, cache=False)
    _two_lines(e)


def test_a_midi_folder_is_cached_until_a_file_changes(tmp_path, monkeypatch):
    folder, cache = tmp_path / "midi", tmp_path / "cache"
    _write_midi(folder / "a.mid", _scale_piece(60))
    options = MusicOptions(val=0, test=0)
    first = midi_folder_corpus(folder, options, cache_dir=cache).dataset()
    monkeypatch.setattr(midi_module, "read_midi", lambda *a, **k: pytest.fail("the cache was not used"))
    assert torch.equal(midi_folder_corpus(folder, options, cache_dir=cache).dataset().x, first.x)
    _write_midi(folder / "a.mid", _scale_piece(62, quarters=30))
    with pytest.raises(pytest.fail.Exception):
        midi_folder_corpus(folder, options, cache_dir=cache)


# ------------------------------------------------------------------ chorales


@pytest.mark.filterwarnings("ignore::gankit.errors.GankitWarning")
def test_chorales_are_parsed_once_then_served_from_the_cache(tmp_path, monkeypatch):
    calls = Counter()
    real = chorales_module.parse_chorale

    def counting(path, spq):
        calls[path.stem] += 1
        return real(path, spq)

    monkeypatch.setattr(chorales_module, "parse_chorale", counting)
    options = MusicOptions(val=0, test=0, min_count=1)
    first = chorales_corpus(options, n=3, cache_dir=tmp_path).dataset()
    assert sum(calls.values()) == 3
    monkeypatch.setattr(chorales_module, "parse_chorale", lambda *a: pytest.fail("the cache was not used"))
    assert torch.equal(chorales_corpus(options, n=3, cache_dir=tmp_path).dataset().x, first.x)
    for entry in tmp_path.glob("chorales-*.npz"):
        entry.write_bytes(b"damaged")
    monkeypatch.setattr(chorales_module, "parse_chorale", counting)
    assert torch.equal(chorales_corpus(options, n=3, cache_dir=tmp_path).dataset().x, first.x)
    assert sum(calls.values()) == 6


@pytest.mark.filterwarnings("ignore::gankit.errors.GankitWarning")
def test_a_subset_of_chorales_is_served_from_the_whole_corpus_cache(tmp_path, monkeypatch):
    five = chorale_files()[:5]
    monkeypatch.setattr(chorales_module, "chorale_files", lambda: five)
    options = MusicOptions(val=0, test=0, min_count=1, window=16)
    whole = chorales_corpus(options, cache_dir=tmp_path)
    monkeypatch.setattr(chorales_module, "parse_chorale", lambda *a: pytest.fail("the cache was not used"))
    part = chorales_corpus(options, n=2, cache_dir=tmp_path)
    assert set(part.meta["split"]["train"]) < set(whole.meta["split"]["train"])


def test_chorale_subset_bounds():
    with pytest.raises(DataError, match="n=0") as e:
        chorales_corpus(n=0)
    _two_lines(e)


# ------------------------------------------------------------------ scales


def test_scales_training_data_is_all_valid_and_uniform_noise_is_not():
    ds = load_dataset("scales", n=400)
    assert len(ds.meta["vocabulary"]) <= 40 and ds.x.shape == (320, 32)
    assert valid_share(ds.x, ds.meta) == 1.0
    assert valid_share(load_dataset("scales", n=400, split="test").x, ds.meta) == 1.0
    noise = torch.randint(0, len(ds.meta["vocabulary"]), (2000, 32), generator=torch.Generator().manual_seed(0))
    assert valid_share(noise, ds.meta) < 0.01


def test_scales_grammar_catches_single_token_mistakes():
    ds = load_dataset("scales", n=200, music=MusicOptions(window=16))
    x = ds.x[:50].clone()
    for row in x:
        t = int(row[7])
        row[7] = (t % (len(ds.meta["vocabulary"]) - 1)) + 1  # another real word
    assert valid_share(x, ds.meta) < 0.1
    rng = np.random.default_rng(0)
    assert all(len(sentence(rng, 15)) in (8, 15) for _ in range(20))


def test_scales_in_the_set_representation_stay_valid():
    ds = scales_corpus(MusicOptions(representation="set"), n=300).dataset()
    assert valid_share(ds.x, ds.meta) == 1.0 and all("~" not in w for w in ds.meta["vocabulary"])


def test_music_pieces_gives_whole_decoded_pieces_by_dataset_name():
    pieces = music_pieces("scales", "val", n=50, music={"window": 16})
    assert len(pieces) == 5 and all(p.dtype == np.int64 and p.shape[1] == 3 for p in pieces)
    with pytest.raises(DataError, match="not a music dataset"):
        music_corpus("ring8")
    with pytest.raises(DataError, match="unknown music option"):
        load_dataset("scales", music={"windows": 16})
