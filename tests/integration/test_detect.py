"""Deepfake detection end to end: the learning test, the three `gankit detect` verbs, provenance, bad input."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from gankit.cli.main import main
from gankit.data.captions.shapes import load_shapes
from gankit.detect import load_detector, train_detector
from gankit.detect.inputs import Images
from gankit.detect.sources import Source
from gankit.metrics.detection import average_precision

# Bilinear up-sampling written as a stride-2 transposed convolution, with its centre tap 15% too strong:
# the uneven overlap of an up-convolution, which leaves the period-2 checkerboard of Odena et al. 2016.
KERNEL = torch.tensor([[0.25, 0.5, 0.25], [0.5, 1.15, 0.5], [0.25, 0.5, 0.25]])


def checkerboard_generator(images: np.ndarray) -> np.ndarray:
    """Real images halved (area mean), then up-convolved back: content kept, a checkerboard added."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
    c = x.shape[1]
    low = F.avg_pool2d(x, 2)
    up = F.conv_transpose2d(low, KERNEL.expand(c, 1, 3, 3).contiguous(), stride=2, padding=1, output_padding=1,
                            groups=c)
    return up.clamp(0, 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


def _shapes(split, n, seed):
    return load_shapes(split, n=n, seed=seed).x.numpy().transpose(0, 2, 3, 1).copy()


def test_spectral_detector_learns_checkerboard_artefacts(tmp_path):
    real = _shapes("train", 600, 0)
    fake = checkerboard_generator(_shapes("test", 600, 0))
    det = train_detector(Images(real, [], "shapes"), [Source("checkerboard", Images(fake, [], "cb"))],
                         "spectral", tmp_path / "det", progress=False)
    assert det.facts["heldout"]["ap"] >= 0.95
    again = load_detector(tmp_path / "det")  # fresh images, the detector read back from its folder
    real2, fake2 = _shapes("train", 300, 5), checkerboard_generator(_shapes("test", 300, 5))
    p = again.score(np.concatenate([real2, fake2]))
    assert average_precision(p, np.r_[np.zeros(300), np.ones(300)]) >= 0.95
    assert (tmp_path / "det" / "spectra.png").is_file()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("detect")
    assert main(["train", "digits-dcgan-tiny", "--out", str(root / "runs" / "r"), "--set", "log.report=none"]) == 0
    return root


def test_train_score_eval(tiny_run, tmp_path, capsys):
    run, det = tiny_run / "runs" / "r", tmp_path / "det"
    assert main(["detect", "train", "--real", "digits", "--fake", str(run), "--method", "spectral", "--n", "200",
                 "--out", str(det)]) == 0
    assert "held out" in capsys.readouterr().out
    meta = json.loads((det / "detector.json").read_text())
    assert meta["shape"] == [1, 32, 32] and meta["trained_on"]["generated"][0]["run"]
    assert str(det) in (run / "MODEL_CARD.md").read_text()  # the run's card names its detector
    assert main(["detect", "train", "--real", "digits", "--fake", str(run), "--out", str(det)]) == 2  # no overwrite

    assert main(["sample", str(run), "--n", "30", "--out", str(tmp_path / "fake.npy")]) == 0
    folder = tmp_path / "pngs"
    folder.mkdir()
    for i, image in enumerate(np.load(tmp_path / "fake.npy")[:5]):
        Image.fromarray(image).save(folder / f"{i}.png")
    for out in ("s.csv", "s.json"):
        assert main(["detect", "score", str(det), "--input", str(folder), "--out", str(tmp_path / out)]) == 0
        assert "flagged" in capsys.readouterr().out
    rows = json.loads((tmp_path / "s.json").read_text())["rows"]
    assert [r["image"] for r in rows] == [f"{i}.png" for i in range(5)]
    assert (tmp_path / "s.csv").read_text().splitlines()[0] == "image,p_generated,flagged"

    assert main(["detect", "eval", str(det), "--real", "digits", "--fake", str(run), "--fake",
                 str(tmp_path / "fake.npy"), "--n", "30", "--bootstrap", "20"]) == 0
    card = json.loads((det / "eval_card.json").read_text())
    assert len(card["rows"]) == 2 * 7 and card["provenance"]["positive_class"] == "generated"
    assert card["rows"][0]["seen_in_training"] and not card["rows"][7]["seen_in_training"]


def test_bad_input_is_named(tiny_run, tmp_path, capsys):
    run = tiny_run / "runs" / "r"
    det = tmp_path / "det"
    assert main(["detect", "train", "--real", "digits", "--fake", str(run), "--method", "spectral", "--n", "100",
                 "--out", str(det)]) == 0
    capsys.readouterr()
    assert main(["detect", "score", str(run), "--input", str(det), "--out", str(tmp_path / "x.csv")]) == 2
    assert "not a detector folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["detect", "score", str(det), "--input", str(empty), "--out", str(tmp_path / "x.csv")]) == 2
    assert "holds no images" in capsys.readouterr().err
    (empty / "broken.png").write_bytes(b"not a png")
    assert main(["detect", "score", str(det), "--input", str(empty), "--out", str(tmp_path / "x.csv")]) == 2
    assert "broken.png" in capsys.readouterr().err
    Image.fromarray(np.zeros((28, 28, 3), np.uint8)).save(tmp_path / "rgb28.png")
    assert main(["detect", "score", str(det), "--input", str(tmp_path / "rgb28.png"), "--out",
                 str(tmp_path / "x.csv")]) == 0
    assert "resized/converted to the detector's 32x32x1" in capsys.readouterr().err


def test_provenance_of_samples(tiny_run, tmp_path, capsys, monkeypatch):
    run = tiny_run / "runs" / "r"
    monkeypatch.chdir(tiny_run)  # ./runs is where provenance looks by default
    assert main(["sample", str(run), "--n", "16", "--out", str(tmp_path / "x.png")]) == 0
    Image.fromarray(np.full((80, 80), 90, np.uint8)).save(tmp_path / "plain.png")
    capsys.readouterr()
    assert main(["provenance", str(tmp_path / "x.png"), str(tmp_path / "plain.png")]) == 0
    out = capsys.readouterr().out
    run_id = (run / "run_id").read_text().strip()
    assert "made by runs/r" in out and f"run {run_id}, step 30" in out and f"watermark: run {run_id[:8]}" in out
    assert "plain.png: no provenance found" in out


def test_cnn_detector_saves_and_loads_exactly(tmp_path):
    real = _shapes("train", 80, 1)
    fake = checkerboard_generator(_shapes("test", 80, 1))
    det = train_detector(Images(real, [], "shapes"), [Source("checkerboard", Images(fake, [], "cb"))], "cnn",
                         tmp_path / "det", epochs=1, progress=False)
    again = load_detector(tmp_path / "det")
    x = np.concatenate([real[:8], fake[:8]])
    assert again.method == "cnn" and again.shape == (3, 32, 32)
    assert np.array_equal(det.score(x), again.score(x))
    (tmp_path / "none").mkdir()
    assert main(["detect", "train", "--real", "digits", "--fake-images", str(tmp_path / "none"), "--out",
                 str(tmp_path / "d2")]) == 2  # a folder with no images is refused by name
    assert not (tmp_path / "d2").exists()
