"""The `gankit` command line's parser: every subcommand and its options, and nothing heavier than argparse.

`gankit --help` and a mistyped option are answered from here alone; a command's own module (with
torch and the rest) is imported only to run it (cli/main.py). Choices named by library modules are
repeated here as literals; tests/unit/test_cli_parser.py checks they stay equal.
"""

from __future__ import annotations

import argparse

from gankit.cli.arguments import POSITIVE, SEED, UNIT, Parser, count

GENERATORS = ("latest", "pretrained")  # gankit.composer.GENERATORS
DETECT_METHODS = ("cnn", "spectral", "histogram")  # gankit.detect.detector.METHODS
SAMPLING_PRECISIONS = ("fp32", "bf16", "auto")  # gankit.training.precision.SAMPLING_PRECISIONS
CALIBRATIONS = ("platt", "isotonic")  # gankit.detect.calibration.METHODS
VIEW_PORT = 8765  # gankit view's default port

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

DETECT_EXAMPLES = """examples:
  gankit detect train --real fashion-mnist --fake runs/fashion-dcgan --method spectral --out det/spectral
  gankit detect train --real fashion-mnist --fake runs/fashion-dcgan --fake-images plain.npy --method cnn --out det/cnn
  gankit detect score det/hist --input suspicious/ --out scores.csv
  gankit detect eval det/hist --real fashion-mnist --fake runs/fashion-dcgan --fake runs/fashion-stylegan2
  gankit provenance grid.png translated/ --runs runs
"""

VIEW_EXAMPLES = """examples:
  gankit view                      # every run under ./runs, at http://127.0.0.1:8765
  gankit view runs/demo            # one run
  gankit view runs --port 9000
  gankit view runs --host 0.0.0.0  # others on the network can see it too (a warning is printed)
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


def build_parser() -> argparse.ArgumentParser:
    """The `gankit` parser: one subcommand per command, each with its own options."""
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


def _device_arguments(p: argparse.ArgumentParser) -> None:
    """--device and --precision of a command that runs a trained generator."""
    p.add_argument("--device", default="auto", help="auto (a GPU when there is one), cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--precision", choices=SAMPLING_PRECISIONS, default="fp32",
                   help="G's arithmetic: fp32 (default), bf16 (faster on a GPU or a CPU with AMX, images within a "
                        "fraction of an 8-bit level), or auto = bf16 on a GPU or a CPU with AMX")


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
    _device_arguments(s)
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
    _device_arguments(e)
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
    m.add_argument("--checkpoint", dest="generator", choices=GENERATORS, default="latest",
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


def add_detect(sub: argparse._SubParsersAction) -> None:
    """detect (train, score, eval) and provenance."""
    d = sub.add_parser("detect", help="train, apply and evaluate a detector of generated images", epilog=DETECT_EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = d.add_subparsers(dest="verb", metavar="VERB")
    t = verbs.add_parser("train", help="fit a real-vs-generated detector", epilog=DETECT_EXAMPLES,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--real", required=True, help="real images: a dataset name (its train split), a folder or a uint8 .npy")
    t.add_argument("--fake", nargs="+", default=[], metavar="RUN", help="gankit run folders to sample generated images from")
    t.add_argument("--fake-images", nargs="+", default=[], metavar="PATH",
                   help="generated images as folders, image files or uint8 .npy (N×H×W or N×H×W×3)")
    t.add_argument("--method", choices=DETECT_METHODS, default="histogram",
                   help="histogram (intensity levels: the most accurate on gankit's runs, the most fragile), spectral "
                        "(power spectrum: robust, explainable), cnn (CNNDetection's recipe); default histogram")
    t.add_argument("--n", type=count(20), default=5000, help="images per generated source and of real ones (default 5000)")
    t.add_argument("--epochs", type=POSITIVE, default=6, help="CNN epochs (default 6)")
    t.add_argument("--calibration", choices=CALIBRATIONS, default="platt", help="platt (default) or isotonic")
    t.add_argument("--seed", type=SEED, default=0, help="seed of the samples, the split and the CNN (default 0)")
    t.add_argument("--out", required=True, help="the detector folder to write")

    s = verbs.add_parser("score", help="the probability that each image is generated")
    s.add_argument("detector", metavar="DET", help="a detector folder written by `gankit detect train`")
    s.add_argument("--input", required=True, help="an image file, a folder of images or a uint8 .npy")
    s.add_argument("--out", required=True, help="FILE.csv or FILE.json: one row per image")

    e = verbs.add_parser("eval", help="AP, accuracy and ROC AUC per generator, clean and degraded")
    e.add_argument("detector", metavar="DET", help="a detector folder written by `gankit detect train`")
    e.add_argument("--real", required=True, help="real images: a dataset name (its test split), a folder or a .npy")
    e.add_argument("--fake", action="append", required=True, metavar="PATH",
                   help="generated images: a run folder (sampled), a folder or a .npy (repeatable)")
    e.add_argument("--n", type=count(10), default=2000, help="images per set (default 2000)")
    e.add_argument("--bootstrap", type=count(10), default=1000, help="bootstrap resamples (default 1000)")
    e.add_argument("--no-robustness", dest="robustness", action="store_false", help="clean images only")
    e.add_argument("--seed", type=SEED, default=1, help="seed of the samples and the bootstrap (default 1)")
    e.add_argument("--card", default=None, help="where to write the card (default DET/eval_card.json)")

    p = sub.add_parser("provenance", help="which gankit run made an image: its metadata and invisible watermark")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--runs", action="append", default=None, metavar="DIR",
                   help="where to look for the run folders the images name (default ./runs; repeatable)")


def add_view(sub: argparse._SubParsersAction) -> None:
    """view."""
    v = sub.add_parser("view", help="watch the game live and play with trained runs in a browser (read-only)",
                       epilog=VIEW_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("path", nargs="?", default="runs", help="a run folder or a folder of runs (default: runs)")
    v.add_argument("--port", type=int, default=VIEW_PORT, help=f"the port to serve on (default {VIEW_PORT})")
    v.add_argument("--detectors", nargs="+", default=[], metavar="DIR",
                   help="folders of detectors for the Detect panel (besides those under PATH and those the runs name)")
    v.add_argument("--host", default="127.0.0.1",
                   help="the address to bind (default 127.0.0.1: this machine only); anything else is said loudly")

