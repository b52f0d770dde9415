"""Train the domain classifiers whose features the metrics use, and ship their weights.

For each of Fashion-MNIST (its official train/test split), sklearn's digits (upscaled to 28×28,
a seeded 80/20 train/test split) and the procedural shapes (load_shapes train / test, RGB 32×32),
train `gankit.metrics.features.DomainClassifier` on CPU with fixed seeds, print the test accuracy, and write
    src/gankit/metrics/weights/{name}-classifier.safetensors
    src/gankit/metrics/weights/{name}-classifier.json   (accuracy, epochs, seed, sha256, arch)

Examples:
    python scripts/train_domain_classifier.py
    python scripts/train_domain_classifier.py --only digits
    python scripts/train_domain_classifier.py --only shapes

Shapes: the head names the largest object's colour, shape and size (36 classes; equal sizes: the one with
more pixels, then the leftmost, then the topmost). So that the features also carry the other object and
the layout, training adds an auxiliary head, dropped before saving: which of the 36 objects are present
(binary cross-entropy) and both objects' box centres (squared error).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

import torch
import torch.nn.functional as F

from gankit.data.captions.shapes import PALETTE, SHAPES, SIZES, load_shapes
from gankit.data.captions.shapes_checker import read_objects
from gankit.data.digits import load_digits
from gankit.data.fashion_mnist import load_fashion_mnist
from gankit.metrics.features import DomainClassifier, domain_weights_path, state_dict_hash

SEED = 0
SETTINGS = {  # epochs, batch size, peak learning rate
    "fashion-mnist": {"epochs": 3, "batch_size": 128, "lr": 3e-3},
    "digits": {"epochs": 15, "batch_size": 64, "lr": 3e-3},
    "shapes": {"epochs": 12, "batch_size": 128, "lr": 3e-3},
}
ARCH = {"shapes": {"in_channels": 3, "image_size": 32, "num_classes": 36}}  # others: the 1×28×28, 10-class default
SHAPES_CLASSES = [f"{size} {colour} {shape}" for colour in PALETTE for shape in SHAPES for size in SIZES]


def shapes_targets(x: torch.Tensor) -> torch.Tensor:
    """Per shapes image N×3×32×32: [class of the largest object, 36 presence bits, centres x0 y0 x1 y1 / 16 - 1].

    The objects are read by the shapes checker, which reads rendered images exactly (its tests say so);
    a missing second object has centre NaN (masked out of the loss).
    """
    rows = []
    for image in x.numpy():
        objects = sorted(read_objects(image), key=lambda d: (-d.n_pixels, d.centre[0], d.centre[1]))
        cls = [SHAPES_CLASSES.index(f"{d.size} {d.colour} {d.shape}") for d in objects]
        present = [float(k in cls) for k in range(len(SHAPES_CLASSES))]
        centres = [c / 16 - 1 for d in objects for c in d.centre] + [float("nan")] * 2 * (2 - len(objects))
        rows.append([float(cls[0]), *present, *centres])
    return torch.tensor(rows)


def load_split(name: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, str]:
    """(x_train, y_train, x_test, y_test, description): uint8 images and int64 labels (shapes: N×41 targets)."""
    if name == "fashion-mnist":
        train, test = load_fashion_mnist(split="train"), load_fashion_mnist(split="test")
        return train.x, train.y, test.x, test.y, "Fashion-MNIST official split (60000 train / 10000 test)"
    if name == "shapes":
        train, test = load_shapes("train", seed=SEED), load_shapes("test", seed=SEED)
        return (train.x, shapes_targets(train.x), test.x, shapes_targets(test.x),
                f"load_shapes train ({len(train)}) / test ({len(test)}), seed {SEED}; label: the largest object")
    data = load_digits(size=28)
    perm = torch.randperm(len(data), generator=torch.Generator().manual_seed(SEED))
    n_test = round(0.2 * len(data))
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    return (data.x[train_idx], data.y[train_idx], data.x[test_idx], data.y[test_idx],
            f"sklearn digits upscaled to 28×28 (bilinear), randperm seed {SEED}: first {n_test} test, rest train")


def labels_of(y: torch.Tensor) -> torch.Tensor:
    """Class labels: y itself, or the first column of the shapes targets."""
    return y if y.dim() == 1 else y[:, 0].long()


def shapes_loss(model: DomainClassifier, aux: torch.nn.Linear, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on the largest object + BCE on presence + squared error on the centres (auxiliary head)."""
    features = model.features(x)
    extra = aux(features)
    k = len(SHAPES_CLASSES)
    known = ~y[:, 1 + k:].isnan()
    centre_err = (extra[:, k:] - y[:, 1 + k:].nan_to_num()).square()[known].mean()
    return (F.cross_entropy(model.head(features), labels_of(y))
            + F.binary_cross_entropy_with_logits(extra[:, :k], y[:, 1:1 + k], reduction="none").sum(1).mean()
            + centre_err)


@torch.no_grad()
def shapes_aux_scores(model: DomainClassifier, aux: torch.nn.Linear, x: torch.Tensor, y: torch.Tensor) -> dict:
    """Test scores of the auxiliary head: presence (all 36 bits right) and centre RMSE in pixels."""
    model.eval()
    extra = torch.cat([aux(model.features(x[i:i + 1000])) for i in range(0, len(x), 1000)])
    k = len(SHAPES_CLASSES)
    exact = ((extra[:, :k] > 0).float() == y[:, 1:1 + k]).all(1).float().mean().item()
    known = ~y[:, 1 + k:].isnan()
    rmse = ((extra[:, k:] - y[:, 1 + k:].nan_to_num()).square()[known].mean().sqrt() * 16).item()
    return {"aux_presence_exact": round(exact, 4), "aux_centre_rmse_px": round(rmse, 3)}


@torch.no_grad()
def accuracy(model: DomainClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    """Top-1 accuracy in eval mode."""
    y = labels_of(y)
    model.eval()
    correct = sum(int((model.logits(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum()) for i in range(0, len(x), 1000))
    return correct / len(x)


def train(name: str) -> dict:
    """Train one classifier, save its weights and JSON, and return the JSON record."""
    cfg = SETTINGS[name]
    torch.manual_seed(SEED)
    x_tr, y_tr, x_te, y_te, split = load_split(name)
    model = DomainClassifier(name=f"domain-classifier/{name}", **ARCH.get(name, {}))
    aux = torch.nn.Linear(model.config["feature_dim"], len(SHAPES_CLASSES) + 4) if name == "shapes" else None
    steps_per_epoch = -(-len(x_tr) // cfg["batch_size"])
    params = [*model.parameters(), *(aux.parameters() if aux is not None else ())]
    opt = torch.optim.AdamW(params, lr=cfg["lr"], weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], total_steps=cfg["epochs"] * steps_per_epoch)
    gen = torch.Generator().manual_seed(SEED)
    start = time.perf_counter()
    for epoch in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(len(x_tr), generator=gen)
        for i in range(0, len(x_tr), cfg["batch_size"]):
            idx = perm[i:i + cfg["batch_size"]]
            if aux is None:
                loss = F.cross_entropy(model.logits(x_tr[idx]), y_tr[idx])
            else:
                loss = shapes_loss(model, aux, x_tr[idx], y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        print(f"{name}: epoch {epoch + 1}/{cfg['epochs']} loss {loss.item():.3f} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    seconds = time.perf_counter() - start
    acc = accuracy(model, x_te, y_te)
    print(f"{name}: test accuracy {acc:.4f} on {len(x_te)} images", flush=True)
    extra = shapes_aux_scores(model, aux, x_te, y_te) if aux is not None else {}
    if extra:
        print(f"{name}: auxiliary head {extra}", flush=True)

    from safetensors.torch import save_file

    path = domain_weights_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    path.chmod(0o644)  # safetensors writes 0600; the shipped file must be readable by every user
    record = {
        "name": name,
        "test_accuracy": round(acc, 6),
        "n_train": len(x_tr),
        "n_test": len(x_te),
        "split": split,
        "epochs": cfg["epochs"],
        "batch_size": cfg["batch_size"],
        "lr": cfg["lr"],
        "optimizer": "AdamW(weight_decay=1e-4) + OneCycleLR",
        "seed": SEED,
        "arch": model.config,
        **({"class_names": SHAPES_CLASSES, "label": "the largest object (more pixels, then leftmost, then "
            "topmost); trained with an auxiliary head (presence of each class + both centres), not shipped",
            **extra} if name == "shapes" else {}),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "weights_hash": state_dict_hash(model),
        "train_seconds": round(seconds, 1),
        "torch": torch.__version__,
        "script": "scripts/train_domain_classifier.py",
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def main(argv: list[str] | None = None) -> int:
    """Train the requested classifiers; return 0 when each reaches its accuracy target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     epilog="example: python scripts/train_domain_classifier.py --only digits")
    parser.add_argument("--only", choices=sorted(SETTINGS), help="train just this classifier (default: all)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    ok = True
    for name in ([args.only] if args.only else list(SETTINGS)):
        record = train(name)
        ok &= record["test_accuracy"] >= 0.90
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
