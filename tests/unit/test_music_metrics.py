"""BLEU against NLTK's sentence_bleu, musical statistics on hand-made pieces, and the random token baseline."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

from gankit.metrics.base import MetricError
from gankit.metrics.music import (
    BleuReferences,
    bleu,
    bleu_scores,
    empty_bar_share,
    music_statistics,
    random_token_baseline,
    scale_consistency,
    sounding_counts,
    statistics_distance,
)
from gankit.utils.pitch import estimate_key

nltk_bleu = pytest.importorskip("nltk.translate.bleu_score")

SPB = 16  # steps per bar: 4/4 in sixteenths


def nltk_mean_bleu(hyps, refs, n):
    smooth = nltk_bleu.SmoothingFunction().method4
    return sum(nltk_bleu.sentence_bleu(refs, h, weights=(1 / n,) * n, smoothing_function=smooth) for h in hyps) / len(hyps)


def random_case(rng: random.Random):
    vocab = rng.choice([2, 3, 8, 50, 1000])
    refs = [[rng.randrange(vocab) for _ in range(rng.randint(0, 14))] for _ in range(rng.randint(1, 120))]
    # some hypothesis tokens never occur in the references (vocab + 3), and some hypotheses are shorter than n
    hyps = [[rng.randrange(vocab + 3) for _ in range(rng.choice([0, 1, 2, 3, rng.randint(4, 16)]))] for _ in range(8)]
    hyps.append(list(refs[0]) + list(refs[0]))  # repeated n-grams, clipped by the maximum reference count
    return hyps, refs


@pytest.mark.parametrize("seed", range(24))
def test_bleu_equals_nltk(seed):
    hyps, refs = random_case(random.Random(seed))
    got = bleu_scores(hyps, refs, orders=(1, 2, 3, 4))
    for n in (1, 2, 3, 4):
        assert got[f"bleu{n}"] == pytest.approx(nltk_mean_bleu(hyps, refs, n), abs=1e-9)


def test_bleu_edge_cases_equal_nltk():
    refs = [[1, 2, 3, 4, 5, 6], [1, 2, 2, 2], [7, 8]]
    cases = [[[]], [[9]], [[1]], [[9, 9, 9, 9, 9]], [[2, 2, 2, 2, 2, 2, 2]], [[1, 2]], [[7, 8, 9]], [[1, 2, 3, 4, 5, 6]]]
    for hyps in cases:
        for n in (2, 3, 4):
            assert bleu(hyps, refs, n) == pytest.approx(nltk_mean_bleu(hyps, refs, n), abs=1e-9), (hyps, n)


def test_bleu_of_a_reference_is_one_and_tensors_are_accepted():
    refs = torch.randint(0, 30, (50, 20), generator=torch.Generator().manual_seed(1))
    assert bleu_scores(refs[:5], refs) == {"bleu2": 1.0, "bleu3": 1.0, "bleu4": 1.0}
    as_lists = [r.tolist() for r in refs]
    assert bleu(refs[5:9].numpy(), as_lists, 3) == pytest.approx(1.0)


def test_prepared_references_are_reused_and_checked():
    rng = np.random.default_rng(0)
    refs, hyps = rng.integers(0, 40, (200, 16)), rng.integers(0, 40, (30, 16))
    prepared = BleuReferences(refs, max_order=4)
    assert bleu_scores(hyps, prepared) == bleu_scores(hyps, refs)
    with pytest.raises(MetricError, match="max_order=5"):
        bleu(hyps, prepared, 5)
    with pytest.raises(MetricError, match="at least one reference"):
        bleu(hyps, [], 2)
    with pytest.raises(MetricError, match="at least one hypothesis"):
        bleu([], refs, 2)


def test_bleu_of_many_references_is_nltks():
    rng = np.random.default_rng(0)
    refs, hyps = rng.integers(0, 500, (3000, 32)), rng.integers(0, 500, (1000, 32))
    scores = bleu_scores(hyps, refs)
    assert 0 < scores["bleu4"] < scores["bleu3"] < scores["bleu2"] < 1
    few = [h.tolist() for h in hyps[:3]]
    assert bleu(few, refs, 4) == pytest.approx(nltk_mean_bleu(few, [r.tolist() for r in refs], 4), abs=1e-9)


# ---- musical statistics -------------------------------------------------------------------------------------

def melody(pitches, durations, start=0):
    onsets = start + np.concatenate([[0], np.cumsum(durations)[:-1]])
    return np.stack([pitches, onsets, durations], axis=1).astype(np.int64)


C_MAJOR = melody([60, 62, 64, 65, 67, 69, 71, 72], [4] * 8)  # two bars of quarter notes
WITH_F_SHARP = melody([60, 62, 64, 66, 67, 69, 71, 72], [8, 2, 8, 2, 8, 2, 2, 8])  # long C, E, G: still C major
CHORD = np.array([[60, 0, 8], [64, 0, 8], [67, 0, 8]])  # a C-major triad for half a bar


def test_scale_consistency_counts_notes_in_the_estimated_key():
    assert scale_consistency(C_MAJOR) == 1.0
    assert estimate_key(WITH_F_SHARP) == (0, "major")
    assert scale_consistency(WITH_F_SHARP) == 7 / 8
    assert scale_consistency(np.zeros((0, 3), dtype=np.int64)) == 0.0


def test_statistics_of_hand_made_pieces():
    stats = music_statistics([C_MAJOR, CHORD], SPB, lengths=[64, 16])
    assert stats.pitch_range.tolist() == [12, 7]
    assert stats.scale_consistency.tolist() == [1.0, 1.0]
    assert stats.empty_bars.tolist() == [0.5, 0.0]  # the scale fills 2 of 4 bars; the chord sounds in its one bar
    # polyphony: the scale has 32 steps of 1 note and 32 silent; the chord 8 steps of 3 notes and 8 silent
    assert stats.polyphony[:4].tolist() == [40, 32, 0, 8] and stats.polyphony[4:].sum() == 0
    assert len(stats.polyphony) == 9
    assert stats.note_length[3] == 8 and stats.note_length[7] == 3 and stats.note_length.sum() == 11
    expected_pc = np.zeros(12)
    expected_pc[[0, 2, 4, 5, 7, 9, 11]] = [8, 4, 4, 4, 4, 4, 4]
    expected_pc[[0, 4, 7]] += 8
    np.testing.assert_array_equal(stats.pitch_class, expected_pc)
    summary = stats.summary()
    assert summary["mean_pitch_range"] == 9.5
    assert summary["mean_empty_bars"] == 0.25
    assert summary["mean_polyphony"] == pytest.approx((32 * 1 + 8 * 3) / 40)
    assert summary["mean_note_length"] == pytest.approx((8 * 4 + 3 * 8) / 11)


def test_lengths_are_inferred_as_whole_bars_and_long_notes_are_clipped():
    piece = np.array([[60, 0, 100], [62, 40, 1]])  # ends at step 100: 7 bars of 16
    stats = music_statistics([piece], SPB)
    assert stats.lengths.tolist() == [112]
    assert stats.note_length[-1] == 1 and stats.note_length[0] == 1  # 100 steps clipped into the 64-step bin
    assert stats.polyphony[2] == 1 and stats.polyphony[1] == 99 and stats.polyphony[0] == 12
    assert sounding_counts(piece, 50)[40] == 2
    assert empty_bar_share(np.array([0, 0, 1, 0, 0]), 2) == 2 / 3  # bars [0 0] [1 0] [0]


def test_distances_zero_for_identical_and_one_for_disjoint():
    pieces = [C_MAJOR, CHORD, WITH_F_SHARP]
    stats = music_statistics(pieces, SPB)
    dist = statistics_distance(stats, music_statistics([p.copy() for p in pieces], SPB))
    assert all(v == 0.0 for v in dist.values()), dist
    disjoint = statistics_distance(music_statistics([np.array([[61, 0, 4]])], SPB),
                                   music_statistics([np.array([[60, 0, 4]])], SPB))
    assert disjoint["pitch_class"] == pytest.approx(1.0)
    assert disjoint["note_length"] == 0.0 and disjoint["pitch_range"] == 0.0
    assert set(dist) == {"pitch_class", "note_length", "polyphony", "pitch_range", "scale_consistency",
                         "empty_bars", "summary"}


def test_empty_inputs_do_not_crash_and_count_as_maximal_distance():
    empty = music_statistics([], SPB)
    silent = music_statistics([np.zeros((0, 3), dtype=np.int64)], SPB, lengths=32)
    full = music_statistics([C_MAJOR], SPB)
    assert silent.empty_bars.tolist() == [1.0] and silent.polyphony[0] == 32
    for a in (empty, silent):
        dist = statistics_distance(a, full)
        assert dist["pitch_class"] == 1.0 and dist["note_length"] == 1.0
        assert all(0.0 <= v <= 1.0 for v in dist.values())
    assert statistics_distance(empty, full)["pitch_range"] == 1.0
    assert empty.summary()["mean_pitch_range"] == 0.0 and empty.summary()["sequences"] == 0.0
    summary = statistics_distance(silent, full)
    assert summary["summary"] == pytest.approx(np.mean([v for k, v in summary.items() if k != "summary"]))
    with pytest.raises(MetricError, match="steps per bar"):
        statistics_distance(music_statistics([C_MAJOR], 12), full)


def test_random_token_baseline_is_seeded_and_never_unk():
    a, b = random_token_baseline(64, 32, 10, seed=3), random_token_baseline(64, 32, 10, seed=3)
    assert a.dtype == torch.long and a.shape == (64, 32)
    assert torch.equal(a, b) and not torch.equal(a, random_token_baseline(64, 32, 10, seed=4))
    assert int(a.min()) == 1 and int(a.max()) == 9
    with pytest.raises(MetricError, match="at least 2"):
        random_token_baseline(1, 1, 1, seed=0)
    assert math.isfinite(bleu(a[:8], random_token_baseline(50, 32, 10, seed=5), 4))
