"""`gankit eval` on a text-to-image run: does each image show what its caption says?

Each evaluation set (shapes: the test split of the training combinations and the held-out split;
fashion-text: test images under training phrasings and under held-out phrasings; a folder: its
test split) is scored for three systems side by side:
- generated: one image per caption, from the run's generator;
- caption ignored: the same generator given the captions of other images (a random permutation),
  scored against the original captions; the unconditional baseline;
- real: the set's own images.
Metrics: R-precision in the run's image–text space (AttnGAN; k mismatching captions per image, over
folds); FID against the set's real images (the shipped domain classifier's features: shapes,
Fashion-MNIST; Inception-v3 for folders when its weights are here); shapes: the checker's accuracy on
colour, shape, size and relation, one- and two-object captions apart; fashion-text: the shipped
classifier's class accuracy.
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch

from gankit.data.base import ArrayDataset
from gankit.data.captions.fashion import load_fashion_captions
from gankit.data.captions.shapes_checker import attribute_accuracy
from gankit.games.text2img.captions import embed_captions, meaning_ids
from gankit.illustrator import Illustrator, draw_each
from gankit.metrics.base import MetricError
from gankit.metrics.features import extract_features, load_extractor
from gankit.metrics.fid import fid
from gankit.metrics.r_precision import mismatch_indices, r_precision
from gankit.run import Run
from gankit.utils.images import to_uint8
from gankit.version import __version__

SYSTEMS = {"generated": "G", "ignored": "caption ignored", "real": "real images"}
FEATURES = {"shapes": "shapes", "fashion-text": "fashion-mnist", "caption-folder": "inception-v3"}
MAX_K = 99  # mismatching captions per image in R-precision (AttnGAN, DM-GAN)


def evaluation_sets(run: Run) -> dict[str, ArrayDataset]:
    """The sets a run is scored on, by name."""
    name = run.data_name
    if name == "shapes":
        return {"test (training combinations)": run.dataset(split="test"),
                "held-out combinations": run.dataset(split="heldout")}
    if name == "fashion-text":
        d = run.config.data
        heldout = load_fashion_captions(d.path, split="test", size=d.size, download=False, seed=run.config.seed,
                                        phrasings="heldout")
        return {"test, training phrasings": run.dataset(split="test"), "test, held-out phrasings": heldout}
    return {"test": run.dataset(split="test")}


def _subset(data: ArrayDataset, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    idx = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[:n] if len(data) > n else torch.arange(len(data))
    return data.x[idx], data.y[idx], [data.captions[i] for i in idx.tolist()]


def _groups(captions: list[str], labels: torch.Tensor, data_name: str) -> torch.Tensor:
    """An id per caption: its class (captions of one class are never mismatches), its scene (shapes) or its text."""
    return labels.long() if data_name == "fashion-text" else meaning_ids(captions, scenes=data_name == "shapes")


class RPrecision:
    """R-precision of images against their captions in the run's image–text space (AttnGAN, DM-GAN)."""

    def __init__(self, ill: Illustrator, captions: list[str], groups: torch.Tensor, folds: int, seed: int) -> None:
        self.ill, self.folds = ill, folds
        texts = sorted(set(captions))
        row = {t: i for i, t in enumerate(texts)}
        self.true = torch.tensor([row[c] for c in captions])
        group_of_text = torch.zeros(len(texts), dtype=torch.long)
        group_of_text[self.true] = groups
        # mismatches are drawn one per other group: other scenes (shapes), texts (folders) or classes (fashion-text)
        self.k = min(MAX_K, len(group_of_text.unique()) - 1)
        self.mismatch = mismatch_indices(groups, group_of_text, k=self.k, generator=torch.Generator().manual_seed(seed))
        run = ill.run
        _, sentence = embed_captions(texts, ill.E, ill.vocabulary, run.config.text.max_words, run.device)
        self.text = sentence.cpu()

    @torch.no_grad()
    def __call__(self, images: torch.Tensor) -> float:
        """The mean share of images whose own caption ranks first among k + 1 (over folds)."""
        emb = torch.cat([self.ill.E.image(images[i:i + 500].to(self.ill.run.device))[1].cpu()
                         for i in range(0, len(images), 500)])
        return r_precision(emb, self.text, self.true, self.mismatch, folds=self.folds)[0]


def _score_set(ill: Illustrator, data: ArrayDataset, train: ArrayDataset, n: int, seed: int, folds: int,
               extractor) -> dict[str, Any]:
    x, y, captions = _subset(data, n, seed)
    fashion = ill.run.data_name == "fashion-text"
    perm = torch.randperm(len(captions), generator=torch.Generator().manual_seed(seed + 1)).tolist()
    images = {"generated": draw_each(ill, captions, seed), "ignored": draw_each(ill, [captions[i] for i in perm], seed),
              "real": data.to_model_space(x)}
    rp = RPrecision(ill, captions, _groups(captions, y, ill.run.data_name), folds, seed)
    view = native_view if fashion else (lambda t: t)
    real_features = extract_features(extractor, view(x)) if extractor is not None else None
    out: dict[str, dict[str, float]] = {}
    for system, imgs in images.items():
        scores = {"r_precision": rp(imgs)}
        if real_features is not None:  # the real images' FID is that of as many training images: the floor
            other = _subset(train, n, seed + 2)[0] if system == "real" else imgs
            scores["fid"] = fid(real_features, extract_features(extractor, view(other))).value
        if ill.run.data_name == "shapes":
            scores.update(_shape_parts(imgs, captions))
        if fashion:
            with torch.no_grad():
                scores["class_accuracy"] = float((extractor.logits(view(imgs)).argmax(1) == y).float().mean())
        out[system] = scores
    return {"n": len(captions), "k": rp.k, "metrics": out, "distinct_captions": len(set(captions))}


def native_view(images: torch.Tensor) -> torch.Tensor:
    """Fashion-MNIST padded to 32 px (data.size=32 pads 2 px, no resampling) cropped back to its own 28 px,
    so the shipped classifier sees images as it was trained on them rather than shrunk by a resize."""
    return images[..., 2:30, 2:30] if images.shape[-1] == 32 else images


def _shape_parts(images: torch.Tensor, captions: list[str]) -> dict[str, float]:
    """The checker's accuracy per caption part, one- and two-object captions apart."""
    pixels = to_uint8(images)
    out = {}
    for label, one in (("one", True), ("two", False)):
        idx = [i for i, c in enumerate(captions) if _one_object(c) == one]
        if idx:
            acc = attribute_accuracy(pixels[idx], [captions[i] for i in idx])
            out.update({f"{label}_{part}": value for part, value in acc.items() if value is not None})
    return out


def _one_object(caption: str) -> bool:
    return not any(rel in caption for rel in (" left of ", " right of ", " above ", " below "))


def evaluate_text2img(run: Run, n: int | None = None, seed: int = 0, folds: int = 10) -> dict[str, Any]:
    """Score a text-to-image run on each of its evaluation sets; returns the card."""
    t0 = time.perf_counter()
    ill = Illustrator(run)
    n = n or 1000
    try:
        extractor = load_extractor(FEATURES.get(run.data_name, "inception-v3"))
        fid_note = getattr(extractor, "name", "")
    except MetricError as e:
        extractor, fid_note = None, f"FID left out: {e}"
    train = run.dataset()
    sets = {name: _score_set(ill, data, train, n, seed, folds, extractor) for name, data in evaluation_sets(run).items()}
    return {"run": str(run.path), "game": run.config.game, "gankit_version": __version__,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "step": run.step, "seed": seed, "folds": folds,
            "encoder": run.config.text.encoder, "features": fid_note, "seconds": round(time.perf_counter() - t0, 2),
            "sets": sets}


ROWS = [("R-precision ↑", "r_precision"), ("FID ↓", "fid"), ("class accuracy ↑", "class_accuracy")]
PARTS = ("colour", "shape", "size", "relation", "count", "all")


def format_text2img_card(card: dict[str, Any]) -> str:
    """The card as one table per evaluation set: a column per system."""
    lines = [f"{card['run']}  step {card['step']}, encoder {card['encoder']}, seed {card['seed']}",
             f"features for FID: {card['features']}; the real images' FID is as many training images' (the floor)"]
    for name, block in card["sets"].items():
        metrics = block["metrics"]
        rows = [(label, key) for label, key in ROWS if key in metrics["generated"]]
        rows[0] = (f"R-precision (k={block['k']}, {card['folds']} folds) ↑", "r_precision")
        for objects in ("one", "two"):
            rows += [(f"{objects}-object {part} ↑", f"{objects}_{part}") for part in PARTS
                     if _measured(metrics["generated"].get(f"{objects}_{part}"))]
        width = max(len(label) for label, _ in rows) + 2
        lines += ["", f"{name}: {block['n']} captions ({block['distinct_captions']} distinct)",
                  f"{'':<{width}}" + "".join(f"{SYSTEMS[s]:>18}" for s in SYSTEMS)]
        for label, key in rows:
            cells = "".join(_cell(metrics[s].get(key), key) for s in SYSTEMS)
            lines.append(f"{label:<{width}}{cells}")
    return "\n".join(lines)


def _measured(value: float | None) -> bool:
    """Whether a score was measured (relation is NaN on one-object captions, which have none)."""
    return value is not None and not math.isnan(value)


def _cell(value: float | None, key: str) -> str:
    if value is None:
        return f"{'–':>18}"
    return f"{value:>18.2f}" if key == "fid" else f"{100 * value:>17.1f}%"


__all__ = ["evaluate_text2img", "evaluation_sets", "format_text2img_card", "native_view"]
