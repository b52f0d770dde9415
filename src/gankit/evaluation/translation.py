"""`gankit eval` on a translation run: did A become B, and did it stay itself?

For each direction the run has, the held-out images of the source domain are translated and scored
(see gankit.metrics.translation): the share the judge assigns to the target domain, FID against the
target domain's held-out images, content preservation against a random-target baseline, and the
cycle error F(G(a)) − a (CycleGAN) or the L1 against the ground truth (pix2pix). The judge and the
features come from the shipped Fashion-MNIST classifier for data made from Fashion-MNIST, and from
a classifier of the two domains trained on the run's own training images otherwise (evaluation.domain_judge).
"""

from __future__ import annotations

import time
from typing import Any

import torch

from gankit.data.pairs import domain_images
from gankit.evaluation.domain_judge import Judge, judge_for
from gankit.metrics import extract_features, extractor_provenance, fid
from gankit.metrics.base import MetricResult
from gankit.metrics.translation import content_preservation, mean_l1, translation_accuracy
from gankit.run import Run
from gankit.translator import Translator
from gankit.utils.images import from_uint8
from gankit.version import __version__

SOURCE = {"AtoB": (0, 1), "BtoA": (1, 0)}  # direction -> (source domain, target domain)


def evaluate_translation(run: Run, n: int | None = None, seed: int = 0, judge: Judge | None = None) -> dict[str, Any]:
    """Score every direction of a translation run on up to n held-out images per domain; returns the metric card."""
    t0 = time.perf_counter()
    translator = Translator(run)
    test = run.dataset(split="test", n=None)
    images = [_subset(domain_images(test, k), n, seed + k) for k in (0, 1)]
    judge = judge or judge_for(run)
    prov = {**extractor_provenance(judge.extractor), "reference": f"{run.data_name}/test", "seed": seed}
    results: dict[str, MetricResult] = {}
    for direction in translator.directions:
        results.update(_direction(translator, direction, images, judge, prov, seed))
    return {
        "run": str(run.path), "game": run.config.game, "gankit_version": __version__,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "step": run.step, "domains": translator.domains,
        "n_test": [len(x) for x in images], "reference": f"{run.data_name}/test", "judge": judge.describe(),
        "extractor": extractor_provenance(judge.extractor), "seeds": {"subset": seed, "metrics": seed},
        "seconds": round(time.perf_counter() - t0, 2),
        "metrics": {k: v.as_dict() for k, v in results.items()},
    }


def _subset(x: torch.Tensor, n: int | None, seed: int) -> torch.Tensor:
    if n is None or n >= len(x):
        return x
    return x[torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:n]]


def _direction(translator: Translator, direction: str, images: list[torch.Tensor], judge: Judge, prov: dict,
               seed: int) -> dict[str, MetricResult]:
    src_k, tgt_k = SOURCE[direction]
    src, tgt = from_uint8(images[src_k]), from_uint8(images[tgt_k])  # once, in model space
    out = translator.translate(src, direction)
    f_src, f_out, f_tgt = (extract_features(judge.extractor, x) for x in (src, out, tgt))
    res: dict[str, MetricResult] = {}
    target_class = judge.classes[tgt_k]
    if target_class is not None:
        acc = translation_accuracy(judge.classify(out), target_class, prov, name=f"accuracy_{direction}")
        acc.extras["real_target_accuracy"] = float((judge.classify(tgt) == target_class).float().mean())
        res[acc.name] = acc
    res[f"fid_{direction}"] = fid(f_tgt, f_out, provenance=prov)
    res[f"fid_{direction}"].name = f"fid_{direction}"
    content = content_preservation(src, out, tgt, seed=seed, features=(f_src, f_out, f_tgt),
                                   provenance=prov)
    content.name = f"content_{direction}"
    res[content.name] = content
    if translator.run.config.game == "cyclegan":
        back = translator.translate(out, "BtoA" if direction == "AtoB" else "AtoB")
        res[f"cycle_{direction}"] = mean_l1(src, back, f"cycle_{direction}", prov)
    elif len(src) == len(tgt):  # pix2pix: the held-out pairs are aligned
        res["l1"] = mean_l1(out, tgt, "l1", prov)
    return res


def format_translation_card(card: dict[str, Any]) -> str:
    """The card as an aligned text table."""
    a, b = card["domains"]
    lines = [f"{card['run']} (step {card['step']}, {card['game']}): A = {a}, B = {b}, "
             f"{card['n_test'][0]} + {card['n_test'][1]} held-out images", f"judge: {card['judge']}, "
             f"{card['seconds']:.1f} s", "", f"{'metric':<14} {'value':>10}  notes"]
    for name, r in card["metrics"].items():
        note = f"95% CI [{r['ci'][0]:.4g}, {r['ci'][1]:.4g}]" if r.get("ci") else ""
        if "baseline" in r["extras"]:
            note += f"; random-target baseline {r['extras']['baseline']:.4g} (ratio {r['extras']['ratio']:.3f})"
        if "real_target_accuracy" in r["extras"]:
            note += f"; real target images: {r['extras']['real_target_accuracy']:.3f}"
        lines.append(f"{name:<14} {r['value']:>10.5g}  {note}")
    return "\n".join(lines)
