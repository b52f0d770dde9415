"""`gankit` subcommands: parse -> build -> call. `main(argv)` returns an exit code and can be called in-process."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gankit import latent
from gankit.api import train
from gankit.cli.arguments import POSITIVE, SEED, UNIT, Parser, count
from gankit.cli.boundary import guarded
from gankit.cli.detect import add_detect, cmd_detect, cmd_provenance
from gankit.cli.view import add_view, cmd_view
from gankit.composer import GENERATORS, Composer
from gankit.config.io import preset_description, preset_names, read_config, resolve_config
from gankit.data.fashion_mnist import find_fashion_mnist
from gankit.data.fetch import REFERENCE_DATASETS, fetch_dataset, resolve_reference
from gankit.errors import ConfigError, DataError
from gankit.evaluation import evaluate, evaluate_translation, format_card, format_translation_card, write_card
from gankit.evaluation.music import evaluate_music, format_music_card
from gankit.evaluation.text2img import evaluate_text2img, format_text2img_card
from gankit.games.registry import game_spec
from gankit.illustrator import Illustrator, read_captions
from gankit.run import Run, load_run
from gankit.training.distributed import close_distributed
from gankit.translator import Translator

EPILOG = """examples:
  gankit presets
  gankit train ring8
  gankit train fashion-dcgan --set train.steps=2000 --set train.lr_d=1e-4 --out runs/fashion
  gankit train my_config.yaml --dry-run
  gankit train --resume runs/fashion --set train.steps=8000
  gankit sample runs/fashion --n 64 --out grid.png
  gankit sample runs/ring8 --n 2500 --out points.npy --seed 1
  gankit eval runs/fashion --n 10000 --metrics fid,kid,pr,dc,c2st
  gankit sample runs/fashion-cdcgan --class Sneaker --n 64 --out sneakers.png
  gankit interpolate runs/fashion-cdcgan 3 17 --steps 9 --out walk.gif
  gankit arithmetic runs/fashion-cdcgan "Sneaker - Sandal + Ankle boot" --out arithmetic.png
  gankit project runs/fashion-cdcgan shoe.png --out projected/
  gankit neighbours runs/fashion-cdcgan --n 6 --k 5 --out neighbours.png
  gankit mix runs/fashion-stylegan2 --rows 3 --cols 5 --out mixing.png
  gankit ppl runs/fashion-stylegan2 --n 2000
  gankit train fashion-cyclegan --out runs/sneaker2boot
  gankit translate runs/sneaker2boot --input sneakers/ --direction AtoB --out boots/ --eval
  gankit fetch horse2zebra --dest datasets
  gankit train chorales-seqgan --out runs/chorales
  gankit music runs/chorales --n 3 --bars 8 --out music/ --checkpoint pretrained
  gankit train shapes-dfgan --out runs/shapes
  gankit text2img runs/shapes "a small blue square left of a large yellow triangle" --n 8 --out square.png
  gankit text2img runs/fashion-text --captions captions.txt --n 8 --out drawings.npy
  gankit detect train --real fashion-mnist --fake runs/fashion-dcgan --method spectral --out det/spectral
  gankit detect eval det/spectral --real fashion-mnist --fake runs/fashion-dcgan --fake runs/fashion-stylegan2
  gankit provenance grid.png --runs runs
  torchrun --nproc_per_node 2 -m gankit train fashion-stylegan2     # DDP; the batch size is global
  gankit demo
"""


def _run_argument(parser: argparse.ArgumentParser) -> None:
    """The run folder every command after training takes, and where its data is now if it moved."""
    parser.add_argument("run", help="run folder written by `gankit train`")
    parser.add_argument("--data-path", default=None, metavar="DIR",
                        help="where the run's dataset is now, if it moved since training (checked against the run's data)")


def _watermark_argument(parser: argparse.ArgumentParser) -> None:
    """--no-watermark: image files keep their provenance metadata but not the invisible mark."""
    parser.add_argument("--no-watermark", dest="watermark", action="store_false",
                        help="do not add the invisible watermark naming the run (images of 64 px and more); "
                             "the PNG metadata stays")


def _open(args: argparse.Namespace) -> Run:
    """The run folder a command names, at its --checkpoint and --data-path."""
    return load_run(args.run, checkpoint=getattr(args, "checkpoint", "latest"), data_path=args.data_path,
                    ema=getattr(args, "ema", True))


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="gankit",
        description="Train, watch and sample generative adversarial networks.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    _add_training(sub)
    _add_sampling(sub)
    _add_latent(sub)
    _add_latent_figures(sub)
    _add_translation(sub)
    _add_music(sub)
    _add_text2img(sub)
    add_detect(sub)
    add_view(sub)
    return p


def _add_training(sub: argparse._SubParsersAction) -> None:
    """train, demo and presets."""
    t = sub.add_parser("train", help="train a preset or config file (or resume a run)", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("source", nargs="?", help="preset name (see `gankit presets`) or a .yaml/.json config file")
    t.add_argument("--out", help="run folder (default runs/<preset>); an existing run is never overwritten: -2, -3... is used")
    t.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set train.lr_g=2e-4 (repeatable)")
    t.add_argument("--resume", metavar="RUN", help="continue the run in this folder from its latest checkpoint")
    t.add_argument("--dry-run", action="store_true", help="print the resolved config and exit")
    t.add_argument("--data-path", default=None, metavar="DIR",
                   help="the dataset's folder (data.path); on --resume, where the run's data is now if it moved")

    sub.add_parser("presets", help="list the bundled presets")

    d = sub.add_parser("demo", help="a short training on a bundled dataset, then a report with grids and curves")
    d.add_argument("--out", default="runs/demo", help="run folder (default runs/demo)")
    d.add_argument("--steps", type=POSITIVE, default=None, help="override the demo's number of steps")


def _add_sampling(sub: argparse._SubParsersAction) -> None:
    """sample and eval: what a finished run gives."""
    s = sub.add_parser("sample", help="draw samples from a trained run folder")
    _run_argument(s)
    s.add_argument("--n", type=POSITIVE, default=64, help="number of samples (default 64)")
    s.add_argument("--out", required=True, help="output: .png for a grid (scatter for 2-D), .npy for raw samples")
    s.add_argument("--seed", type=SEED, default=0, help="noise seed (default 0)")
    s.add_argument("--checkpoint", choices=["latest", "best"], default="latest",
                   help="latest weights, or the best kept by eval.every (default latest)")
    s.add_argument("--class", dest="cls", default=None,
                   help="conditional runs: the class to draw, by name or index (default: every class in turn)")
    s.add_argument("--no-ema", dest="ema", action="store_false",
                   help="draw from the raw generator, not its moving average (the default when the run kept one)")
    s.add_argument("--truncation", type=UNIT, default=1.0, help="truncation ψ in [0, 1] (default 1 = off)")
    s.add_argument("--reject", type=UNIT, default=None,
                   help="keep samples D scores as real as all but this fraction of the training data (default: "
                        "the run's sample.reject; 0 = G as it is)")
    s.add_argument("--no-mixture", dest="mixture", action="store_false", default=None,
                   help="draw from the final G alone, not the mixture of its snapshots (runs with sample.mixture)")
    s.add_argument("--jacobian-reject", type=UNIT, default=None,
                   help="turn away this fraction of the latent space, where G stretches most (default: the run's "
                        "sample.jacobian_reject; 0 = off)")
    _watermark_argument(s)

    e = sub.add_parser("eval", help="score a run's samples against held-out real data; writes a metric card")
    _run_argument(e)
    e.add_argument("--n", type=count(2), default=None,
                   help="generated samples (default 10000; music: as many as test windows, at most 2000; "
                        "text-to-image: 1000 captions per set)")
    e.add_argument("--metrics", default=None,
                   help="comma list of fid,kid,pr,dc,is,c2st,memo,modes (default: all that apply but modes for images)")
    e.add_argument("--features", default=None,
                   help="extractor: fashion-mnist, digits (shipped classifiers), inception-v3, raw (default: the run's)")
    e.add_argument("--inception-weights", default=None, help="pytorch-fid weights file for --features inception-v3")
    e.add_argument("--seed", type=SEED, default=0, help="sample seed (default 0)")
    e.add_argument("--reject", type=UNIT, default=None,
                   help="score samples drawn with D's rejection at this fraction of the data (default: the run's "
                        "sample.reject)")
    e.add_argument("--no-mixture", dest="mixture", action="store_false", default=None,
                   help="score the final G alone, not the mixture of its snapshots (runs with sample.mixture)")
    e.add_argument("--jacobian-reject", type=UNIT, default=None,
                   help="score samples drawn with this fraction of the latent space, where G stretches most, turned "
                        "away (default: the run's sample.jacobian_reject)")
    e.add_argument("--no-ema", dest="ema", action="store_false",
                   help="score the raw generator, not its moving average (the default when the run kept one)")
    e.add_argument("--card", default=None, help="where to write the metric card (default RUN/metric_card.json)")
    e.add_argument("--checkpoint", choices=["latest", "best"], default="latest",
                   help="latest weights, or the best kept by eval.every (default latest)")



def _add_translation(sub: argparse._SubParsersAction) -> None:
    """translate (a CycleGAN or pix2pix run applied to files) and fetch (the reference datasets)."""
    tr = sub.add_parser("translate", help="translate an image, a folder of images or a .npy array with a cyclegan/pix2pix run")
    _run_argument(tr)
    tr.add_argument("--input", required=True, help="an image file, a folder of images, or a uint8 .npy (N×H×W or N×H×W×3)")
    tr.add_argument("--direction", default="AtoB", help="AtoB (default) or BtoA (CycleGAN runs)")
    tr.add_argument("--out", required=True, help="where to write: a file, a folder (for a folder input) or a .npy")
    tr.add_argument("--eval", action="store_true",
                    help="also score the run on its held-out images and write RUN/metric_card.json")
    _watermark_argument(tr)
    f = sub.add_parser("fetch", help="download a reference CycleGAN/pix2pix dataset (horse2zebra, edges2shoes, ...)")
    f.add_argument("name", nargs="?", help="dataset name, e.g. horse2zebra or pix2pix/facades (none: list them)")
    f.add_argument("--dest", default="datasets", help="where to unpack it (default ./datasets)")
    f.add_argument("--mirror", default=None, metavar="URL",
                   help="a mirror holding the same archives (e.g. file:///shared/archives), in place of the reference host")


def _add_music(sub: argparse._SubParsersAction) -> None:
    """music: a SeqGAN run writing MIDI files, piano rolls and WAVs."""
    m = sub.add_parser("music", help="write MIDI, piano rolls and WAVs with a SeqGAN run (e.g. chorales-seqgan)")
    _run_argument(m)
    m.add_argument("--n", type=POSITIVE, default=3, help="pieces (default 3)")
    m.add_argument("--bars", type=POSITIVE, default=None, help="bars per piece (default: the training window's length)")
    m.add_argument("--out", required=True, help="folder for piece_XX.mid, .png and .wav")
    m.add_argument("--checkpoint", dest="generator", choices=list(GENERATORS), default="latest",
                   help="latest: the adversarial G; pretrained: the MLE-pretrained G kept beside it (default latest)")
    m.add_argument("--seed", type=SEED, default=0, help="sampling seed (default 0)")
    m.add_argument("--temperature", type=float, default=1.0, help="sampling temperature (default 1: as trained)")
    m.add_argument("--no-audio", dest="audio", action="store_false", help="skip the WAVs (FluidSynth)")


def _add_text2img(sub: argparse._SubParsersAction) -> None:
    """text2img: a text-to-image run drawing what captions say."""
    t = sub.add_parser("text2img", help="draw what captions say with a text-to-image run (e.g. shapes-dfgan)")
    _run_argument(t)
    t.add_argument("caption", nargs="?", default=None, help='the caption, e.g. "a large red circle"')
    t.add_argument("--captions", default=None, metavar="FILE.txt", help="a text file of captions, one per line "
                   "(one row of N per caption)")
    t.add_argument("--n", type=POSITIVE, default=8, help="images per caption (default 8)")
    t.add_argument("--seed", type=SEED, default=0, help="noise seed (default 0); the same noise serves every caption")
    t.add_argument("--out", required=True, help="FILE.png (a labelled row per caption) or FILE.npy (uint8 N×H×W×3, "
                   "or N×H×W for grey data; K×N×… for K captions)")
    _watermark_argument(t)


def _add_latent(sub: argparse._SubParsersAction) -> None:
    """The latent-space tools that move through the latent space: interpolate, arithmetic, project."""
    i = sub.add_parser("interpolate", help="walk the latent space between two seeds, classes or projected codes")
    _run_argument(i)
    i.add_argument("a", help="start: a seed (e.g. 3), a class name (conditional runs) or a code file (.npz)")
    i.add_argument("b", help="end: like the start")
    i.add_argument("--steps", type=count(2), default=9, help="points along the path, both ends included (default 9)")
    i.add_argument("--mode", choices=["slerp", "lerp"], default="slerp", help="path of z (default slerp)")
    i.add_argument("--class", dest="cls", default=None, help="conditional runs, seed endpoints: only this class")
    i.add_argument("--rows", type=POSITIVE, default=4, help="between two classes: how many z to show (default 4)")
    i.add_argument("--seed", type=SEED, default=0, help="z seed for class endpoints (default 0)")
    i.add_argument("--out", required=True, help=".png grid (one row per path) or .gif animation")
    _watermark_argument(i)

    a = sub.add_parser("arithmetic", help='latent arithmetic, e.g. "Sneaker - Sandal + Ankle boot"')
    _run_argument(a)
    a.add_argument("expression", help="terms joined by + and -: a class (exemplars picked by the domain classifier), "
                   "Class[3,17,42] (exemplars by seed), or [3,17,42] (unconditional runs)")
    a.add_argument("--k", type=POSITIVE, default=3, help="exemplars per concept (default 3)")
    a.add_argument("--pool", type=POSITIVE, default=256, help="candidate seeds 0..pool-1 for classifier picks (default 256)")
    a.add_argument("--seed", type=SEED, default=0, help="seed of the nearby variants of the result (default 0)")
    a.add_argument("--out", required=True, help="figure (.png)")
    _watermark_argument(a)

    pr = sub.add_parser("project", help="find the latent code of a real image (GAN inversion)")
    _run_argument(pr)
    pr.add_argument("image", help="image file with the run's size and channels")
    pr.add_argument("--class", dest="cls", default=None, help="conditional runs: the image's class (default: searched)")
    pr.add_argument("--steps", type=POSITIVE, default=300, help="Adam steps on z (default 300)")
    pr.add_argument("--restarts", type=POSITIVE, default=16, help="random starting codes per class (default 16)")
    pr.add_argument("--resize", action="store_true", help="convert and resize the image to the run's shape")
    pr.add_argument("--seed", type=SEED, default=0, help="seed of the starting codes (default 0)")
    pr.add_argument("--out", required=True, help="folder for projection.png and code.npz")
    _watermark_argument(pr)



def _add_latent_figures(sub: argparse._SubParsersAction) -> None:
    """The latent-space figures that look at samples as they are: neighbours, mix, ppl."""
    nb = sub.add_parser("neighbours", help="samples beside their nearest training images")
    _run_argument(nb)
    nb.add_argument("--n", type=POSITIVE, default=6, help="samples (default 6)")
    nb.add_argument("--k", type=POSITIVE, default=5, help="neighbours per sample (default 5)")
    nb.add_argument("--class", dest="cls", default=None, help="conditional runs: draw samples of this class")
    nb.add_argument("--space", choices=["auto", "features", "pixels"], default="auto",
                    help="distance in the domain classifier's features or in pixels (default auto)")
    nb.add_argument("--seed", type=SEED, default=0, help="sample seed (default 0)")
    nb.add_argument("--out", required=True, help="figure (.png)")
    _watermark_argument(nb)

    mx = sub.add_parser("mix", help="style-mixing figure of a StyleGAN2 run")
    _run_argument(mx)
    mx.add_argument("--rows", type=POSITIVE, default=3, help="sources of the coarse styles, seeds 0.. (default 3)")
    mx.add_argument("--cols", type=POSITIVE, default=5, help="sources of the other styles, seeds 100.. (default 5)")
    mx.add_argument("--cutoff", type=POSITIVE, default=None, help="first layer taken from the columns (default a third)")
    mx.add_argument("--truncation", type=UNIT, default=1.0, help="truncation ψ (default 1 = off)")
    mx.add_argument("--class", dest="cls", default=None, help="conditional runs: the class of every image")
    mx.add_argument("--out", required=True, help="figure (.png)")
    _watermark_argument(mx)

    pl = sub.add_parser("ppl", help="perceptual path length of a run (smoothness of its latent space)")
    _run_argument(pl)
    pl.add_argument("--n", type=count(2), default=2000, help="latent pairs (default 2000)")
    pl.add_argument("--sampling", choices=["full", "end"], default="full", help="t ~ U(0,1) or t = 0 (default full)")
    pl.add_argument("--lpips-weights", default=None, help="LPIPS-VGG16 weights file (default: domain features)")
    pl.add_argument("--seed", type=SEED, default=0, help="seed (default 0)")



def cmd_train(args: argparse.Namespace) -> int:
    """Train (or resume) and print where the run lives."""
    if args.resume is None and args.source is None:
        raise ConfigError("give a preset or config file, or --resume RUN (see `gankit presets`)")
    if args.data_path is not None:  # JSON quoting keeps the path a string whatever it looks like
        args.overrides = [*args.overrides, f"data.path={json.dumps(str(args.data_path))}"]
    if args.dry_run:
        if args.resume:

            base = args.source or read_config(Path(args.resume) / "config.json")
            cfg = resolve_config(base, args.overrides)
        else:
            cfg = resolve_config(args.source, args.overrides)
        game_spec(cfg.game)  # the one key the schema cannot check: games sit above the config
        print(json.dumps(cfg.to_dict(), indent=2))
        return 0
    try:
        run = train(args.source, out=args.out, overrides=args.overrides, resume=args.resume)
    finally:
        close_distributed()  # under torchrun: every rank leaves the group before the process ends
    print(f"run folder: {run.path}")
    for name in ("report.md", "report.html"):
        if (run.path / name).exists():
            print(f"report:     {run.path / name}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    """Write samples from a run folder."""
    run = _open(args)
    out = run.save_samples(args.out, n=args.n, seed=args.seed, classes=args.cls, truncation=args.truncation,
                           reject=args.reject, mixture=args.mixture, jacobian_reject=args.jacobian_reject,
                           watermark=args.watermark)
    what = f" of class {run.class_names[run.class_index(args.cls)]!r}" if args.cls is not None else ""
    print(f"wrote {args.n} samples{what} to {out}")
    return 0


def cmd_interpolate(args: argparse.Namespace) -> int:
    """Write an interpolation grid or GIF."""
    run = _open(args)
    frames = latent.interpolation(run, args.a, args.b, steps=args.steps, mode=args.mode, cls=args.cls,
                                  rows=args.rows, seed=args.seed)
    out = latent.save_interpolation(frames, args.out, provenance=run.provenance(args.watermark))
    print(f"wrote {frames.shape[0]}×{frames.shape[1]} interpolation ({args.mode}) to {out}")
    return 0


def cmd_arithmetic(args: argparse.Namespace) -> int:
    """Evaluate a latent-arithmetic expression and write its figure."""
    run = _open(args)
    result = latent.arithmetic(run, args.expression, k=args.k, pool=args.pool, seed=args.seed)
    out = latent.save_arithmetic_figure(result, run.class_names, args.out, run.provenance(args.watermark))
    for term, seeds in zip(result.terms, result.exemplar_seeds):
        print(f"{'+' if term.sign > 0 else '-'} {term.text}: exemplar seeds {seeds}")
    print(f"figure: {out}")
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    """Project an image into latent space; write the figure and the code."""
    run = _open(args)
    res = latent.project(run, args.image, cls=args.cls, steps=args.steps, restarts=args.restarts,
                         seed=args.seed, resize=args.resize)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    latent.save_projection_figure(res, out / "projection.png", run.provenance(args.watermark))
    res.code.save(out / "code.npz")
    if res.code.c is not None:
        print(f"class: {run.class_names[int(res.code.c.argmax())]}")
    print(f"pixel MSE: start {res.start_error:.4f} -> projected {res.final_error:.4f} "
          f"(objective {res.start_loss:.4f} -> {res.final_loss:.4f})")
    print(f"wrote {out / 'projection.png'} and {out / 'code.npz'} (use it as an endpoint of `gankit interpolate`)")
    return 0


def cmd_neighbours(args: argparse.Namespace) -> int:
    """Samples beside their nearest training images."""
    run = _open(args)
    samples = run.sample(args.n, seed=args.seed, classes=args.cls)
    nb = latent.training_neighbours(run, samples, k=args.k, space=args.space, seed=args.seed)
    out = latent.save_neighbours_figure(nb, args.out, run.provenance(args.watermark))
    closest = float(nb.distances[:, 0].min())
    print(f"closest training image at distance {closest:.3f} ({nb.space}); median train-to-train NN distance "
          f"{nb.median_train_nn:.3f}\nfigure: {out}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate a run, print the table and write the card."""
    run = _open(args)
    if run.spec.translates:
        return _eval_translation(run, args.n, args.seed, args.card)
    if run.kind == "tokens" or run.config.game == "text2img":
        evaluate_game, format_game = ((evaluate_music, format_music_card) if run.kind == "tokens"
                                      else (evaluate_text2img, format_text2img_card))
        card = evaluate_game(run, n=args.n, seed=args.seed)
        path = write_card(card, args.card or run.path / "metric_card.json")
        print(format_game(card))
        print(f"\nmetric card: {path}")
        return 0
    card = evaluate(run, n=args.n or 10_000, metrics=args.metrics, features=args.features, seed=args.seed,
                    inception_weights=args.inception_weights, reject=args.reject,
                    mixture=args.mixture, jacobian_reject=args.jacobian_reject)
    path = write_card(card, args.card or run.path / "metric_card.json")
    print(format_card(card))
    print(f"\nmetric card: {path}")
    return 0


def _eval_translation(run: Run, n: int | None, seed: int, card_path: str | None) -> int:
    card = evaluate_translation(run, n=n, seed=seed)
    path = write_card(card, card_path or run.path / "metric_card.json")
    print(format_translation_card(card))
    print(f"\nmetric card: {path}")
    return 0


def cmd_translate(args: argparse.Namespace) -> int:
    """Translate files with a translation run (and score it with --eval)."""
    run = _open(args)
    written = Translator(run, args.watermark).translate_path(args.input, args.out, args.direction)
    where = written[0] if len(written) == 1 else Path(args.out)
    print(f"translated {len(written)} file(s) {args.direction}: {where}")
    if args.eval:
        _eval_translation(run, None, 0, None)
    return 0


def cmd_music(args: argparse.Namespace) -> int:
    """Write pieces of a SeqGAN run as MIDI, piano rolls and (with FluidSynth) WAV."""
    composer = Composer(_open(args), args.generator)
    w = composer.write(args.out, n=args.n, bars=args.bars, seed=args.seed, temperature=args.temperature,
                       audio=args.audio)
    print(f"wrote {len(w.midi)} MIDI file(s), {len(w.rolls)} piano roll(s) and {len(w.wav)} WAV(s) to {args.out}")
    if w.audio_problem:
        print(f"no WAV: {w.audio_problem}")
    return 0


def cmd_text2img(args: argparse.Namespace) -> int:
    """Draw images for one caption or a file of them with a text-to-image run."""
    if (args.caption is None) == (args.captions is None):
        raise ConfigError('give one caption ("a large red circle") or --captions FILE.txt, not both or neither')
    captions = [args.caption] if args.captions is None else read_captions(args.captions)
    out = Illustrator(_open(args)).write(captions, args.out, n=args.n, seed=args.seed, watermark=args.watermark)
    print(f"drew {args.n} image(s) for each of {len(captions)} caption(s): {out}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Download and unpack a reference dataset, or list them."""
    if args.name is None:
        for name, (url, _) in sorted(REFERENCE_DATASETS.items()):
            print(f"{name:<32} {url}")
        return 0
    root = fetch_dataset(args.name, args.dest, base_url=args.mirror)
    kind = REFERENCE_DATASETS[resolve_reference(args.name)][1]
    preset = {"unpaired-folder": "folder-cyclegan", "paired-folder": "folder-pix2pix"}.get(kind)
    how = f"gankit train {preset} --data-path {root}" if preset else f"--set data.name={kind} --set data.path={root}"
    print(f"{args.name}: {root}\ntrain on it: {how}")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    """Print each preset with its one-line description."""
    names = preset_names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {preset_description(name)}")
    return 0


# The demo's recipe, measured in docs/benchmarks.md and described in the README's first screen
# (tests/integration/test_demo.py keeps the three in step): about 2.5 minutes on 2 CPU cores.
DEMO = ("fashion-dcgan", 3000)
DEMO_WITHOUT_FASHION = ("digits-dcgan", 3000)


def cmd_demo(args: argparse.Namespace) -> int:
    """Fashion-MNIST when it is installed, else scikit-learn's digits; then the report."""
    try:
        find_fashion_mnist()
        preset, steps = DEMO
    except DataError as e:
        print(f"{e}\n-> the demo uses scikit-learn's bundled digits instead.", file=sys.stderr)
        preset, steps = DEMO_WITHOUT_FASHION
    steps = args.steps or steps
    print(f"demo: training {preset} for {steps} steps into {args.out} ...")
    run = train(preset, out=args.out, overrides={"train.steps": steps})
    print(f"run folder: {run.path}\nreport:     {run.path / 'report.md'}\nsamples:    {run.path / 'samples/final.png'}")
    print(f"view:       gankit view {run.path}   (the game and the generator in your browser)")
    return 0


def cmd_mix(args: argparse.Namespace) -> int:
    """Write the style-mixing figure."""
    run = _open(args)
    rows, cols = list(range(args.rows)), list(range(100, 100 + args.cols))
    r_img, c_img, grid = latent.style_mix(run, rows, cols, args.cutoff, args.truncation, args.cls)
    cutoff = args.cutoff or max(1, run.generator().num_ws // 3)
    out = latent.save_mixing_figure(r_img, c_img, grid, args.out, rows, cols, cutoff, run.provenance(args.watermark))
    print(f"style mixing ({args.rows}×{args.cols}, layers < {cutoff} from the rows): {out}")
    return 0


def cmd_ppl(args: argparse.Namespace) -> int:
    """Print the perceptual path length."""
    r = latent.perceptual_path_length(_open(args), n=args.n, sampling=args.sampling, seed=args.seed,
                                      lpips_weights=args.lpips_weights)
    print(f"PPL ({r.extras['space']}, {r.extras['sampling']}, ε={r.extras['eps']}): {r.value:.4g} ± {r.std:.3g} (std) "
          f"over {r.extras['kept']} of {r.n_fake} pairs\ndistance: {r.provenance['distance']}")
    return 0


COMMANDS = {"train": cmd_train, "sample": cmd_sample, "eval": cmd_eval, "presets": cmd_presets, "demo": cmd_demo,
            "interpolate": cmd_interpolate, "arithmetic": cmd_arithmetic, "project": cmd_project,
            "neighbours": cmd_neighbours, "mix": cmd_mix, "ppl": cmd_ppl, "translate": cmd_translate,
            "fetch": cmd_fetch, "music": cmd_music, "text2img": cmd_text2img, "detect": cmd_detect,
            "provenance": cmd_provenance, "view": cmd_view}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 a failure at run time, 2 bad input, 130 interrupted)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a bad argument already explained in two lines
        return int(e.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    return guarded(args.command, lambda: COMMANDS[args.command](args))


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
