"""Feature extractors for the metrics: a small domain classifier per dataset, and the FID Inception-v3.

Every extractor maps images N×C×H×W to features N×D and carries its provenance:
- `name`: which network;
- `weights_hash`: the first 16 hex digits of the sha256 of its state dict (names, dtypes, shapes, bytes);
- `resize_rule`: how inputs are converted and resized.

Input convention, for all extractors here: uint8 images are read as 0..255; floating-point images are
read in gankit's model space [-1, 1] (what generators emit and `ArrayDataset.to_model_space` gives) and
clamped to it. Float images are not quantised to 8 bits first; for scores comparable with published
ones, convert generator output to uint8 before extracting (as pytorch-fid does with saved PNGs).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import torch
import torch.nn.functional as F
from torch import nn

from gankit.metrics.base import MetricError

WEIGHTS_DIR = Path(__file__).parent / "weights"
DOMAIN_NAMES = ("fashion-mnist", "digits", "shapes")
CLASS_JUDGES = ("fashion-mnist", "digits")  # classifiers whose classes are their dataset's (shapes' are its objects')
TRAIN_SCRIPT = "scripts/train_domain_classifier.py"
INCEPTION_ENV = "GANKIT_INCEPTION_WEIGHTS"
INCEPTION_FILE = "pt_inception-2015-12-05-6726825d.pth"
INCEPTION_URL = f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{INCEPTION_FILE}"


@runtime_checkable
class FeatureExtractor(Protocol):
    """Anything that maps images (uint8 0..255 or float in [-1, 1], N×C×H×W) to features N×D."""

    name: str
    weights_hash: str
    resize_rule: str

    def __call__(self, x: torch.Tensor) -> torch.Tensor: ...


@runtime_checkable
class Classifier(Protocol):
    """An extractor that also classifies: class logits N×K (the Inception Score and control accuracy need them)."""

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (N, K) of images (N, C, H, W)."""
        ...


def state_dict_hash(module: nn.Module) -> str:
    """First 16 hex digits of sha256 over the state dict's sorted names, dtypes, shapes and raw bytes."""
    digest = hashlib.sha256()
    state = module.state_dict()
    for key in sorted(state):
        t = state[key].detach().cpu().contiguous().reshape(-1)
        digest.update(key.encode())
        digest.update(f"{t.dtype}{tuple(state[key].shape)}".encode())
        digest.update(t.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


def extractor_provenance(extractor: Any) -> dict[str, str]:
    """The provenance fields of an extractor (name, weights_hash, resize_rule) as a dict."""
    return {"extractor": str(getattr(extractor, "name", type(extractor).__name__)),
            "weights_hash": str(getattr(extractor, "weights_hash", "unknown")),
            "resize_rule": str(getattr(extractor, "resize_rule", "unknown"))}


@torch.no_grad()
def extract_features(extractor: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor,
                     batch_size: int = 256, device: torch.device | str | None = None) -> torch.Tensor:
    """Apply an extractor to images in batches (no grad, eval mode); return CPU float32 features N×D."""
    if isinstance(extractor, nn.Module):
        extractor.eval()
        if device is None:
            device = next(extractor.parameters(), torch.empty(0)).device
    out = []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        if device is not None:
            batch = batch.to(device)
        out.append(extractor(batch).float().cpu())
    if not out:
        raise MetricError("extract_features: got no images")
    return torch.cat(out)


def to_unit_range(x: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 -> [0, 1]; floats are taken as model space [-1, 1] and mapped (clamped) to [0, 1]."""
    if x.dim() != 4:
        raise MetricError(f"feature extractors take images N×C×H×W, got shape {tuple(x.shape)}")
    if x.dtype == torch.uint8:
        return x.float().div_(255.0)
    return x.float().add(1.0).mul_(0.5).clamp_(0.0, 1.0)


def _resize(x: torch.Tensor, size: int) -> torch.Tensor:
    if x.shape[-2:] == (size, size):
        return x
    shrink = min(x.shape[-2:]) > size
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=shrink)


# ---------------------------------------------------------------- domain classifier

class DomainClassifier(nn.Module):
    """A small CNN for grey 28×28 images (or RGB ones: in_channels=3); its penultimate layer gives the features.

    Architecture: three blocks of 3×3 conv, batch norm, ReLU and 2×2 max-pool (28 -> 14 -> 7 -> 3,
    or 32 -> 16 -> 8 -> 4), then a linear layer to `feature_dim` with ReLU (the features) and a linear
    classifier. in_channels=1 reads RGB as luma; in_channels=3 keeps colour (the shapes captions name it).
    """

    def __init__(self, channels: tuple[int, ...] = (16, 32, 64), feature_dim: int = 128,
                 num_classes: int = 10, name: str = "domain-classifier", in_channels: int = 1,
                 image_size: int = 28) -> None:
        super().__init__()
        if in_channels not in (1, 3):
            raise MetricError(f"DomainClassifier: in_channels must be 1 (grey) or 3 (RGB), got {in_channels}")
        self.config: dict[str, Any] = {"channels": list(channels), "feature_dim": feature_dim,
                                       "num_classes": num_classes}
        if (in_channels, image_size) != (1, 28):  # the grey 28×28 classifiers' JSON keeps its old form
            self.config |= {"in_channels": in_channels, "image_size": image_size}
        self.name = name
        self.in_channels, self.image_size = in_channels, image_size
        self.info: dict[str, Any] = {}
        layers: list[nn.Module] = []
        c_in, side = in_channels, image_size
        for c in channels:
            layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                       nn.MaxPool2d(2)]
            c_in, side = c, side // 2
        self.body = nn.Sequential(*layers)
        self.embed = nn.Sequential(nn.Flatten(), nn.Linear(c_in * side * side, feature_dim), nn.ReLU(inplace=True))
        self.head = nn.Linear(feature_dim, num_classes)
        self.resize_rule = self._resize_rule()

    def _resize_rule(self) -> str:
        s = self.image_size
        if self.in_channels == 3:
            return (f"uint8 0..255 -> [0,1], float [-1,1] -> [0,1]; RGB kept (1 channel repeated to RGB); "
                    f"bilinear resize to {s}×{s} (align_corners=False, antialiased when shrinking; none when "
                    f"already {s}×{s}); then (x - 0.5) / 0.5")
        return (f"uint8 0..255 -> [0,1], float [-1,1] -> [0,1]; RGB -> luma (0.299, 0.587, 0.114); "
                f"bilinear resize to {s}×{s} (align_corners=False, antialiased when shrinking; 8×8 digits are "
                f"upscaled as load_digits(size=28) does); then (x - 0.5) / 0.5")

    @property
    def weights_hash(self) -> str:
        """sha256 (16 hex digits) of the current state dict."""
        return state_dict_hash(self)

    def preprocess(self, x: torch.Tensor) -> torch.Tensor:
        """Images as stored or generated -> the network's input (N×in_channels×size×size in [-1, 1])."""
        x = to_unit_range(x).to(self.head.weight.device)
        if x.shape[1] not in (1, 3):
            raise MetricError(f"{self.name}: takes 1- or 3-channel images, got {x.shape[1]} channels")
        if self.in_channels == 1 and x.shape[1] == 3:
            x = (x * x.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
        elif self.in_channels == 3 and x.shape[1] == 1:
            x = x.repeat(1, 3, 1, 1)
        return _resize(x, self.image_size).sub_(0.5).div_(0.5)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features, N×feature_dim."""
        return self.embed(self.body(self.preprocess(x)))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits, N×num_classes."""
        return self.head(self.features(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The features: a DomainClassifier is a FeatureExtractor."""
        return self.features(x)


def domain_weights_path(name: str) -> Path:
    """Where the shipped weights of the named domain classifier live."""
    return WEIGHTS_DIR / f"{name}-classifier.safetensors"


def load_domain_classifier(name: str) -> DomainClassifier:
    """Load the shipped classifier for 'fashion-mnist', 'digits' or 'shapes' (eval mode, CPU); `.info` holds its JSON."""
    if name not in DOMAIN_NAMES:
        raise MetricError(f"unknown domain classifier {name!r}; choose one of {list(DOMAIN_NAMES)}")
    path = domain_weights_path(name)
    meta_path = path.with_suffix(".json")
    if not path.is_file():
        raise MetricError(f"domain classifier weights {path} are missing; regenerate them with "
                          f"`python {TRAIN_SCRIPT} --only {name}` from the repository root")
    from safetensors.torch import load_file  # deferred: keeps `import gankit.metrics` light

    info = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    arch = info.get("arch", {})
    model = DomainClassifier(channels=tuple(arch.get("channels", (16, 32, 64))),
                             feature_dim=arch.get("feature_dim", 128), num_classes=arch.get("num_classes", 10),
                             name=f"domain-classifier/{name}", in_channels=arch.get("in_channels", 1),
                             image_size=arch.get("image_size", 28))
    model.load_state_dict(load_file(str(path)))
    model.info = info
    return model.eval()


def domain_classifier_for(data_name: str, needed_for: str, instead: str) -> DomainClassifier:
    """The shipped classifier of a dataset, or an error that says what needed one and what to do instead."""
    if data_name not in DOMAIN_NAMES:
        raise MetricError(f"{needed_for} needs a domain classifier, and {data_name} has none (gankit ships them "
                          f"for {', '.join(DOMAIN_NAMES)}); {instead}")
    return load_domain_classifier(data_name)


# ---------------------------------------------------------------- Inception-v3 for FID
# Szegedy et al. 2016, "Rethinking the Inception Architecture", with the changes of the TensorFlow FID
# graph (Heusel et al. 2017) as pytorch-fid documents them: average pools exclude padding, and the last
# block max-pools its pool branch. Module names follow torchvision's Inception3, so the state dict of
# pytorch-fid's `pt_inception-2015-12-05` file loads as is.

class BasicConv2d(nn.Module):
    """Conv (no bias) -> batch norm (eps 1e-3) -> ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int | tuple[int, int],
                 stride: int = 1, padding: int | tuple[int, int] = 0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Conv, batch norm (eps 0.001, as the reference), ReLU."""
        return F.relu(self.bn(self.conv(x)), inplace=True)


def _avg_pool(x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    """35×35 block: 1×1, 5×5, double 3×3 and pool branches; out 224 + pool_features channels."""

    def __init__(self, c_in: int, pool_features: int) -> None:
        super().__init__()
        self.branch1x1 = BasicConv2d(c_in, 64, 1)
        self.branch5x5_1 = BasicConv2d(c_in, 48, 1)
        self.branch5x5_2 = BasicConv2d(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(c_in, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, padding=1)
        self.branch_pool = BasicConv2d(c_in, pool_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The four branches, concatenated on channels."""
        return torch.cat([
            self.branch1x1(x),
            self.branch5x5_2(self.branch5x5_1(x)),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            self.branch_pool(_avg_pool(x)),
        ], 1)


class InceptionB(nn.Module):
    """Grid reduction 35 -> 17: strided 3×3, strided double 3×3 and max-pool branches."""

    def __init__(self, c_in: int) -> None:
        super().__init__()
        self.branch3x3 = BasicConv2d(c_in, 384, 3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(c_in, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The three branches (stride 2), concatenated on channels."""
        return torch.cat([
            self.branch3x3(x),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            F.max_pool2d(x, kernel_size=3, stride=2),
        ], 1)


class InceptionC(nn.Module):
    """17×17 block with factorised 7×7 convolutions (1×7 then 7×1); out 768 channels."""

    def __init__(self, c_in: int, c7: int) -> None:
        super().__init__()
        self.branch1x1 = BasicConv2d(c_in, 192, 1)
        self.branch7x7_1 = BasicConv2d(c_in, c7, 1)
        self.branch7x7_2 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(c_in, c7, 1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, (1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(c_in, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The four branches (7×7 factorised), concatenated on channels."""
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = x
        for layer in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                      self.branch7x7dbl_5):
            bd = layer(bd)
        return torch.cat([self.branch1x1(x), b7, bd, self.branch_pool(_avg_pool(x))], 1)


class InceptionD(nn.Module):
    """Grid reduction 17 -> 8: strided 3×3, 7×7-then-strided-3×3 and max-pool branches."""

    def __init__(self, c_in: int) -> None:
        super().__init__()
        self.branch3x3_1 = BasicConv2d(c_in, 192, 1)
        self.branch3x3_2 = BasicConv2d(192, 320, 3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(c_in, 192, 1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The three branches (stride 2), concatenated on channels."""
        b7 = x
        for layer in (self.branch7x7x3_1, self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            b7 = layer(b7)
        return torch.cat([self.branch3x3_2(self.branch3x3_1(x)), b7, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionE(nn.Module):
    """8×8 block with split 1×3 / 3×1 outputs; out 2048 channels. `max_pool` selects the last block's pool."""

    def __init__(self, c_in: int, max_pool: bool) -> None:
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = BasicConv2d(c_in, 320, 1)
        self.branch3x3_1 = BasicConv2d(c_in, 384, 1)
        self.branch3x3_2a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(c_in, 448, 1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(c_in, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The four branches (split 3×3), concatenated on channels."""
        b3 = self.branch3x3_1(x)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1) if self.max_pool else _avg_pool(x)
        return torch.cat([
            self.branch1x1(x),
            self.branch3x3_2a(b3), self.branch3x3_2b(b3),
            self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd),
            self.branch_pool(pooled),
        ], 1)


class InceptionV3Features(nn.Module):
    """Inception-v3 as used for FID: images -> 2048-D pool3 features (after the final average pool)."""

    resize_rule = ("uint8 0..255 -> [0,1], float [-1,1] -> [0,1]; 1 channel repeated to RGB; bilinear resize "
                   "to 299×299 (align_corners=False, no antialias, as pytorch-fid); then 2x - 1 to [-1, 1]")

    def __init__(self, num_classes: int = 1008) -> None:
        super().__init__()
        self.name = "inception-v3-fid"
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, 3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, 3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, 1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, 3)
        self.Mixed_5b = InceptionA(192, 32)
        self.Mixed_5c = InceptionA(256, 64)
        self.Mixed_5d = InceptionA(288, 64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, 128)
        self.Mixed_6c = InceptionC(768, 160)
        self.Mixed_6d = InceptionC(768, 160)
        self.Mixed_6e = InceptionC(768, 192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, max_pool=False)
        self.Mixed_7c = InceptionE(2048, max_pool=True)
        # Kept so the published state dict loads strictly; unused by the features.
        self.fc = nn.Linear(2048, num_classes)

    @property
    def weights_hash(self) -> str:
        """sha256 (16 hex digits) of the current state dict."""
        return state_dict_hash(self)

    def preprocess(self, x: torch.Tensor) -> torch.Tensor:
        """Images as stored or generated -> N×3×299×299 in [-1, 1]."""
        x = to_unit_range(x).to(self.fc.weight.device)
        if x.shape[1] == 1:
            x = x.repeat(1, 3, 1, 1)
        elif x.shape[1] != 3:
            raise MetricError(f"{self.name}: takes 1- or 3-channel images, got {x.shape[1]} channels")
        if x.shape[-2:] != (299, 299):
            x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        return x.mul_(2.0).sub_(1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pool3 features, N×2048."""
        x = self.preprocess(x)
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        for block in (self.Mixed_5b, self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b, self.Mixed_6c,
                      self.Mixed_6d, self.Mixed_6e, self.Mixed_7a, self.Mixed_7b, self.Mixed_7c):
            x = block(x)
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


def load_inception(path: str | os.PathLike | None = None) -> InceptionV3Features:
    """Build the FID Inception-v3 and load user-supplied weights (argument, else $GANKIT_INCEPTION_WEIGHTS)."""
    path = path if path is not None else os.environ.get(INCEPTION_ENV)
    how = (f"download {INCEPTION_FILE} from pytorch-fid's releases ({INCEPTION_URL}) and pass its path as "
           f"load_inception(path=...) or set {INCEPTION_ENV}=/path/to/{INCEPTION_FILE}")
    if not path:
        raise MetricError(f"Inception-v3 weights are not shipped with gankit; {how}")
    if not Path(path).is_file():
        raise MetricError(f"Inception-v3 weights file {path} does not exist; {how}")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    state = {k: v for k, v in state.items() if not k.startswith("AuxLogits.")}
    model = InceptionV3Features(num_classes=state["fc.weight"].shape[0] if "fc.weight" in state else 1008)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise MetricError(f"{path} is not an Inception-v3 FID state dict: missing {missing[:5]}, unexpected "
                          f"{unexpected[:5]}; {how}")
    return model.eval()


def load_extractor(name: str, weights: str | os.PathLike | None = None) -> nn.Module:
    """An extractor by name: a shipped classifier (DOMAIN_NAMES), or 'inception-v3' (weights=...)."""
    if name in DOMAIN_NAMES:
        return load_domain_classifier(name)
    if name in ("inception-v3", "inception"):
        return load_inception(weights)
    raise MetricError(f"unknown feature extractor {name!r}; choose one of {[*DOMAIN_NAMES, 'inception-v3']}")
