"""A trained detector and its folder: detector.json (what it is, what it was trained on), weights.safetensors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file as load_arrays
from safetensors.numpy import save_file as save_arrays
from safetensors.torch import load_file as load_tensors
from safetensors.torch import save_file as save_tensors

from gankit.detect.calibration import Calibration
from gankit.detect.cnn import cnn_raw
from gankit.detect.inputs import Images, conform_all
from gankit.detect.linear import FEATURES, LinearModel
from gankit.errors import CheckpointError
from gankit.models.detector import DetectorCNN
from gankit.utils.atomic import atomic_path, write_json_atomic
from gankit.version import __version__

FORMAT = "gankit-detector"
META = "detector.json"
WEIGHTS = "weights.safetensors"
METHODS = ("cnn", *FEATURES)  # cnn, spectral, histogram


@dataclass
class Detector:
    """Scores images with the calibrated probability that they are generated."""

    method: str
    shape: tuple[int, int, int]  # (C, H, W) of the images it was trained on
    model: LinearModel | DetectorCNN
    calibration: Calibration
    facts: dict[str, Any] = field(default_factory=dict)  # training data, held-out scores, seed, version

    def raw(self, images: np.ndarray) -> np.ndarray:
        """Raw scores of uint8 N×H×W×C images already at the detector's shape."""
        if isinstance(self.model, LinearModel):
            return self.model.raw(images)
        return cnn_raw(self.model, images)

    def score(self, images: Images | np.ndarray) -> np.ndarray:
        """The probability (N,) that each image is generated; other sizes or channels are converted with a warning."""
        if isinstance(images, np.ndarray):
            images = Images(images, [str(i) for i in range(len(images))], "the images")
        images = conform_all(images, self.shape, "scoring")
        return self.calibration(self.raw(images.array))

    def save(self, path: str | Path) -> Path:
        """Write the detector folder (weights first, detector.json last: a folder without it is no detector)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with atomic_path(path / WEIGHTS) as tmp:
            if isinstance(self.model, LinearModel):
                save_arrays(self.model.arrays(), str(tmp))
            else:
                save_tensors({k: v.contiguous() for k, v in self.model.state_dict().items()}, str(tmp))
        config = self.model.config if isinstance(self.model, DetectorCNN) else {}
        write_json_atomic(path / META, {"format": FORMAT, "gankit": __version__, "method": self.method,
                                        "shape": list(self.shape), "network": config,
                                        "calibration": self.calibration.to_dict(), **self.facts})
        return path


def load_detector(path: str | Path) -> Detector:
    """Open a detector folder written by `gankit detect train`; anything else is refused with the reason."""
    path = Path(path)
    meta_path = path / META
    if not meta_path.is_file():
        raise CheckpointError(f"{path} is not a detector folder: {META} is missing;\n"
                              "make one with `gankit detect train --real DATA --fake RUN --out DET`")
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != FORMAT or meta.get("method") not in METHODS:
            raise ValueError(f"format {meta.get('format')!r}, method {meta.get('method')!r}")
        shape = tuple(int(s) for s in meta["shape"])
        calibration = Calibration.from_dict(meta["calibration"])
        model = _load_model(path / WEIGHTS, meta)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        raise CheckpointError(f"{path} is not a readable gankit detector ({str(e).splitlines()[0]});\n"
                              "train it again with `gankit detect train`") from None
    facts = {k: v for k, v in meta.items() if k not in ("format", "method", "shape", "network", "calibration")}
    return Detector(meta["method"], shape, model, calibration, facts)


def _load_model(weights: Path, meta: dict[str, Any]) -> LinearModel | DetectorCNN:
    if meta["method"] in FEATURES:
        return LinearModel.from_arrays(meta["method"], load_arrays(str(weights)))
    net = meta["network"]
    model = DetectorCNN(int(net["channels"]), int(net["width"]), tuple(net["stages"]))
    model.load_state_dict(load_tensors(str(weights)))
    return model.eval()

