"""`gankit eval` on a SeqGAN run: its adversarial G beside its own MLE-pretrained G, each against held-out pieces.

Every system writes n sequences of the training window's length and is scored against the windows
of the held-out test pieces (gankit.metrics.music): BLEU-2/3/4 (NLTK's smoothing method 4, as Yu
et al. 2017 and Lee et al. 2017) and the distances between musical statistics, with their mean as
the summary. The generators' negative log-likelihood per token on the validation windows says how
well each still models the data. Floor and ceiling: uniformly random tokens, and real music (the
validation pieces against the same test references, and the test pieces against the training set).
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch

from gankit.composer import Composer
from gankit.data.base import ArrayDataset
from gankit.data.music import decode_tokens
from gankit.losses.sequence import mle_loss
from gankit.metrics.music import BleuReferences, MusicStats, bleu_scores, music_statistics, random_token_baseline, statistics_distance
from gankit.run import Run
from gankit.version import __version__

BLEU = ("bleu2", "bleu3", "bleu4")
SYSTEMS = {"adversarial": "SeqGAN G", "pretrained": "MLE G", "random": "random tokens",
           "val_vs_test": "real: val pieces", "test_vs_train": "real: test vs train"}
MAX_REAL = 2000  # real hypotheses (windows) scored per ceiling: a seeded subset beyond this


def _subset(x: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    if len(x) <= n:
        return x
    return x[torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:n]]


class MusicScorer:
    """Scores token sequences against one set of reference windows (BLEU and musical statistics)."""

    def __init__(self, references: torch.Tensor, info: dict[str, Any]) -> None:
        self.info, self.steps_per_bar = info, int(info["steps_per_bar"])
        self.references = BleuReferences(references.tolist(), max_order=4)
        self.reference_stats = self.stats(references)

    def stats(self, ids: torch.Tensor) -> MusicStats:
        """The musical statistics of sequences of ids."""
        pieces = [decode_tokens(row, self.info["vocabulary"], self.info["representation"]) for row in ids.tolist()]
        return music_statistics(pieces, self.steps_per_bar, lengths=[ids.shape[1]] * len(pieces))

    def score(self, ids: torch.Tensor) -> dict[str, float]:
        """BLEU-2/3/4, each statistic's distance and the summary distance, and the statistics' means."""
        stats = self.stats(ids)
        out = {**bleu_scores(ids.tolist(), self.references, orders=(2, 3, 4)),
               **{f"dist_{k}": v for k, v in statistics_distance(stats, self.reference_stats).items()}}
        out.update({k: v for k, v in stats.summary().items() if k.startswith("mean_")})
        return out


@torch.no_grad()
def validation_nll(G: torch.nn.Module, windows: torch.Tensor, batch: int = 256) -> float:
    """G's mean negative log-likelihood per token (nats) on windows, by teacher forcing."""
    total = 0.0
    for i in range(0, len(windows), batch):
        x = windows[i : i + batch].to(next(G.parameters()).device)
        total += float(mle_loss(G(x), x)) * len(x)
    return total / max(1, len(windows))


def _systems(run: Run) -> dict[str, Composer]:
    """The generators the run has: the adversarial G, and G_mle once MLE pretraining has finished."""
    systems = {"adversarial": Composer(run, "latest")}
    if run.step >= run.config.music.pretrain_g:
        systems["pretrained"] = Composer(run, "pretrained")
    return systems


def evaluate_music(run: Run, n: int | None = None, seed: int = 0, temperature: float = 1.0) -> dict[str, Any]:
    """Score a SeqGAN run's generators, random tokens and real music against the test pieces; returns the card."""
    t0 = time.perf_counter()
    test, val, train = (run.dataset(split=s) if s != "train" else run.dataset() for s in ("test", "val", "train"))
    n = n or min(len(test), MAX_REAL)
    scorer = MusicScorer(test.x, run.info)
    vocab, window = len(run.info["vocabulary"]), int(run.info["shape"][0])
    results: dict[str, dict[str, float]] = {}
    for name, composer in _systems(run).items():
        results[name] = {**scorer.score(composer.sample_ids(n, window, seed, temperature)),
                         "val_nll": validation_nll(composer.G, val.x)}
    results["random"] = {**scorer.score(random_token_baseline(n, window, vocab, seed)), "val_nll": math.log(vocab - 1)}
    results["val_vs_test"] = scorer.score(_subset(val.x, MAX_REAL, seed))
    results["test_vs_train"] = MusicScorer(train.x, run.info).score(_subset(test.x, MAX_REAL, seed))
    return {
        "run": str(run.path), "game": run.config.game, "gankit_version": __version__,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "step": run.step, "n": n, "seed": seed,
        "temperature": temperature, "references": f"{run.data_name}/test: {len(test)} windows of "
        f"{len(run.info['split']['test'])} pieces", "split": _split_facts(run.info, train, val, test),
        "seconds": round(time.perf_counter() - t0, 2), "metrics": results,
    }


def _split_facts(info: dict[str, Any], train: ArrayDataset, val: ArrayDataset, test: ArrayDataset) -> dict[str, Any]:
    split = info["split"]
    return {s: {"pieces": len(split[s]), "windows": len(d)} for s, d in (("train", train), ("val", val), ("test", test))}


def format_music_card(card: dict[str, Any]) -> str:
    """The card as a table: one column per system, BLEU and distances first (↑ / ↓ mark the better side)."""
    systems = [s for s in SYSTEMS if s in card["metrics"]]
    rows = [("BLEU-2 ↑", "bleu2"), ("BLEU-3 ↑", "bleu3"), ("BLEU-4 ↑", "bleu4"),
            ("statistics distance ↓", "dist_summary")]
    keys = sorted(k for k in card["metrics"][systems[0]] if k.startswith("dist_") and k != "dist_summary")
    rows += [(f"  {k.removeprefix('dist_').replace('_', ' ')} ↓", k) for k in keys]
    rows += [("validation NLL (nats/token) ↓", "val_nll")]
    means = sorted(k for k in card["metrics"][systems[0]] if k.startswith("mean_"))
    rows += [(f"{k.removeprefix('mean_').replace('_', ' ')} (mean)", k) for k in means]
    width = max(len(label) for label, _ in rows) + 2
    head = "".join(f"{SYSTEMS[s]:>21}" for s in systems)
    lines = [f"{card['run']}  step {card['step']}, {card['n']} sequences per system, seed {card['seed']}",
             f"references: {card['references']}", "", f"{'':<{width}}{head}"]
    for label, key in rows:
        cells = "".join(f"{card['metrics'][s][key]:>21.4f}" if key in card["metrics"][s] else f"{'–':>21}"
                        for s in systems)
        lines.append(f"{label:<{width}}{cells}")
    return "\n".join(lines)


__all__ = ["MusicScorer", "evaluate_music", "format_music_card", "validation_nll"]
