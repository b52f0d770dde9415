"""Deepfake detection on Fashion-MNIST: own generators, the cross-generator table, robustness.

    python -m bench.detect_generators          # once: trains the five generators, keeps their samples (~25 min)
    python -m bench.detect [--methods histogram,spectral,cnn] [--cnn-rows fashion-dcgan] [--n 5000] [--eval-n 2000] [--out bench/out/detect]

For each method, one detector is trained on each generator's samples (the CNN, the slow one, only on
--cnn-rows): n of them against n real training images, with `gankit detect train`'s split and Platt
calibration. Each is then scored on eval-n held-out samples of every generator against eval-n images
of the real test split. fashion-cyclegan's samples are ankle boots (translated sneakers), so its real
images are ankle boots too, for training and for scoring. Printed:
- own generator: the fashion-dcgan detector on fashion-dcgan samples it never saw (seed 2), with
  bootstrap intervals, and its robustness rows (JPEG 90/75/50, 0.5× resize, blur σ = 1, 7/8 crop);
- the cross-generator table: AP of the detector trained on the row's generator, on each column's.
fashion-stylegan2 trains on Fashion-MNIST padded to 32 px; its samples are cropped back to the 28-px field.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from gankit.data.registry import load_dataset
from gankit.detect import evaluate_detector, format_detection_card, train_detector
from gankit.detect.inputs import Images
from gankit.detect.sources import Source

GENERATORS = ["fashion-dcgan", "fashion-cdcgan", "fashion-stylegan2", "fashion-cyclegan", "plain-dcgan"]
ANKLE_BOOT = 9
ONE_CLASS = {"fashion-cyclegan": ANKLE_BOOT}


def _real(split: str, n: int, seed: int, cls: int | None = None) -> Images:
    data = load_dataset("fashion-mnist", split=split)
    x = data.x.numpy()[:, 0] if cls is None else data.x.numpy()[data.y.numpy() == cls, 0]
    pick = np.sort(np.random.default_rng(seed).choice(len(x), min(n, len(x)), replace=False))
    return Images(np.ascontiguousarray(x[pick])[..., None], [str(i) for i in pick], f"fashion-mnist {split}")


def _fakes(folder: Path, name: str, n: int, held_n: int, held: bool) -> Images:
    """n training samples of a generator, or held_n others (its separate held-out file, or the last held_n)."""
    if held and (folder / f"{name}-heldout.npy").exists():
        x = np.load(folder / f"{name}-heldout.npy")[:held_n]
    else:
        x = np.load(folder / f"{name}.npy")
        x = x[len(x) - held_n :] if held else x[: min(n, len(x) - held_n)]
    if x.shape[1] == 32:  # padded Fashion-MNIST: the 28-px field is the centre
        x = x[:, 2:30, 2:30]
    return Images(np.ascontiguousarray(x)[..., None], [str(i) for i in range(len(x))], name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/detect"))
    ap.add_argument("--methods", default="histogram,spectral,cnn")
    ap.add_argument("--cnn-rows", default="fashion-dcgan", help="the generators a CNN is trained on (it is the slow one)")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--eval-n", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--bootstrap", type=int, default=1000)
    args = ap.parse_args()
    fakes_dir = args.out / "fakes"
    real_test = _real("test", args.eval_n, 1)
    held = {name: _fakes(fakes_dir, name, args.n, args.eval_n, held=True) for name in GENERATORS}
    real_test_for = {g: _real("test", args.eval_n, 1, ONE_CLASS[g]) if g in ONE_CLASS else real_test
                     for g in GENERATORS}
    results = {}
    for method in args.methods.split(","):
        table = {}
        rows = args.cnn_rows.split(",") if method == "cnn" else GENERATORS
        for train_on in rows:
            t0 = time.perf_counter()
            det_dir = args.out / "detectors" / f"{method}-{train_on}"
            fake = _fakes(fakes_dir, train_on, args.n, args.eval_n, held=False)
            real_train = _real("train", args.n, 0, ONE_CLASS.get(train_on))
            det = train_detector(real_train, [Source(train_on, fake, {"kind": "images", "path": train_on})], method,
                                 det_dir, seed=0, epochs=args.epochs, progress=False)
            robust = train_on == "fashion-dcgan"
            cards = [evaluate_detector(det, real_test_for[g], {g: (held[g], {"kind": "images", "path": g})},
                                       det_dir, robustness=robust and g == train_on,
                                       n_boot=args.bootstrap if robust else 200, seed=1) for g in GENERATORS]
            card = {**cards[0], "rows": [r for c in cards for r in c["rows"]]}
            (det_dir / "eval_card.json").write_text(json.dumps(card, indent=2))
            table[train_on] = {r["generator"]: r["ap"] for r in card["rows"] if r["condition"] == "clean"}
            print(f"{method} on {train_on}: trained and scored in {time.perf_counter() - t0:.0f} s "
                  f"(held-out AP {det.facts['heldout']['ap']:.4f})", flush=True)
            if robust:
                print(format_detection_card(card), flush=True)
        results[method] = table
        print(f"\n{method}: AP of the detector trained on the row's generator, on each column's held-out samples")
        print("| trained on | " + " | ".join(GENERATORS) + " |\n|---|" + "---|" * len(GENERATORS))
        for row, aps in table.items():
            print(f"| {row} | " + " | ".join(f"{aps[g]:.3f}" for g in GENERATORS) + " |")
    (args.out / "detect.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
