"""Scoring runs: metric cards for finished runs (`gankit eval`) and evaluation during training."""

from gankit.evaluation.card import control_judge, evaluate, format_card, judged_classes, parse_metrics, write_card
from gankit.evaluation.live import LiveRun, PeriodicEval
from gankit.evaluation.setup import EvalSetup, RawFeatures, default_features, setup_for
from gankit.evaluation.translation import evaluate_translation, format_translation_card

__all__ = ["EvalSetup", "LiveRun", "PeriodicEval", "RawFeatures", "control_judge", "default_features", "evaluate",
           "evaluate_translation", "judged_classes",
           "format_card", "format_translation_card",
           "parse_metrics", "setup_for", "write_card"]
