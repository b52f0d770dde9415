"""`gankit translate | music | text2img | fetch`: the applications' commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from gankit.cli.evaluate import eval_translation
from gankit.cli.sample import open_run
from gankit.composer import Composer
from gankit.data.fetch import REFERENCE_DATASETS, fetch_dataset, resolve_reference
from gankit.errors import ConfigError
from gankit.illustrator import Illustrator, read_captions
from gankit.translator import Translator


def cmd_translate(args: argparse.Namespace) -> int:
    """Translate files with a translation run (and score it with --eval)."""
    run = open_run(args)
    written = Translator(run, args.watermark).translate_path(args.input, args.out, args.direction)
    where = written[0] if len(written) == 1 else Path(args.out)
    print(f"translated {len(written)} file(s) {args.direction}: {where}")
    if args.eval:
        eval_translation(run, None, 0, None)
    return 0


def cmd_music(args: argparse.Namespace) -> int:
    """Write pieces of a SeqGAN run as MIDI, piano rolls and (with FluidSynth) WAV."""
    composer = Composer(open_run(args), args.generator)
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
    out = Illustrator(open_run(args)).write(captions, args.out, n=args.n, seed=args.seed, watermark=args.watermark)
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
