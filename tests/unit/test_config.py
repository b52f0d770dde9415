"""Typed config: presets, overrides, and refusals that name the key and the fix."""

import dataclasses
import json

import pytest

from gankit.config.io import incompatible_changes, load_config, parse_overrides, preset_names, read_config, save_config
from gankit.config.schema import TrainConfig
from gankit.errors import ConfigError


def test_every_preset_has_a_tiny_twin_and_loads():
    names = preset_names()
    for base in ("ring8", "grid25", "digits-dcgan", "fashion-dcgan"):
        assert base in names and f"{base}-tiny" in names
    for name in names:
        cfg = load_config(name)
        assert cfg.name == name and cfg.description


def test_tiny_twin_inherits_and_overrides():
    base, tiny = load_config("ring8"), load_config("ring8-tiny")
    assert tiny.train.steps < base.train.steps
    assert tiny.loss.objective == base.loss.objective and tiny.data.name == base.data.name


def test_overrides_parse_types():
    cfg = load_config("ring8", ["train.lr_g=2e-4", "train.steps=10", "log.tensorboard=false", "data.path=/x"])
    assert cfg.train.lr_g == 2e-4 and cfg.train.steps == 10 and cfg.log.tensorboard is False
    assert cfg.data.path == "/x"
    assert parse_overrides({"a.b": 1}) == {"a": {"b": 1}}


def test_unknown_key_lists_the_valid_ones_of_its_section_and_suggests():
    with pytest.raises(ConfigError) as e:
        load_config("ring8", ["train.lrg=1"])
    msg = str(e.value)
    assert "train.lrg" in msg and "Did you mean 'train.lr_g'" in msg and "--dry-run" in msg
    listed = msg.split("\n")[1].removeprefix("Valid train keys: ").split(", ")
    assert listed == [f.name for f in dataclasses.fields(TrainConfig)] and "objective" not in msg


@pytest.mark.parametrize(
    "override, fragment",
    [
        ("train.steps=abc", "train.steps expects int"),
        ("train.steps=1.5", "train.steps expects int"),
        ("log.progress=3", "log.progress expects bool"),
        ("train.lr_g=-1", "train.lr_g must be > 0"),
        ("train.d_steps=0", "train.d_steps"),
        ("loss.objective=vanilla", "choose one of: minimax, nonsaturating"),
        ("model.arch=resnet9", "model.arch"),
        ("data.name=mnist", "data.name"),
        ("train.precision=fp8", "fp32, bf16, fp16"),
        ("train", "key=value"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(override, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_config("ring8", [override])


def test_nonsense_combination():
    with pytest.raises(ConfigError, match="image dataset"):
        load_config("ring8", ["model.arch=dcgan"])


def test_unknown_preset_lists_presets():
    with pytest.raises(ConfigError, match="ring8"):
        load_config("ring9")


def test_config_file_round_trip(tmp_path):
    cfg = load_config("digits-dcgan", ["train.steps=7"])
    save_config(cfg, tmp_path / "c.json")
    assert read_config(tmp_path / "c.json") == cfg
    (tmp_path / "my.yaml").write_text("extends: ring8\ntrain: {steps: 11}\n")
    assert load_config(str(tmp_path / "my.yaml")).train.steps == 11
    (tmp_path / "bad.json").write_text(json.dumps({"model": {"width": 3}}))
    with pytest.raises(ConfigError, match="model.width"):
        load_config(str(tmp_path / "bad.json"))


def test_resume_compatibility():
    a = load_config("ring8")
    assert incompatible_changes(a, load_config("ring8", ["train.steps=9999", "log.every=7"])) == []
    changes = incompatible_changes(a, load_config("ring8", ["train.lr_d=1e-3", "model.d_width=64"]))
    assert any("train.lr_d" in c for c in changes) and any("model.d_width" in c for c in changes)


def test_balancer_cannot_decide_more_often_than_the_log():
    from gankit.config.io import load_config
    from gankit.errors import ConfigError

    with pytest.raises(ConfigError, match="(?s)balance.every=10 but log.every=50.*log.every ≤ 10"):
        load_config("ring8-basic", ["balance.mode=d_steps", "balance.every=10"])
    assert load_config("ring8-basic", ["balance.mode=d_steps", "balance.every=10", "log.every=10"]).balance.every == 10
