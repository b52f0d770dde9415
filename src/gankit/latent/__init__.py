"""Latent-space tools (see docs/latent.md): interpolation, truncation, arithmetic, projection, neighbours.

    import gankit
    from gankit import latent
    run = gankit.load_run("runs/fashion-cdcgan")
    frames = latent.interpolation(run, 3, 17, steps=9)           # (rows, steps, C, H, W)
    latent.save_interpolation(frames, "walk.gif")
    result = latent.arithmetic(run, "Sneaker - Sandal + Ankle boot")
    latent.save_arithmetic_figure(result, run.class_names, "arithmetic.png")
"""

from gankit.latent.arithmetic import ArithmeticResult, Term, arithmetic, parse_expression
from gankit.latent.codes import Code, endpoint, generate_codes, resolve_class, seed_code
from gankit.latent.figures import (
    save_arithmetic_figure,
    save_interpolation,
    save_mixing_figure,
    save_neighbours_figure,
    save_projection_figure,
)
from gankit.latent.interpolation import interpolate, lerp, slerp
from gankit.latent.mixing import style_mix
from gankit.latent.neighbours import Neighbours, training_neighbours
from gankit.latent.paths import interpolation
from gankit.latent.ppl import perceptual_path_length
from gankit.latent.projection import ProjectionResult, load_target, project
from gankit.sampling.truncation import truncate

__all__ = [
    "ArithmeticResult", "Code", "Neighbours", "ProjectionResult", "Term", "arithmetic", "endpoint",
    "generate_codes", "interpolate", "interpolation", "lerp", "load_target", "parse_expression",
    "perceptual_path_length", "project", "save_mixing_figure", "style_mix",
    "resolve_class", "save_arithmetic_figure", "save_interpolation", "save_neighbours_figure",
    "save_projection_figure", "seed_code", "slerp", "training_neighbours", "truncate",
]
