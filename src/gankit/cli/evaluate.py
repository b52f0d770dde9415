"""`gankit eval`: score a run and write its metric card."""

from __future__ import annotations

import argparse

from gankit.cli.sample import open_run
from gankit.evaluation import evaluate, evaluate_translation, format_card, format_translation_card, write_card
from gankit.evaluation.music import evaluate_music, format_music_card
from gankit.evaluation.text2img import evaluate_text2img, format_text2img_card
from gankit.run import Run


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate a run, print the table and write the card."""
    run = open_run(args)
    if run.spec.translates:
        return eval_translation(run, args.n, args.seed, args.card)
    if run.kind == "tokens" or run.config.game == "text2img":
        evaluate_game, format_game = ((evaluate_music, format_music_card) if run.kind == "tokens"
                                      else (evaluate_text2img, format_text2img_card))
        card = evaluate_game(run, n=args.n, seed=args.seed)
        path = write_card(card, args.card or run.path / "metric_card.json")
        print(format_game(card))
        print(f"\nmetric card: {path}")
        return 0
    card = evaluate(run, n=args.n or 10_000, metrics=args.metrics, features=args.features, seed=args.seed,
                    inception_weights=args.inception_weights, reject=args.reject,
                    mixture=args.mixture, jacobian_reject=args.jacobian_reject)
    path = write_card(card, args.card or run.path / "metric_card.json")
    print(format_card(card))
    print(f"\nmetric card: {path}")
    return 0


def eval_translation(run: Run, n: int | None, seed: int, card_path: str | None) -> int:
    """Score a translation run, print its card and write it."""
    card = evaluate_translation(run, n=n, seed=seed)
    path = write_card(card, card_path or run.path / "metric_card.json")
    print(format_translation_card(card))
    print(f"\nmetric card: {path}")
    return 0
