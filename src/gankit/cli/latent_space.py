"""`gankit interpolate | arithmetic | project | neighbours | mix | ppl`: the latent-space tools."""

from __future__ import annotations

import argparse
from pathlib import Path

from gankit import latent
from gankit.cli.sample import open_run


def cmd_interpolate(args: argparse.Namespace) -> int:
    """Write an interpolation grid or GIF."""
    run = open_run(args)
    frames = latent.interpolation(run, args.a, args.b, steps=args.steps, mode=args.mode, cls=args.cls,
                                  rows=args.rows, seed=args.seed)
    out = latent.save_interpolation(frames, args.out, provenance=run.provenance(args.watermark))
    print(f"wrote {frames.shape[0]}×{frames.shape[1]} interpolation ({args.mode}) to {out}")
    return 0


def cmd_arithmetic(args: argparse.Namespace) -> int:
    """Evaluate a latent-arithmetic expression and write its figure."""
    run = open_run(args)
    result = latent.arithmetic(run, args.expression, k=args.k, pool=args.pool, seed=args.seed)
    out = latent.save_arithmetic_figure(result, run.class_names, args.out, run.provenance(args.watermark))
    for term, seeds in zip(result.terms, result.exemplar_seeds):
        print(f"{'+' if term.sign > 0 else '-'} {term.text}: exemplar seeds {seeds}")
    print(f"figure: {out}")
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    """Project an image into latent space; write the figure and the code."""
    run = open_run(args)
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
    run = open_run(args)
    samples = run.sample(args.n, seed=args.seed, classes=args.cls)
    nb = latent.training_neighbours(run, samples, k=args.k, space=args.space, seed=args.seed)
    out = latent.save_neighbours_figure(nb, args.out, run.provenance(args.watermark))
    closest = float(nb.distances[:, 0].min())
    print(f"closest training image at distance {closest:.3f} ({nb.space}); median train-to-train NN distance "
          f"{nb.median_train_nn:.3f}\nfigure: {out}")
    return 0


def cmd_mix(args: argparse.Namespace) -> int:
    """Write the style-mixing figure."""
    run = open_run(args)
    rows, cols = list(range(args.rows)), list(range(100, 100 + args.cols))
    r_img, c_img, grid = latent.style_mix(run, rows, cols, args.cutoff, args.truncation, args.cls)
    cutoff = args.cutoff or max(1, run.generator().num_ws // 3)
    out = latent.save_mixing_figure(r_img, c_img, grid, args.out, rows, cols, cutoff, run.provenance(args.watermark))
    print(f"style mixing ({args.rows}×{args.cols}, layers < {cutoff} from the rows): {out}")
    return 0


def cmd_ppl(args: argparse.Namespace) -> int:
    """Print the perceptual path length."""
    r = latent.perceptual_path_length(open_run(args), n=args.n, sampling=args.sampling, seed=args.seed,
                                      lpips_weights=args.lpips_weights)
    print(f"PPL ({r.extras['space']}, {r.extras['sampling']}, ε={r.extras['eps']}): {r.value:.4g} ± {r.std:.3g} (std) "
          f"over {r.extras['kept']} of {r.n_fake} pairs\ndistance: {r.provenance['distance']}")
    return 0
