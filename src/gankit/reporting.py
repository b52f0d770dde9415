"""Pictures and the final report of a run: sample grids or scatter plots, game curves, report.md/html."""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.composer import Composer
from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.data.registry import dataset_entry
from gankit.errors import GankitError
from gankit.games.text2img.figures import picture_captions
from gankit.games.translation.figures import fixed_examples, translation_rows
from gankit.illustrator import Illustrator
from gankit.metrics.modes import mode_coverage
from gankit.models.protocols import num_classes
from gankit.run import Run
from gankit.training.callbacks import read_metrics
from gankit.training.state import TrainState
from gankit.utils import run_dir as rd
from gankit.utils.atomic import write_text_atomic
from gankit.utils.midi import plot_piano_rolls
from gankit.utils.plots import plot_game_curves, plot_image_rows
from gankit.utils.provenance import for_run
from gankit.utils.render import render_samples
from gankit.utils.seeding import make_generator


class SampleRenderer:
    """Draws samples from a fixed z at intervals (with the sampling network in eval mode) and refreshes the curves."""

    def __init__(self, state: TrainState, data: ArrayDataset, out_dir: Path, n: int, seed: int) -> None:
        self.state, self.info, self.out_dir = state, data.info(), Path(out_dir)
        self.provenance = for_run(self.out_dir.parent, 0)  # read once; each grid gets its step
        G = state.sampler
        z_dim, device, k = G.z_dim, next(G.parameters()).device, num_classes(G)
        n = 2500 if data.kind == "points" else n
        self.labels, self.nrow = None, None
        if k:  # one row per class: row k asks for class k
            self.nrow = max(1, n // k) if data.kind == "image" else None
            n = k * self.nrow if self.nrow else n
            self.labels = (torch.arange(n) // self.nrow if self.nrow else torch.arange(n) % k).to(device)
        self.z = torch.randn(n, z_dim, generator=make_generator(seed), device="cpu").to(device)
        self.real = data.x[:2000].numpy() if data.kind == "points" else None

    @torch.no_grad()
    def __call__(self, step: int) -> None:
        """Write samples/step_XXXXXXX.png and plots/curves.png."""
        net = self.state.sampler
        was_training = net.training
        net.eval()
        try:
            x = (net(self.z) if self.labels is None else net(self.z, self.labels)).float().cpu()
        finally:
            net.train(was_training)
        render_samples(x, self.info, self.out_dir / f"step_{step:07d}.png", self.real, self.nrow,
                       self.provenance.at(step))
        metrics = self.out_dir.parent / rd.METRICS
        if metrics.exists():
            plot_game_curves(read_metrics(metrics), self.out_dir.parent / rd.PLOTS / "curves.png")


def _summary_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    """Mean of the last 10% of logged windows: where the game settled."""
    tail = rows[-max(1, len(rows) // 10) :]
    keys = [k for k in tail[-1] if k not in ("step", "time")]
    return {k: float(np.mean([r[k] for r in tail if k in r])) for k in keys}


STATUS = {
    "done": "finished all {steps} steps",
    "budget": "stopped by train.budget_minutes at step {trained}",
    "interrupted": "interrupted at step {trained}",
    "diverged": "diverged before step {trained}: the last good checkpoint is kept",
    "failed": "stopped by an error at step {trained} (see the command's output)",
}


def write_report(path: str | Path, cfg: Config, data: ArrayDataset, status: str = "done", trained: int | None = None) -> Path | None:
    """Write plots/curves.png, samples/final.png and report.md (or .html); never raises on a partial run.

    `status` is how training ended (the Trainer's) and `trained` the step it reached; the report
    states them beside the step of the checkpoint it samples, which may be older.
    """
    try:
        return _write_report(Path(path), cfg, data, status, trained)
    except (GankitError, OSError, ValueError) as e:
        print(f"warning: report not written: {e}", file=sys.stderr)
        return None


def _write_report(path: Path, cfg: Config, data: ArrayDataset, status: str, trained: int | None) -> Path | None:
    if cfg.log.report == "none":
        return None
    rows = read_metrics(path / rd.METRICS)
    plot_game_curves(rows, path / rd.PLOTS / "curves.png")
    run = Run(path)
    if run.spec.translates:
        return _write_translation_report(path, cfg, data, run, rows, status, trained)
    if run.kind == "tokens":
        return _write_music_report(path, cfg, data, run, rows, status, trained)
    if cfg.game == "text2img":
        return _write_text2img_report(path, cfg, data, run, rows, status, trained)
    final = path / rd.SAMPLES / "final.png"
    nrow = None
    # a run that stopped early has no snapshot of its last step: its report samples the last G alone
    mixture = None if status in ("done", "budget") else False
    if run.conditional and data.kind == "image":  # one row per class, 8 samples each
        k, nrow = len(run.class_names), 8
        x = run.sample(k * nrow, seed=0, classes=(torch.arange(k * nrow) // nrow).tolist(), mixture=mixture)
    else:
        x = run.sample(2500 if data.kind == "points" else 64, seed=0, mixture=mixture)
    render_samples(x, data.info(), final, data.x[:2000].numpy() if data.kind == "points" else None, nrow,
                   run.provenance())
    settled = _summary_rows(rows)
    steps = sorted((path / rd.SAMPLES).glob("step_*.png"))
    pick = [steps[i] for i in sorted({int(round(j)) for j in np.linspace(0, len(steps) - 1, min(6, len(steps)))})] if steps else []
    trained = int(rows[-1]["step"]) if trained is None else trained
    progress = (f"{STATUS.get(status, status).format(steps=cfg.train.steps, trained=trained)}; "
                f"the last checkpoint is step {run.step} of {cfg.train.steps}")
    sections = _sections(cfg, data, progress, settled, x, pick, path, rows[-1].get("time", float("nan")))
    out = path / ("report.html" if cfg.log.report == "html" else "report.md")
    write_text_atomic(out, _to_html(sections) if cfg.log.report == "html" else _to_markdown(sections))
    return out


def _write_translation_report(path: Path, cfg: Config, data: ArrayDataset, run: Run, rows, status: str,
                              trained: int | None) -> Path:
    """The report of a translation run: the paper's figure on held-out images first, then the set-up and the game."""
    try:
        shown = run.dataset(split="test", n=None) if dataset_entry(cfg.data.name).held_out else data
    except GankitError:
        shown = data
    a, b = fixed_examples(shown, 8, seed=0)
    nets = {name: run.network(name) for name in run.spec.directions.values()}
    names = tuple(data.meta.get("domains", data.class_names))
    plot_image_rows(translation_rows(nets, a, b, names), path / rd.SAMPLES / "final.png",
                    title=f"{'held-out' if shown is not data else 'training'} images, step {run.step}",
                    provenance=run.provenance())
    trained = int(rows[-1]["step"]) if trained is None else trained
    t, tr = cfg.train, cfg.translation
    progress = (f"{STATUS.get(status, status).format(steps=t.steps, trained=trained)}; "
                f"the last checkpoint is step {run.step} of {t.steps}")
    nets_line = (f"{tr.generator} generator" + (f" ({tr.blocks} blocks)" if tr.generator == "resnet" else "") +
                 f", width {tr.g_width}; PatchGAN D, width {tr.d_width}")
    weights = (f"cycle λ {tr.cycle:g}, identity {tr.identity:g}·λ, pool {tr.pool}" if cfg.game == "cyclegan"
               else f"L1 λ {tr.l1:g}")
    setup = [("data", f"{data.name}: A = {names[0]} ({int((data.y == 0).sum())}), B = {names[1]} "
                      f"({int((data.y == 1).sum())}), shape {list(data.sample_shape)}"),
             ("game", f"{cfg.game}, objective {cfg.loss.objective}; {weights}"), ("networks", nets_line),
             ("status", progress),
             ("schedule", f"{t.steps} steps, batch {t.batch_size}, Adam β=({t.beta1}, {t.beta2}), lr_G {t.lr_g:g}, "
                          f"lr_D {t.lr_d:g}, {t.lr_schedule} schedule"),
             ("time", f"{rows[-1].get('time', float('nan')):.1f} s in the last session")]
    return _write_game_report(path, cfg, rows, setup,
                              ("Translations: input, translated, and back (CycleGAN) or ground truth (pix2pix)",
                               path / rd.SAMPLES / "final.png"),
                              "The game: losses, discriminator accuracy, gradient norms",
                              f"Score it: `gankit eval {path}` (translation accuracy, FID, cycle error, content preservation).")


def _write_music_report(path: Path, cfg: Config, data: ArrayDataset, run: Run, rows, status: str,
                        trained: int | None) -> Path:
    """The report of a SeqGAN run: piano rolls of both generators first, then the data, the set-up and the game."""
    final = path / rd.SAMPLES / "final.png"
    systems = ["latest"] + (["pretrained"] if run.step >= cfg.music.pretrain_g else [])
    pieces, titles = [], []
    for which in systems:
        pieces += Composer(run, which).compose(2, seed=0)
        titles += [f"{'SeqGAN G' if which == 'latest' else 'MLE-pretrained G'}, seed 0, sequence {i + 1}" for i in range(2)]
    m, info = cfg.music, data.meta
    plot_piano_rolls(pieces, final, m.steps_per_quarter, info["steps_per_bar"], titles=titles)
    trained = int(rows[-1]["step"]) if trained is None else trained
    t = cfg.train
    counts = info.get("counts", {})
    splits = [s for s in ("train", "val", "test") if s in counts]

    def per_split(key: str, fmt=str) -> str:
        return " / ".join(fmt(counts[s][key]) for s in splits)

    setup = [("data", f"{data.name}: vocabulary of {len(info['vocabulary'])} {m.representation}s; split by piece "
                      f"({' / '.join(splits)}): pieces {per_split('pieces')}, windows of {m.window} steps "
                      f"{per_split('windows')}, <unk> {per_split('unk_share', lambda v: f'{100 * v:.1f}%')}"),
             ("grid", f"{m.steps_per_quarter} steps per quarter note, {info['steps_per_bar']} per bar; transpose {m.transpose}"),
             ("game", f"SeqGAN, objective {cfg.loss.objective}; {m.pretrain_g} MLE steps, {m.pretrain_d} D steps, then "
                      f"policy gradient with {m.rollouts} rollouts (rate {m.rollout_rate}), {m.d_steps} D step(s) "
                      f"every {m.d_every}"),
             ("status", f"{STATUS.get(status, status).format(steps=t.steps, trained=trained)}; the last checkpoint "
                        f"is step {run.step} of {t.steps}"),
             ("networks", f"G: LSTM {m.hidden}, embedding {m.embed}; D: CNN, {m.d_scale:g}× Yu et al.'s filters"),
             ("time", f"{rows[-1].get('time', float('nan')):.1f} s in the last session")]
    return _write_game_report(path, cfg, rows, setup,
                              ("Piano rolls: the adversarial G above the MLE-pretrained G (seed 0)", final),
                              "The game: NLL while pretraining, then losses, reward, D accuracy, gradient norms",
                              f"Listen: `gankit music {path} --n 3 --out {path}/music` (MIDI, piano rolls, WAV).\n\n"
                              f"Score it: `gankit eval {path}` (BLEU, musical statistics, NLL; beside the MLE G, random "
                              "tokens and real music).")


def _write_text2img_report(path: Path, cfg: Config, data: ArrayDataset, run: Run, rows, status: str,
                           trained: int | None) -> Path:
    """The report of a text-to-image run: a row of images per fixed caption first, then the set-up and the game."""
    final = path / rd.SAMPLES / "final.png"
    Illustrator(run).write(picture_captions(data), final, n=8, seed=0)
    trained = int(rows[-1]["step"]) if trained is None else trained
    t, x, m = cfg.train, cfg.text, cfg.model
    encoder = ("in-house DAMSM bi-LSTM" if x.encoder == "damsm" else "pretrained all-MiniLM-L6-v2 (frozen)")
    setup = [("data", f"{data.name}: {len(data)} captioned images ({len(set(data.captions or []))} distinct captions, "
                      f"{len(data.meta['caption_vocabulary'])} words), shape {list(data.sample_shape)}"),
             ("encoders", f"{encoder}; image encoder CNN; {x.pretrain} stage-1 steps, space of {x.dim}"),
             ("game", f"DF-GAN, objective {cfg.loss.objective}; mismatch weight {x.mismatch:g}, MA-GP k={x.ma_gp:g} "
                      f"p={x.ma_gp_p:g}, redescription {x.redescribe:g}"),
             ("networks", f"G width {m.g_width}, z {m.z_dim}; D width {m.d_width}"),
             ("status", f"{STATUS.get(status, status).format(steps=t.steps, trained=trained)}; the last checkpoint "
                        f"is step {run.step} of {t.steps}"),
             ("schedule", f"batch {t.batch_size}, Adam β=({t.beta1}, {t.beta2}), lr_G {t.lr_g:g}, lr_D {t.lr_d:g}"),
             ("time", f"{rows[-1].get('time', float('nan')):.1f} s in the last session")]
    return _write_game_report(path, cfg, rows, setup, ("A row per caption, the same noise in each column (seed 0)", final),
                              "The game: encoders' losses, then D and G, D accuracy, gradient norms",
                              f'Draw: `gankit text2img {path} "a large red circle" --n 8 --out drawing.png`.\n\n'
                              f"Score it: `gankit eval {path}` (R-precision, FID, caption accuracy; beside the "
                              "caption-ignored baseline and real images).")


def _write_game_report(path: Path, cfg: Config, rows, setup: list[tuple[str, str]], picture: tuple[str, Path],
                       curves: str, closing: str) -> Path:
    """The layout every game's report shares: its picture, the set-up, the curves, where the game settled, what next."""
    game = [(k, f"{v:.4f}") for k, v in _summary_rows(rows).items()]
    sections: list[tuple[str, Any]] = [
        ("text", f"# gankit run: {cfg.name}\n\n{cfg.description}"),
        ("image", picture),
        ("table", ("Set-up", setup)),
        ("image", (curves, path / rd.PLOTS / "curves.png")),
        ("table", ("Where the game settled (mean of the last 10% of logged windows)", game)),
        ("text", closing),
    ]
    out = path / ("report.html" if cfg.log.report == "html" else "report.md")
    write_text_atomic(out, _to_html(sections) if cfg.log.report == "html" else _to_markdown(sections))
    return out


def _sections(cfg, data, progress: str, settled, x, pick, path: Path, seconds: float) -> list[tuple[str, Any]]:
    t = cfg.train
    setup = [
        ("dataset", f"{data.name} ({len(data)} samples, shape {list(data.sample_shape)})"),
        ("model", f"{cfg.model.arch}, z_dim {cfg.model.z_dim}, G width {cfg.model.g_width}, D width {cfg.model.d_width}"),
        ("objective", cfg.loss.objective),
        ("status", progress),
        ("schedule", f"{t.steps} steps, {t.d_steps} D step(s) per G step, batch {t.batch_size}"),
        ("optimisers", f"Adam β=({t.beta1}, {t.beta2}), lr_G {t.lr_g:g}, lr_D {t.lr_d:g}; EMA decay {t.ema_decay}, "
                       f"ramp-up {t.ema_rampup}"),
        ("time", f"{seconds:.1f} s in the last session"),
    ]
    labels = {"loss_d": "loss_D", "loss_g": "loss_G", "d_real": "mean D(x)", "d_fake": "mean D(G(z))",
              "acc_real": "D accuracy on real", "acc_fake": "D accuracy on fake", "acc": "D accuracy (0.5 = equilibrium)",
              "grad_norm_d": "‖∇D‖", "grad_norm_g": "‖∇G‖"}
    game = [(labels.get(k, k), f"{v:.4f}") for k, v in settled.items()]
    final = "one row per class, " if cfg.model.conditional and data.kind == "image" else ""
    sections: list[tuple[str, Any]] = [  # the picture first: people look before they read
        ("text", f"# gankit run: {cfg.name}\n\n{cfg.description}"),
        ("image", (f"Samples from the last checkpoint ({final}EMA generator when kept, seed 0)", path / rd.SAMPLES / "final.png")),
        ("table", ("Set-up", setup)),
        ("image", ("The game: losses, D outputs, D accuracy and gradient norms", path / rd.PLOTS / "curves.png")),
        ("table", ("Where the game settled (mean of the last 10% of logged windows)", game)),
    ]
    if data.kind == "points" and "centres" in data.meta:
        cov = mode_coverage(x, torch.tensor(data.meta["centres"]), data.meta["std"])
        sections.append(("table", ("Mode coverage, PacGAN protocol (2500 samples)", [
            ("modes captured", f"{cov.modes} / {cov.n_modes}"),
            ("high-quality samples (≤ 3σ)", f"{100 * cov.hq_fraction:.1f}%"),
            ("reverse KL to uniform", f"{cov.reverse_kl:.4f}"),
            ("spread (exact sampler ≈ 0.97)", f"{cov.spread:.3f}"),
            ("width: the spread from each mode's own mean (exact ≈ 0.97)", f"{cov.width:.3f}"),
        ])))
    for p in pick:
        sections.append(("image", (f"Fixed-z samples at {p.stem.replace('_', ' ')}", p)))
    return sections


def _rel(p: Path, root: Path) -> str:
    return str(p.relative_to(root)) if p.is_relative_to(root) else str(p)


def _to_markdown(sections) -> str:
    parts = []
    for kind, body in sections:
        if kind == "text":
            parts.append(body)
        elif kind == "table":
            title, rows = body
            parts.append(f"## {title}\n\n| | |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows))
        else:
            title, img = body
            parts.append(f"## {title}\n\n![{title}]({_rel(img, img.parents[1])})")
    return "\n\n".join(parts) + "\n"


def _to_html(sections) -> str:
    parts = ["<!doctype html><meta charset='utf-8'><title>gankit report</title><body style='font-family:sans-serif'>"]
    for kind, body in sections:
        if kind == "text":
            head, _, rest = body.partition("\n\n")
            parts.append(f"<h1>{html.escape(head.lstrip('# '))}</h1><p>{html.escape(rest)}</p>")
        elif kind == "table":
            title, rows = body
            cells = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>" for a, b in rows)
            parts.append(f"<h2>{html.escape(title)}</h2><table border=1 cellpadding=4>{cells}</table>")
        else:
            title, img = body
            parts.append(f"<h2>{html.escape(title)}</h2><img src='{html.escape(_rel(img, img.parents[1]))}'>")
    return "\n".join(parts) + "</body>\n"
