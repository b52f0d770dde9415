"""MODEL_CARD.md of a run (Mitchell et al. 2019): what it was trained on, what it is for, its limits, its misuse.

Written when training ends, and again whenever `gankit detect train` fits a detector on the run's
output, so the card names the detectors that recognise what the run generates.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from gankit.utils import run_dir as rd
from gankit.utils.atomic import write_json_atomic, write_text_atomic
from gankit.utils.run_dir import read_json
from gankit.version import __version__

KNOWN_LIMITS = {
    "adversarial": ["Samples can miss modes of the data or fall between them; the metric card's recall and the "
                    "per-class shares say how much.",
                    "A generator can reproduce training images: `gankit neighbours RUN` shows each sample's nearest "
                    "training images."],
    "cyclegan": ["It translates only between its two domains, at its training size; other inputs give "
                 "unpredictable images.", "Unpaired translation can change content as well as style."],
    "pix2pix": ["It translates only the kind of input it was trained on, at its training size."],
    "text2img": ["It draws only what its training captions describe; captions outside them are answered with "
                 "images that may not match (docs/text2img.md gives the measured fidelity)."],
    "seqgan": ["Pieces follow the style of the training corpus and can repeat phrases of it."],
}


def _detectors(run: Path) -> list[dict[str, Any]]:
    found = read_json(run / rd.DETECTORS)
    return list(found.get("detectors", [])) if isinstance(found, dict) else []


def _data_lines(config: dict[str, Any], data: dict[str, Any]) -> list[str]:
    shape = "×".join(str(s) for s in data.get("shape", [])) or "?"
    classes = data.get("class_names") or []
    named = f"; classes: {', '.join(map(str, classes[:12]))}{' …' if len(classes) > 12 else ''}" if len(classes) > 1 else ""
    source = f" from {data['source']}" if data.get("source") else ""
    return [f"- dataset: **{data.get('name', config.get('data', {}).get('name', '?'))}** "
            f"({data.get('split', 'train')} split, {data.get('n', '?')} items of shape {shape}{source}){named}",
            f"- data fingerprint: `{data.get('fingerprint', 'not recorded')}`"]


def _detector_lines(run: Path) -> list[str]:
    found = _detectors(run)
    if not found:
        return ["None yet. Train one with", "",
                f"    gankit detect train --real {{DATA}} --fake {run} --method spectral --out {{DET}}"]
    lines = ["| detector | method | held-out AP | accuracy | trained |", "|---|---|---|---|---|"]
    for d in found:
        h = d.get("heldout", {})
        lines.append(f"| `{d['path']}` | {d['method']} | {h.get('ap', float('nan')):.4f} | "
                     f"{h.get('accuracy', float('nan')):.4f} | {d.get('created', '?')} |")
    lines += ["", "Score images with `gankit detect score DET --input PATH --out scores.csv`."]
    return lines


def model_card(run: str | Path) -> str:
    """The text of the run's model card."""
    run = Path(run)
    config, data = read_json(run / rd.CONFIG), read_json(run / rd.DATA_INFO)
    game, model = config.get("game", "adversarial"), config.get("model", {})
    card = read_json(run / "metric_card.json").get("metrics", {})
    fid = card.get("fid", {}).get("value") if isinstance(card.get("fid"), dict) else None
    lines = [f"# Model card: {config.get('name', run.name)} (run `{rd.run_id(run)}`)", "",
             f"Written by gankit {__version__} on {time.strftime('%Y-%m-%d')}. {config.get('description', '')}", "",
             "## Model", f"- game: {game}; architecture: {model.get('arch', '?')}; noise size: {model.get('z_dim', '?')}",
             f"- training: {config.get('train', {}).get('steps', '?')} steps of {config.get('train', {}).get('batch_size', '?')}; "
             f"seed {config.get('seed', '?')}; the full configuration is config.json",
             *([f"- FID (metric_card.json): {fid:.2f}"] if isinstance(fid, float) else []), "",
             "## Training data", *_data_lines(config, data), "",
             "## Intended use",
             "- Teaching and research on generative models: watching the game, comparing methods on equal terms.",
             "- Synthetic images of the training domain for experiments, clearly labelled as generated.", "",
             "## Known limits", *[f"- {line}" for line in KNOWN_LIMITS.get(game, KNOWN_LIMITS["adversarial"])],
             "- Quality and diversity are only as measured by `gankit eval`; nothing is known outside the training domain.",
             "",
             "## Misuse",
             "Generated images can be passed off as real. Do not present this run's output as real photographs or "
             "records, and do not use it to impersonate people or deceive. Every image file gankit writes carries "
             "metadata naming this run, and images of 64 px and more an invisible watermark; "
             "`gankit provenance FILE` reads both. Re-encoding strips the metadata, and cropping defeats the mark: "
             "a detector is the last line.", "",
             "## Detectors that recognise this run's output", *_detector_lines(run), ""]
    return "\n".join(lines)


def write_model_card(run: str | Path) -> Path:
    """Write RUN/MODEL_CARD.md (atomically) and return its path."""
    path = Path(run) / rd.MODEL_CARD
    write_text_atomic(path, model_card(run))
    return path


def record_detector(run: str | Path, detector: str | Path, method: str, heldout: dict[str, Any]) -> Path:
    """Note a detector trained on the run's output in RUN/detectors.json, and rewrite the model card."""
    run = Path(run)
    entry = {"path": str(detector), "method": method, "heldout": heldout, "created": time.strftime("%Y-%m-%d %H:%M")}
    kept = [d for d in _detectors(run) if d.get("path") != str(detector)]
    write_json_atomic(run / rd.DETECTORS, {"detectors": [*kept, entry]})
    return write_model_card(run)
