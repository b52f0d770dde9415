"""Image files written with a provenance carry it: PNG text, GIF and JPEG comments, and the watermark."""

import numpy as np
import pytest
from PIL import Image

from gankit.utils import run_dir as rd
from gankit.utils.images import save_animation, save_image
from gankit.utils.plots import plot_image_rows, pyplot, save_figure
from gankit.utils.provenance import Provenance, for_run, read_mark, read_metadata

PROV = Provenance(generator="fashion-dcgan", run="0123456789abcdef", step=6000)


def _picture(size: int, channels: int = 1) -> np.ndarray:
    y, x = np.mgrid[:size, :size]
    grey = (128 + 60 * np.sin(x / 7.0) * np.cos(y / 11.0)).astype(np.uint8)
    return grey if channels == 1 else np.stack([grey, grey[::-1], grey[:, ::-1]], -1)


@pytest.mark.parametrize("suffix", [".png", ".gif", ".jpg"])
def test_metadata_round_trip(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    save_image(_picture(32), path, PROV)
    with Image.open(path) as image:
        meta = read_metadata(image)
    assert meta == {"generator": "fashion-dcgan", "run": "0123456789abcdef", "step": "6000", "version": PROV.version}


def test_small_images_are_not_marked_large_ones_are(tmp_path):
    small, large = _picture(48), _picture(96, 3)
    save_image(small, tmp_path / "s.png", PROV)
    save_image(large, tmp_path / "l.png", PROV)
    with Image.open(tmp_path / "s.png") as image:
        assert np.array_equal(np.asarray(image), small)
    with Image.open(tmp_path / "l.png") as image:
        reading = read_mark(image)
    assert reading.found and reading.payload == 0x01234567


def test_no_watermark_keeps_pixels_and_metadata(tmp_path):
    large = _picture(96)
    save_image(large, tmp_path / "l.png", Provenance("g", "89abcdef00000000", 1, watermark=False))
    with Image.open(tmp_path / "l.png") as image:
        assert np.array_equal(np.asarray(image), large)
        assert read_metadata(image)["run"] == "89abcdef00000000"
        assert not read_mark(image).found


def test_gif_frames_are_marked(tmp_path):
    frames = [_picture(96), _picture(96)[::-1].copy()]
    save_animation(frames, tmp_path / "a.gif", 100, PROV)
    with Image.open(tmp_path / "a.gif") as image:
        assert read_metadata(image)["run"] == PROV.run
        assert read_mark(image).payload == PROV.payload


def test_foreign_images_have_no_metadata(tmp_path):
    Image.fromarray(_picture(32)).save(tmp_path / "plain.png")
    with Image.open(tmp_path / "plain.png") as image:
        assert read_metadata(image) is None


def test_run_ids(tmp_path):
    (tmp_path / rd.CONFIG).write_text('{"name": "ring8"}')
    (tmp_path / rd.DATA_INFO).write_text("{}")
    derived = rd.run_id(tmp_path)  # a folder made before run ids: a hash of its config and data facts
    assert len(derived) == 16 and derived == rd.run_id(tmp_path)
    made = rd.new_run_id(tmp_path)
    assert rd.run_id(tmp_path) == made != derived
    prov = for_run(tmp_path, 12)
    assert (prov.generator, prov.run, prov.step) == ("ring8", made, 12)


def _figure_with_a_sample():
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(4, 2.5))
    for ax in axes:
        ax.imshow(_picture(96), cmap="gray", vmin=0, vmax=255)
        ax.set_title("a sample")
    return fig


def test_figures_keep_their_white_page_and_carry_the_metadata(tmp_path):
    """A whole-figure mark would darken the white page in smooth clouds: figures get metadata only."""
    save_figure(_figure_with_a_sample(), tmp_path / "plain.png")
    save_figure(_figure_with_a_sample(), tmp_path / "marked.png", PROV)
    with Image.open(tmp_path / "plain.png") as plain, Image.open(tmp_path / "marked.png") as figure:
        assert np.array_equal(np.asarray(figure.convert("RGB")), np.asarray(plain.convert("RGB")))
        assert read_metadata(figure)["run"] == PROV.run and not read_mark(figure).found


def test_rows_of_generated_images_keep_their_mark(tmp_path):
    plot_image_rows([("samples", np.stack([_picture(64)] * 4))], tmp_path / "rows.png", provenance=PROV)
    with Image.open(tmp_path / "rows.png") as image:
        assert read_metadata(image)["run"] == PROV.run and read_mark(image).payload == PROV.payload
