"""`gankit detect train|score|eval` and `gankit provenance`: the other half of generating images."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import numpy as np

from gankit.detect import evaluate_detector, format_detection_card, load_detector, read_images, train_detector
from gankit.detect.provenance import describe, find_runs, image_files, inspect
from gankit.detect.sources import file_source, real_images, source
from gankit.errors import ConfigError, DataError
from gankit.utils.atomic import write_json_atomic, write_text_atomic


def cmd_detect(args: argparse.Namespace) -> int:
    """Dispatch detect train/score/eval."""
    if args.verb is None:
        raise ConfigError("give a verb: gankit detect train | score | eval (see gankit detect --help)")
    return {"train": _train, "score": _score, "eval": _eval}[args.verb](args)


def _train(args: argparse.Namespace) -> int:
    if not args.fake and not args.fake_images:
        raise ConfigError("give generated images: --fake RUN and/or --fake-images PATH")
    if Path(args.out, "detector.json").exists():
        raise ConfigError(f"{args.out} already holds a detector; choose another --out (nothing was overwritten)")
    real = real_images(args.real, "train", args.n, args.seed, args.fake)
    fakes = [source(path, args.n, args.seed) for path in args.fake]
    fakes += [file_source(path, args.n, args.seed) for path in args.fake_images]
    det = train_detector(real, fakes, args.method, args.out, args.calibration, args.seed, args.epochs)
    h = det.facts["heldout"]
    print(f"{args.method} detector: {args.out} ({det.facts['seconds']:.0f} s)\n"
          f"held out ({h['n_real']} real, {h['n_generated']} generated): AP {h['ap']:.4f}, "
          f"accuracy {h['accuracy']:.4f}, ROC AUC {h['roc_auc']:.4f}\nspectra: {Path(args.out) / 'spectra.png'}")
    return 0


def _score(args: argparse.Namespace) -> int:
    det = load_detector(args.detector)
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".json"):
        raise ConfigError(f"--out {out}: write FILE.csv or FILE.json")
    images = read_images(args.input, shape=det.shape)
    p = det.score(images)
    rows = [{"image": name, "p_generated": round(float(v), 6), "flagged": bool(v >= 0.5)}
            for name, v in zip(images.names, p)]
    if out.suffix.lower() == ".json":
        write_json_atomic(out, {"detector": str(args.detector), "input": str(args.input), "rows": rows})
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["image", "p_generated", "flagged"])
        writer.writeheader()
        writer.writerows(rows)
        write_text_atomic(out, buffer.getvalue())
    flagged = int(np.sum(p >= 0.5))
    print(f"flagged {flagged} of {len(p)} image(s) as generated ({100 * flagged / len(p):.1f}%) at the calibrated "
          f"0.5 threshold; scores: {out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    det = load_detector(args.detector)
    real = real_images(args.real, "test", args.n, args.seed, args.fake)
    fakes = {}
    for path in args.fake:
        src = source(path, args.n, args.seed)
        name = src.name if src.name not in fakes else f"{src.name} ({path})"
        fakes[name] = (src.images, src.origin)
    card = evaluate_detector(det, real, fakes, args.detector, args.robustness, args.bootstrap, args.seed)
    path = Path(args.card or Path(args.detector) / "eval_card.json")
    write_json_atomic(path, card)
    print(format_detection_card(card))
    print(f"\ncard: {path}")
    return 0


def cmd_provenance(args: argparse.Namespace) -> int:
    """Print what each image says about the run that made it."""
    roots = [Path(r) for r in (args.runs or ["runs"])]
    runs = find_runs(roots)
    unreadable = 0
    for path in args.paths:
        for file in image_files(Path(path)):
            try:
                print(describe(inspect(file, runs)))
            except DataError as e:
                print(f"{file}: {e}")
                unreadable += 1
    return 1 if unreadable else 0


