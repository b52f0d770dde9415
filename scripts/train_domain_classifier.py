"""Train the domain classifiers whose features the metrics use, and ship their weights.

For each of Fashion-MNIST (its official train/test split) and sklearn's digits (upscaled to 28×28,
a seeded 80/20 train/test split), train `gankit.metrics.features.DomainClassifier` on CPU with fixed
seeds, print the test accuracy, and write
    src/gankit/metrics/weights/{name}-classifier.safetensors
    src/gankit/metrics/weights/{name}-classifier.json   (accuracy, epochs, seed, sha256, arch)

Examples:
    python scripts/train_domain_classifier.py
    python scripts/train_domain_classifier.py --only digits
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

import torch
import torch.nn.functional as F

from gankit.data.digits import load_digits
from gankit.data.fashion_mnist import load_fashion_mnist
from gankit.metrics.features import DomainClassifier, domain_weights_path, state_dict_hash

SEED = 0
SETTINGS = {  # epochs, batch size, peak learning rate
    "fashion-mnist": {"epochs": 3, "batch_size": 128, "lr": 3e-3},
    "digits": {"epochs": 15, "batch_size": 64, "lr": 3e-3},
}


def load_split(name: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, str]:
    """(x_train, y_train, x_test, y_test, description) as uint8 N×1×28×28 images and int64 labels."""
    if name == "fashion-mnist":
        train, test = load_fashion_mnist(split="train"), load_fashion_mnist(split="test")
        return train.x, train.y, test.x, test.y, "Fashion-MNIST official split (60000 train / 10000 test)"
    data = load_digits(size=28)
    perm = torch.randperm(len(data), generator=torch.Generator().manual_seed(SEED))
    n_test = round(0.2 * len(data))
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    return (data.x[train_idx], data.y[train_idx], data.x[test_idx], data.y[test_idx],
            f"sklearn digits upscaled to 28×28 (bilinear), randperm seed {SEED}: first {n_test} test, rest train")


@torch.no_grad()
def accuracy(model: DomainClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    """Top-1 accuracy in eval mode."""
    model.eval()
    correct = sum(int((model.logits(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum()) for i in range(0, len(x), 1000))
    return correct / len(x)


def train(name: str) -> dict:
    """Train one classifier, save its weights and JSON, and return the JSON record."""
    cfg = SETTINGS[name]
    torch.manual_seed(SEED)
    x_tr, y_tr, x_te, y_te, split = load_split(name)
    model = DomainClassifier(name=f"domain-classifier/{name}")
    steps_per_epoch = -(-len(x_tr) // cfg["batch_size"])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], total_steps=cfg["epochs"] * steps_per_epoch)
    gen = torch.Generator().manual_seed(SEED)
    start = time.perf_counter()
    for epoch in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(len(x_tr), generator=gen)
        for i in range(0, len(x_tr), cfg["batch_size"]):
            idx = perm[i:i + cfg["batch_size"]]
            loss = F.cross_entropy(model.logits(x_tr[idx]), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        print(f"{name}: epoch {epoch + 1}/{cfg['epochs']} loss {loss.item():.3f} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    seconds = time.perf_counter() - start
    acc = accuracy(model, x_te, y_te)
    print(f"{name}: test accuracy {acc:.4f} on {len(x_te)} images", flush=True)

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
    parser.add_argument("--only", choices=sorted(SETTINGS), help="train just this classifier (default: both)")
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
