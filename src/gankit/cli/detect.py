"""`gankit detect train|score|eval` and `gankit provenance`: the other half of generating images."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import numpy as np

from gankit.cli.arguments import POSITIVE, SEED, count
from gankit.detect import evaluate_detector, format_detection_card, load_detector, read_images, train_detector
from gankit.detect.calibration import METHODS as CALIBRATIONS
from gankit.detect.detector import METHODS
from gankit.detect.provenance import describe, find_runs, image_files, inspect
from gankit.detect.sources import file_source, real_images, source
from gankit.errors import ConfigError, DataError
from gankit.utils.atomic import write_json_atomic, write_text_atomic

EXAMPLES = """examples:
  gankit detect train --real fashion-mnist --fake runs/fashion-dcgan --method spectral --out det/spectral
  gankit detect train --real fashion-mnist --fake runs/fashion-dcgan --fake-images plain.npy --method cnn --out det/cnn
  gankit detect score det/hist --input suspicious/ --out scores.csv
  gankit detect eval det/hist --real fashion-mnist --fake runs/fashion-dcgan --fake runs/fashion-stylegan2
  gankit provenance grid.png translated/ --runs runs
"""


def add_detect(sub: argparse._SubParsersAction) -> None:
    """detect (train, score, eval) and provenance."""
    d = sub.add_parser("detect", help="train, apply and evaluate a detector of generated images", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = d.add_subparsers(dest="verb", metavar="VERB")
    t = verbs.add_parser("train", help="fit a real-vs-generated detector", epilog=EXAMPLES,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--real", required=True, help="real images: a dataset name (its train split), a folder or a uint8 .npy")
    t.add_argument("--fake", nargs="+", default=[], metavar="RUN", help="gankit run folders to sample generated images from")
    t.add_argument("--fake-images", nargs="+", default=[], metavar="PATH",
                   help="generated images as folders, image files or uint8 .npy (N×H×W or N×H×W×3)")
    t.add_argument("--method", choices=METHODS, default="histogram",
                   help="histogram (intensity levels: the most accurate on gankit's runs, the most fragile), spectral "
                        "(power spectrum: robust, explainable), cnn (CNNDetection's recipe); default histogram")
    t.add_argument("--n", type=count(20), default=5000, help="images per generated source and of real ones (default 5000)")
    t.add_argument("--epochs", type=POSITIVE, default=6, help="CNN epochs (default 6)")
    t.add_argument("--calibration", choices=CALIBRATIONS, default="platt", help="platt (default) or isotonic")
    t.add_argument("--seed", type=SEED, default=0, help="seed of the samples, the split and the CNN (default 0)")
    t.add_argument("--out", required=True, help="the detector folder to write")

    s = verbs.add_parser("score", help="the probability that each image is generated")
    s.add_argument("detector", metavar="DET", help="a detector folder written by `gankit detect train`")
    s.add_argument("--input", required=True, help="an image file, a folder of images or a uint8 .npy")
    s.add_argument("--out", required=True, help="FILE.csv or FILE.json: one row per image")

    e = verbs.add_parser("eval", help="AP, accuracy and ROC AUC per generator, clean and degraded")
    e.add_argument("detector", metavar="DET", help="a detector folder written by `gankit detect train`")
    e.add_argument("--real", required=True, help="real images: a dataset name (its test split), a folder or a .npy")
    e.add_argument("--fake", action="append", required=True, metavar="PATH",
                   help="generated images: a run folder (sampled), a folder or a .npy (repeatable)")
    e.add_argument("--n", type=count(10), default=2000, help="images per set (default 2000)")
    e.add_argument("--bootstrap", type=count(10), default=1000, help="bootstrap resamples (default 1000)")
    e.add_argument("--no-robustness", dest="robustness", action="store_false", help="clean images only")
    e.add_argument("--seed", type=SEED, default=1, help="seed of the samples and the bootstrap (default 1)")
    e.add_argument("--card", default=None, help="where to write the card (default DET/eval_card.json)")

    p = sub.add_parser("provenance", help="which gankit run made an image: its metadata and invisible watermark")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--runs", action="append", default=None, metavar="DIR",
                   help="where to look for the run folders the images name (default ./runs; repeatable)")


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


