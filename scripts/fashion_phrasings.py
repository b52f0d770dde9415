"""Class accuracy of a fashion-text run for each phrasing: which held-out phrasings G draws as their class.

    python scripts/fashion_phrasings.py RUN [--n 100] [--train] [--retrieve TAU]

For each held-out phrasing (with --train: each training phrasing too), draws n images (seed 0) and prints
the share the shipped Fashion-MNIST classifier assigns to the phrasing's class, at the images' native 28 px,
with the class it names most often, then the mean over the phrasings. --retrieve sets G's caption-retrieval
temperature for this measurement (0: off; on a run trained without it, G remembers the training phrasings).
"""

from __future__ import annotations

import argparse

import torch

import gankit
from gankit.data.captions.fashion import HELD_OUT_PHRASINGS, TRAIN_PHRASINGS
from gankit.data.fashion_mnist import CLASS_NAMES
from gankit.evaluation.text2img import native_view
from gankit.games.text2img.captions import minilm_embeddings
from gankit.illustrator import Illustrator
from gankit.metrics.features import load_domain_classifier
from gankit.models.retrieval import CaptionRetrieval


def set_retrieval(ill: Illustrator, tau: float) -> None:
    """G's caption retrieval at temperature tau (0: off), remembering the training phrasings if it has none."""
    G = ill.G
    if tau == 0:
        G.retrieval = None
    elif G.retrieval is not None:
        G.retrieval.tau = tau
    else:
        G.retrieval = CaptionRetrieval(G.text_dim, tau)
        texts = sorted(p for phrasings in TRAIN_PHRASINGS.values() for p in phrasings)
        G.retrieval.remember(minilm_embeddings(texts, ill.run.device, None))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--train", action="store_true", help="also the training phrasings")
    ap.add_argument("--retrieve", type=float, default=None, help="caption retrieval's temperature (0: off)")
    args = ap.parse_args()
    ill, judge = Illustrator(gankit.load_run(args.run)), load_domain_classifier("fashion-mnist")
    if args.retrieve is not None:
        set_retrieval(ill, args.retrieve)
    tables = [("held out", HELD_OUT_PHRASINGS)] + ([("training", TRAIN_PHRASINGS)] if args.train else [])
    for label, table in tables:
        accs = []
        for cls, phrasings in table.items():
            for phrasing in phrasings:
                with torch.no_grad():
                    pred = judge.logits(native_view(ill.draw([phrasing], n=args.n, seed=0)[0])).argmax(1)
                acc = float((pred == CLASS_NAMES.index(cls)).float().mean())
                accs.append(acc)
                print(f"{label:9s} {cls:12s} {phrasing:28s} {acc:6.1%}  most often: {CLASS_NAMES[int(pred.mode().values)]}")
        print(f"{label}: mean over {len(accs)} phrasings {sum(accs) / len(accs):.1%}")


if __name__ == "__main__":
    main()
