"""Bad configs get messages that fit in two lines, name the key, and say what to do."""

import pytest

from gankit.config import load_config
from gankit.errors import ConfigError

MAX_LINE = 160  # a message is at most two lines of at most this many characters

BAD = [
    ("ring8", ["train.lr_g=-1"], "train.lr_g"),
    ("ring8", ["train.lrg=1e-4"], "train.lr_g"),
    ("ring8", ["model.arch=resnet"], "model.arch"),
    ("ring8", ["loss.objective=wgan", "loss.gp=10"], "loss.objective"),
    ("ring8", ["loss.objective=wgan", "model.spectral_norm=true"], "loss.clip"),
    ("ring8", ["loss.roth=1", "loss.objective=hinge"], "loss.roth"),
    ("ring8", ["model.cond_g=cbn", "model.cond_d=projection"], "model.cond_g"),
    ("ring8", ["model.cond_g=concat"], "model.cond_d"),
    ("ring8", ["model.arch=dcgan"], "model.arch"),
    ("ring8", ["augment.kind=ada"], "augment.kind"),
    ("ring8", ["data.xflip=true"], "data.xflip"),
    ("ring8", ["loss.pl=2"], "loss.pl"),
    ("ring8", ["train.style_mixing=0.5"], "train.style_mixing"),
    ("ring8", ["balance.mode=lr", "balance.every=10", "log.every=50"], "balance.every"),
    ("ring8", ["balance.mode=augment"], "augment.kind"),
    ("ring8", ["sample.reject=0.9"], "sample.reject"),
    ("ring8", ["sample.reject=0.1", "loss.objective=wgan-gp"], "sample.reject"),
    ("ring8", ["sample.reject=0.1", "model.pack=2", "train.batch_size=64"], "model.pack"),
    ("ring8", ["sample.jacobian_reject=-0.1"], "sample.jacobian_reject"),
    ("ring8", ["sample.mixture=1.5"], "sample.mixture"),
    ("ring8", ["model.pack=3"], "model.pack"),
    ("ring8", ["eval.metric=fidd"], "eval.metric"),
    ("ring8", ["train.precision=fp8"], "train.precision"),
    ("ring8", ["augment.instance_noise=-1"], "augment.instance_noise"),
    ("fashion-stylegan2", ["model.spectral_norm=true"], "model.spectral_norm"),
    ("ring8", ["data.name=mnist"], "data.name"),
    ("no-such-preset", [], "Presets"),
    ("ring8", ["trian.lr_g=1"], "Valid top-level keys and sections"),
    ("ring8", ["text.layuot=true"], "'text.layout'"),
]


@pytest.mark.parametrize("preset, overrides, key", BAD, ids=[" ".join(o) or p for p, o, _ in BAD])
def test_a_bad_config_is_refused_in_two_lines_that_name_the_key(preset, overrides, key):
    with pytest.raises(ConfigError) as e:
        load_config(preset, overrides)
    msg = str(e.value)
    lines = msg.split("\n")
    assert len(lines) <= 2, msg
    if "Presets" not in msg:  # a typo's second line lists the valid keys of its section: that list is the point
        assert all(len(line) <= MAX_LINE for line in lines[: 1 if "Valid" in lines[-1] else 2]), msg
    assert key in msg, msg
