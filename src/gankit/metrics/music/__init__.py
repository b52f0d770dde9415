"""Scores of generated music: BLEU of token sequences (SeqGAN's measure) and musical statistics of note arrays.

- `bleu`, `bleu_scores`, `BleuReferences`: mean sentence BLEU-n with Chen & Cherry's method-4 smoothing, each
  hypothesis against all references (equal to NLTK's `sentence_bleu`), with the references prepared once;
- `music_statistics`, `statistics_distance`: pitch classes, note lengths, polyphony (Jensen–Shannon distances of
  pooled histograms) and pitch range, scale consistency, empty bars (Kolmogorov–Smirnov statistics per piece);
- `random_token_baseline`: uniform random token sequences, the floor any trained generator should beat.
"""

from gankit.metrics.music.bleu import BleuReferences, bleu, bleu_scores, random_token_baseline
from gankit.metrics.music.statistics import (
    MusicStats,
    empty_bar_share,
    js_distance,
    ks_distance,
    music_statistics,
    piece_length,
    scale_consistency,
    sounding_counts,
    statistics_distance,
)

__all__ = [
    "BleuReferences", "MusicStats", "bleu", "bleu_scores", "empty_bar_share", "js_distance", "ks_distance",
    "music_statistics", "piece_length", "random_token_baseline", "scale_consistency", "sounding_counts",
    "statistics_distance",
]
