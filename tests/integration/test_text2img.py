"""Text-to-image end to end: colour follows the caption, resume is exact, captions are drawn, bad input is refused."""

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

import gankit
from gankit.cli.main import main
from gankit.errors import ConfigError, DataError, GankitWarning
from gankit.evaluation.text2img import evaluate_text2img, format_text2img_card
from gankit.illustrator import Illustrator
from gankit.training.callbacks import Callback
from gankit.training.checkpoint import latest_checkpoint
from gankit.utils.provenance import read_mark, read_metadata
from gankit.utils.run_dir import run_id

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from colour_seeds import LEARN, colour_accuracy  # the figures' own measurement, not a copy of it
from text2img_fork import fork

FAST = {"log.progress": False, "log.report": "none", "log.every": 10, "log.checkpoint_every": 20,
        "log.sample_every": 1000}
SMALL = {**FAST, "data.n": 600, "model.z_dim": 8, "model.g_width": 4, "model.d_width": 4, "text.embed": 8,
         "text.dim": 16, "text.pretrain": 10, "train.batch_size": 16}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A shapes run of 30 steps (10 encoder steps, 20 game steps) with the redescriber on."""
    out = tmp_path_factory.mktemp("t2i") / "run"
    return gankit.train("shapes-dfgan", out=out, overrides={**SMALL, "train.steps": 30, "text.redescribe": 1.0})


def _weights(path):
    ckpt = latest_checkpoint(path / "checkpoints")
    names = [p.stem for p in ckpt.glob("*.safetensors")]
    return {n: load_file(str(ckpt / f"{n}.safetensors")) for n in names}, torch.load(ckpt / "state.pt", weights_only=True)


@pytest.mark.parametrize(("retrieve", "nhwc", "reuse"), [(0.0, False, True), (0.05, False, False), (0.0, True, True)])
def test_resume_is_bit_exact_after_the_stage_change(tmp_path, retrieve, nhwc, reuse):
    """Stopped at step 15 (10 encoder steps, then 5 game steps) and resumed: the same weights, streams and batches,
    though the resumed process embeds the training captions anew with the frozen encoder (and, with caption
    retrieval, G and its average remember them anew; channels_last networks save and load their weights), whether
    G's step reuses D's images or draws its own."""
    over = {**SMALL, "text.redescribe": 0.5, "log.checkpoint_every": 5, "text.retrieve": retrieve,
            "train.channels_last": nhwc, "text.reuse_fakes": reuse}
    straight = gankit.train("shapes-dfgan", out=tmp_path / "a", overrides={**over, "train.steps": 25})
    gankit.train("shapes-dfgan", out=tmp_path / "b", overrides={**over, "train.steps": 15})
    resumed = gankit.train(resume=tmp_path / "b", overrides={"train.steps": 25})
    (wa, ea), (wb, eb) = _weights(straight.path), _weights(resumed.path)
    assert sorted(wa) == ["D", "E", "G", "G_ema", "R"]
    if retrieve:  # both remember every distinct training caption
        assert len(wa["G"]["retrieval.memory"]) == len(wa["G_ema"]["retrieval.memory"]) > 100
    for net in wa:
        for k in wa[net]:
            assert torch.equal(wa[net][k], wb[net][k]), f"{net}.{k} differs"
    assert ea["batches"] == eb["batches"] and torch.equal(ea["z_gen"], eb["z_gen"])


def test_a_fork_at_the_stage_change_plays_only_the_changed_game(tmp_path):
    """scripts/text2img_fork.py: the fork starts from stage 1's encoders with the new weight, under a new run id;
    a change to stage 1 or to the networks is refused."""
    stage1 = gankit.train("shapes-dfgan", out=tmp_path / "s1",
                          overrides={**SMALL, "train.steps": 12, "log.checkpoint_every": 10, "text.redescribe": 3.0})
    run = gankit.train(resume=fork(stage1.path, tmp_path / "w1", 5, {"text.redescribe": 1.0}))
    assert run.step == 15 and run.config.text.redescribe == 1.0 and run_id(run.path) != run_id(stage1.path)
    encoders = [load_file(str(p / "E.safetensors")) for p in (stage1.path / "checkpoints" / "step_0000010",
                                                               latest_checkpoint(run.path / "checkpoints"))]
    assert all(torch.equal(encoders[0][k], encoders[1][k]) for k in encoders[0])  # frozen from the fork on
    for change in ({"model.g_width": 8}, {"text.pretrain": 5}):
        with pytest.raises(SystemExit, match="only these may change"):
            fork(stage1.path, tmp_path / "bad", 5, change)


def test_text2img_writes_png_and_npy_rows(tiny_run, tmp_path, capsys):
    png, npy = tmp_path / "red.png", tmp_path / "two.npy"
    assert main(["text2img", str(tiny_run.path), "a large red circle", "--n", "3", "--out", str(png)]) == 0
    assert png.stat().st_size > 0 and "drew 3 image(s)" in capsys.readouterr().out
    with Image.open(png) as drawn:  # the rows carry the run's metadata and, at this size, its watermark
        assert read_metadata(drawn)["run"] == run_id(tiny_run.path) and read_mark(drawn).found
    captions = tmp_path / "captions.txt"
    captions.write_text("a large red circle\n\na small blue square above a large yellow triangle\n")
    assert main(["text2img", str(tiny_run.path), "--captions", str(captions), "--n", "4", "--seed", "2",
                 "--out", str(npy)]) == 0
    arr = np.load(npy)
    assert arr.dtype == np.uint8 and arr.shape == (2, 4, 32, 32, 3)
    again = Illustrator(gankit.load_run(tiny_run.path)).draw(["a large red circle"], n=4, seed=2)
    alone = ((again[0].permute(0, 2, 3, 1).clamp(-1, 1) + 1) * 127.5).round().byte().numpy()
    # the same images to a grey level: alone, the caption is embedded without the other caption's padding, so
    # float sums run in another order and a pixel on a rounding boundary may move by one
    assert np.abs(arr[0].astype(int) - alone.astype(int)).max() <= 1


def test_bad_captions_are_refused_with_what_to_do(tiny_run, tmp_path, capsys):
    run = str(tiny_run.path)
    assert main(["text2img", run, "  ", "--out", str(tmp_path / "x.png")]) == 2
    assert "empty" in capsys.readouterr().err
    assert main(["text2img", run, "a large purple hexagon", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "'hexagon'" in err and "'purple'" in err and "text.encoder=minilm" in err
    with pytest.warns(GankitWarning, match="cut after word"):
        Illustrator(gankit.load_run(tiny_run.path)).draw([" ".join(["a large red circle left of"] * 5) + " a square"], n=1)
    assert main(["text2img", run, "--out", str(tmp_path / "x.png")]) == 2
    assert "give one caption" in capsys.readouterr().err
    assert main(["text2img", run, "a large red circle", "--out", str(tmp_path / "x.jpg")]) == 2
    assert ".npy" in capsys.readouterr().err


def test_text2img_on_a_run_without_text_is_refused(tmp_path, capsys):
    run = gankit.train("ring8-tiny", out=tmp_path / "ring", overrides={**FAST, "train.steps": 2})
    assert main(["text2img", str(run.path), "a large red circle", "--out", str(tmp_path / "x.png")]) == 2
    assert "no text conditioning" in capsys.readouterr().err


def test_eval_card_has_every_set_and_the_baselines(tiny_run):
    card = evaluate_text2img(gankit.load_run(tiny_run.path), n=200, folds=2)
    assert list(card["sets"]) == ["test (training combinations)", "held-out combinations"]
    block = card["sets"]["test (training combinations)"]
    assert set(block["metrics"]) == {"generated", "ignored", "real"}
    real = block["metrics"]["real"]
    assert real["one_colour"] == 1.0 and real["two_relation"] == 1.0  # the checker reads real images perfectly
    assert real["fid"] < block["metrics"]["generated"]["fid"]  # the real images' FID is the training images': the floor
    text = format_text2img_card(card)
    assert "R-precision (k=99, 2 folds)" in text and "caption ignored" in text
    json.dumps(card)


def test_the_game_refuses_data_without_captions_and_mirrored_shapes(tmp_path):
    with pytest.raises(ConfigError, match="has no captions"):
        gankit.train("shapes-dfgan-tiny", out=tmp_path / "a", overrides={**FAST, "data.name": "ring8"})
    with pytest.raises(ConfigError, match="xflip"):
        gankit.train("shapes-dfgan-tiny", out=tmp_path / "b", overrides={**FAST, "data.xflip": True})
    with pytest.raises(ConfigError, match="within the encoders' stage"):
        gankit.train("shapes-dfgan-tiny", out=tmp_path / "c", overrides={**FAST, "train.steps": 20})


class _CountG(Callback):
    """Counts G's forward passes and keeps the images of each (the game's players arrive in on_bind)."""

    def __init__(self) -> None:
        self.images: list[torch.Tensor] = []

    def on_bind(self, state) -> None:
        state.players["G"].net.register_forward_hook(lambda net, args, out: self.images.append(out.detach()))


@pytest.mark.parametrize("reuse", [True, False])
def test_g_draws_once_per_game_step_when_its_step_reuses_ds_images(tmp_path, reuse):
    """text.reuse_fakes (DF-GAN's code): one forward pass of G per game step, whose images D judged detached and
    G's step judges again; without it G draws anew for its step (two passes)."""
    count = _CountG()
    gankit.train("shapes-dfgan", out=tmp_path / "run", callbacks=[count],
                 overrides={**SMALL, "train.steps": 16, "text.reuse_fakes": reuse})
    assert len(count.images) == 6 * (1 if reuse else 2)
    assert not torch.equal(count.images[0], count.images[1])  # each pass its own noise (and, reused, its own step)


def test_d_sees_real_images_with_mismatched_captions(tiny_run):
    """DF-GAN's third pair: every logged game window has D's mean score of real images under other images' captions."""
    rows = [r for r in csv.DictReader(open(tiny_run.path / "metrics.csv")) if r.get("loss_d")]
    assert rows and all(r["d_mismatch"] and np.isfinite(float(r["d_mismatch"])) for r in rows)


def test_sampling_a_text_run_without_a_caption_says_how(tiny_run):
    with pytest.raises(ConfigError, match="gankit text2img"):
        gankit.load_run(tiny_run.path).sample(4)


def _caption_folder(root, n=60):
    """n solid-colour 32 px images, half red and half blue, with a captions.jsonl naming each twice."""
    from PIL import Image

    root.mkdir()
    lines = []
    for i in range(n):
        colour, rgb = ("red", (255, 0, 0)) if i % 2 else ("blue", (0, 0, 255))
        Image.new("RGB", (32, 32), rgb).save(root / f"{i}.png")
        lines += [json.dumps({"file": f"{i}.png", "caption": f"a {colour} picture"}),
                  json.dumps({"file": f"{i}.png", "caption": f"something {colour}"})]
    (root / "captions.jsonl").write_text("\n".join(lines) + "\n")
    return root


def test_folder_text_trains_draws_free_text_and_scores(tmp_path, capsys):
    folder = _caption_folder(tmp_path / "mine")
    run = gankit.train("folder-text-tiny", out=tmp_path / "run", overrides={**FAST, "data.path": str(folder)})
    # MiniLM takes words the training captions never had
    assert main(["text2img", str(run.path), "a crimson photograph", "--n", "2", "--out", str(tmp_path / "x.npy")]) == 0
    assert np.load(tmp_path / "x.npy").shape == (2, 32, 32, 3)
    card = evaluate_text2img(gankit.load_run(run.path), n=40, folds=2)
    block = card["sets"]["test"]
    assert block["k"] == 3 and set(block["metrics"]) == {"generated", "ignored", "real"}


def test_caption_folder_errors_give_line_numbers(tmp_path):
    folder = _caption_folder(tmp_path / "mine", n=4)
    with open(folder / "captions.jsonl", "a") as f:
        f.write('{"file": "missing.png", "caption": "a red picture"}\nnot json\n')
    with pytest.raises(DataError, match="line"):
        gankit.train("folder-text-tiny", out=tmp_path / "run", overrides={**FAST, "data.path": str(folder)})


def test_fashion_text_trains_on_minilm_and_refuses_nothing_it_should_take(tmp_path, tiny_fashion):
    run = gankit.train("fashion-text-tiny", out=tmp_path / "run",
                       overrides={**FAST, "data.path": str(tiny_fashion), "data.n": None})
    ill = Illustrator(gankit.load_run(run.path))
    assert ill.draw(["jeans", "a handbag"], n=2).shape == (2, 2, 1, 32, 32)


COLOUR_BAR = 0.6  # chance is 1/6; seeds 0-3 give 0.76, 0.84, 0.80 and 0.82 (scripts/colour_seeds.py --seeds 0 1 2 3)


@pytest.mark.slow
def test_colour_follows_the_caption_at_a_tiny_budget(tmp_path):
    """700 steps (100 encoder steps, 600 game steps): the checker reads the asked colour on one-object captions
    far above chance, over every training colour–shape pair at both sizes (scripts/colour_seeds.py)."""
    run = gankit.train("shapes-dfgan", out=tmp_path / "run", overrides=LEARN)
    acc = colour_accuracy(run.path)
    assert acc["colour"] >= COLOUR_BAR, acc


def test_objectives_without_room_for_mismatched_pairs_are_refused(tmp_path):
    for objective in ("rsgan", "wgan"):
        with pytest.raises(ConfigError, match="choose one of: hinge"):
            gankit.train("shapes-dfgan-tiny", out=tmp_path / objective, overrides={**FAST, "loss.objective": objective})
