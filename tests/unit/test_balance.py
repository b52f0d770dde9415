"""The balancer on a scripted game: it reacts in the right direction, within bounds, and logs each change."""

import json
from types import SimpleNamespace

import pytest

from gankit.training.balance import Balancer


def _game():
    return SimpleNamespace(d_steps=1, d_every=1, lr_scale_d=1.0), SimpleNamespace(p=0.2)


def _feed(b, accs, every=100):
    for i, acc in enumerate(accs, start=1):
        b.on_log(i * every, {"acc": acc})


def test_d_steps_mode_weakens_a_winning_d_and_strengthens_a_losing_one(tmp_path):
    phases, _ = _game()
    b = Balancer("d_steps", phases, acc_low=0.55, acc_high=0.8, every=100, max_d_steps=3, log_path=tmp_path / "b.jsonl")
    _feed(b, [0.95])
    assert (phases.d_steps, phases.d_every) == (1, 2)  # D now updates every other iteration
    _feed(b, [0.95, 0.95, 0.95], every=100)
    assert (phases.d_steps, phases.d_every) == (1, 4)  # the bottom of the ladder: never below 1/4
    b2 = Balancer("d_steps", _game()[0], every=100, max_d_steps=3)
    _feed(b2, [0.5] * 6)
    assert (b2.phases.d_steps, b2.phases.d_every) == (3, 1)  # capped at max_d_steps
    entries = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text().splitlines()]
    assert [e["to"] for e in entries] == [0.5, 1 / 3, 0.25] and "> 0.8" in entries[0]["reason"]


def test_inside_the_band_nothing_moves():
    phases, _ = _game()
    b = Balancer("d_steps", phases, every=100)
    _feed(b, [0.6, 0.7, 0.79, 0.56])
    assert (phases.d_steps, phases.d_every) == (1, 1) and b.adjustments == []


def test_lr_mode_direction_and_bounds():
    phases, _ = _game()
    b = Balancer("lr", phases, every=100, factor=2.0, max_lr_factor=4.0)
    _feed(b, [0.99])
    assert phases.lr_scale_d == pytest.approx(0.5)
    _feed(b, [0.99] * 5)
    assert phases.lr_scale_d == pytest.approx(0.25)
    _feed(b, [0.3] * 10)
    assert phases.lr_scale_d == pytest.approx(4.0)


def test_augment_mode_raises_p_when_d_wins():
    phases, aug = _game()
    b = Balancer("augment", phases, aug, every=100, p_step=0.1)
    _feed(b, [0.9])
    assert aug.p == pytest.approx(0.3)
    _feed(b, [0.4, 0.4, 0.4, 0.4])
    assert aug.p == pytest.approx(0.0, abs=1e-12)


def test_decisions_average_over_the_interval():
    phases, _ = _game()
    b = Balancer("d_steps", phases, every=200)
    b.on_log(100, {"acc": 0.99})
    assert b.adjustments == []  # not yet: 200 iterations must pass
    b.on_log(200, {"acc": 0.5})  # mean 0.745 is inside the band
    assert b.adjustments == []


def test_state_round_trip():
    phases, _ = _game()
    b = Balancer("d_steps", phases, every=100)
    _feed(b, [0.95])
    other_phases, _ = _game()
    b2 = Balancer("d_steps", other_phases, every=100)
    b2.load_state_dict(b.state_dict())
    assert (other_phases.d_steps, other_phases.d_every) == (1, 2)
