"""The demo: the README's first screen describes the recipe `gankit demo` trains, and shows its picture."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

import gankit.cli.training as cli
from gankit.cli.main import main
from gankit.config.io import load_config

ROOT = Path(__file__).resolve().parents[2]


def _first_screen() -> str:
    return "\n".join((ROOT / "README.md").read_text().splitlines()[:30])


def test_the_readme_first_screen_describes_the_demo_recipe():
    preset, steps = cli.DEMO
    screen = _first_screen()
    assert "make demo" in screen and "make test" in screen
    cfg = load_config(preset)
    assert f"{preset} preset for {steps} steps of {cfg.train.batch_size} images" in screen
    recipe = (f"{cfg.loss.objective} loss", f"R1 every {cfg.loss.reg_every} steps", f"learning rates {cfg.train.lr_g:g}")
    assert cfg.model.spectral_norm and "spectral norm" in screen and cfg.train.lr_g == cfg.train.lr_d
    assert all(part in screen for part in recipe), f"the first screen names the demo's recipe: {recipe}"
    picture = re.search(r'src="(docs/figures/demo\.png)"', screen)
    assert picture, "the first screen shows the demo's grid"
    with Image.open(ROOT / picture.group(1)) as im:  # the report's final grid: 8×8 samples of 28 px
        assert im.size[0] == im.size[1] >= 8 * 28


def test_gankit_demo_trains_that_recipe(monkeypatch, tmp_path, capsys):
    asked = {}

    def fake_train(source, out, overrides):
        asked.update(source=source, steps=overrides["train.steps"])
        return type("R", (), {"path": Path(out)})()

    monkeypatch.setattr(cli, "train", fake_train)
    monkeypatch.setattr(cli, "find_fashion_mnist", lambda: Path("/somewhere"))
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    assert (asked["source"], asked["steps"]) == cli.DEMO
    assert "samples/final.png" in capsys.readouterr().out
