"""The shapes dataset (gankit.data.captions.shapes) and its independent checker agree with the definition."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import ndimage

from gankit.data.captions import shapes as S
from gankit.data.captions.shapes_checker import attribute_accuracy, check, read_objects
from gankit.errors import DataError


@pytest.fixture(scope="module")
def train20k():
    return S.load_shapes("train", seed=0)


def _scenes(split: str, n: int, seed: int) -> list[S.Scene]:
    rng = np.random.default_rng(seed)
    return [S.random_scene(rng, split) for _ in range(n)]


def _pairs(caption: str) -> set[tuple[str, str]]:
    return {(colour, shape) for _, colour, shape in S.parse_caption(caption).objects}


# ---------------------------------------------------------------- definition

@pytest.mark.parametrize("shape", S.SHAPES)
@pytest.mark.parametrize("side", sorted(S.SIZES.values()))
def test_masks_span_their_box_so_the_size_is_readable(shape, side):
    mask = S.shape_mask(shape, side)
    assert mask.shape == (side, side) and mask[:, 0].any() and mask[:, -1].any()  # full width
    assert (mask == mask[:, ::-1]).all()  # symmetric left-right
    if shape == "triangle":  # pointing up: rows only widen downwards, base row is full
        widths = mask.sum(1)
        assert (np.diff(widths[widths > 0]) >= 0).all() and widths.max() == side
    else:
        assert mask[0].any() and mask[-1].any() and (mask == mask.T).all()


def test_small_shapes_look_right():
    rows = {shape: ["".join("#" if v else "." for v in r) for r in S.shape_mask(shape, 7)] for shape in S.SHAPES}
    assert rows["circle"] == ["..###..", ".#####.", "#######", "#######", "#######", ".#####.", "..###.."]
    assert rows["triangle"] == ["...#...", "...#...", "..###..", "..###..", ".#####.", ".#####.", "#######"]


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_scenes_inside_apart_unambiguous_and_round_trip(split):
    for scene in _scenes(split, 2000, seed=3):
        for o in scene.objects:
            assert 0 <= o.x0 <= S.IMAGE_SIZE - o.side and 0 <= o.y0 <= S.IMAGE_SIZE - o.side
        if len(scene.objects) == 2:
            a, b = scene.objects
            assert (a.size, a.colour, a.shape) != (b.size, b.colour, b.shape)
            gap_x = max(b.x0 - (a.x0 + a.side), a.x0 - (b.x0 + b.side))
            gap_y = max(b.y0 - (a.y0 + a.side), a.y0 - (b.y0 + b.side))
            assert max(gap_x, gap_y) >= S.MIN_GAP  # boxes neither overlap nor touch
            assert S.relation_between(a, b) == scene.relation
        else:
            assert scene.relation is None
        parsed = S.parse_caption(S.caption_of(scene))
        assert parsed.objects == tuple((o.size, o.colour, o.shape) for o in scene.objects)
        assert parsed.relation == scene.relation


def test_relation_margin_rule():
    def obj(x0, y0):
        return S.ShapeObject("square", "red", "small", x0, y0)
    assert S.relation_between(obj(0, 0), obj(10, 2)) == "left of"
    assert S.relation_between(obj(10, 2), obj(0, 0)) == "right of"
    assert S.relation_between(obj(0, 0), obj(2, 10)) == "above"
    assert S.relation_between(obj(2, 10), obj(0, 0)) == "below"
    assert S.relation_between(obj(0, 0), obj(8, 8)) is None  # diagonal: |dx| == |dy|
    assert S.relation_between(obj(0, 0), obj(3, 0)) is None  # closer than RELATION_MARGIN


def test_captions_follow_the_grammar():
    scene = S.Scene((S.ShapeObject("square", "blue", "small", 0, 0), S.ShapeObject("triangle", "yellow", "large", 12, 0)),
                    "left of")
    assert S.caption_of(scene) == "a small blue square left of a large yellow triangle"
    assert S.caption_of(S.Scene((S.ShapeObject("circle", "red", "large", 3, 3),))) == "a large red circle"
    assert S.parse_caption("A large red circle.").objects == (("large", "red", "circle"),)


@pytest.mark.parametrize(("text", "named"), [
    ("a big red circle", "word 2 'big'"),
    ("a small purple circle", "word 3 'purple'"),
    ("one small red circle", "word 1 'one'"),
    ("a small red circle near a large blue square", "word 5 'near'"),
    ("a small red circle left to a large blue square", "word 6 'to'"),
    ("a small red circle above a large blue square and more", "word 10 'and'"),
    ("a small red", "ends after 'red'"),
    ("", "empty"),
])
def test_parse_errors_name_the_word(text, named):
    with pytest.raises(DataError, match=named):
        S.parse_caption(text)


# ---------------------------------------------------------------- dataset

def test_load_shapes_layout(train20k):
    ds = train20k
    assert ds.x.shape == (20_000, 3, 32, 32) and ds.x.dtype == torch.uint8 and ds.name == "shapes"
    assert ds.kind == "image" and ds.class_names == ["one object", "two objects"] and len(ds.captions) == 20_000
    n_objects = torch.tensor([len(S.parse_caption(c).objects) for c in ds.captions])
    assert torch.equal(ds.y, n_objects - 1) and 0.45 < ds.y.float().mean() < 0.55
    assert ds.meta["captions"] == "shapes" and sorted(map(tuple, ds.meta["held_out"])) == sorted(S.HELD_OUT)
    assert {int(v) for v in ds.x.unique()} == {0, 255}  # flat palette colours on black


def test_held_out_pairs_only_in_the_held_out_split(train20k):
    assert all(not (_pairs(c) & S.HELD_OUT) for c in train20k.captions)
    assert all(not (_pairs(c) & S.HELD_OUT) for c in S.load_shapes("test", n=2000).captions)
    heldout = S.load_shapes("heldout", n=2000).captions
    assert all(_pairs(c) & S.HELD_OUT for c in heldout)
    assert set().union(*(_pairs(c) for c in heldout)) >= S.HELD_OUT
    seen = set().union(*(_pairs(c) for c in train20k.captions))
    assert len(seen) == 15  # every training pair occurs


def test_fixed_seed_gives_identical_data_and_splits_differ():
    a, b = S.load_shapes("train", n=300, seed=4), S.load_shapes("train", n=300, seed=4)
    assert torch.equal(a.x, b.x) and a.captions == b.captions and a.fingerprint() == b.fingerprint()
    assert a.captions != S.load_shapes("test", n=300, seed=4).captions
    assert a.captions != S.load_shapes("train", n=300, seed=5).captions


def test_load_shapes_rejects_bad_arguments():
    with pytest.raises(DataError, match="no split"):
        S.load_shapes("validation")
    with pytest.raises(DataError, match="positive integer"):
        S.load_shapes("train", n=0)


# ---------------------------------------------------------------- checker

@pytest.mark.parametrize(("split", "seed"), [("train", 10), ("heldout", 11)])
def test_renderer_and_checker_agree_on_every_scene(split, seed):
    scenes = _scenes(split, 5000, seed)
    images = np.stack([S.render(s) for s in scenes])
    acc = attribute_accuracy(images, [S.caption_of(s) for s in scenes])
    assert acc == {"colour": 1.0, "shape": 1.0, "size": 1.0, "relation": 1.0, "count": 1.0, "all": 1.0}
    for scene, image in zip(scenes[:300], images[:300], strict=True):  # centres read back exactly
        assert sorted(d.centre for d in read_objects(image)) == sorted(o.centre for o in scene.objects)


def test_checker_reads_any_caption_realised_by_scene_for_caption():
    rng = np.random.default_rng(5)
    for caption in ["a small green triangle", "a large magenta circle below a small cyan square",
                    "a small cyan square left of a small green triangle"]:
        for _ in range(20):
            assert all(v in (True, None) for v in check(S.render(S.scene_for_caption(caption, rng)), caption).values())


def test_one_scene_key_per_meaning_which_the_checker_confirms():
    scenes = [s for s in _scenes("train", 400, 11) if s.relation is not None]
    for scene in scenes[:100]:
        a, b = (f"a {o.size} {o.colour} {o.shape}" for o in scene.objects)
        said, swapped = S.caption_of(scene), f"{b} {S.INVERSE[scene.relation]} {a}"
        assert S.scene_key(said) == S.scene_key(swapped)
        image = S.render(scene)
        for caption in (said, swapped):  # the same picture satisfies both
            assert all(v in (True, None) for v in check(image, caption).values())
    assert S.scene_key("A Large red circle.") == S.scene_key("a large red circle") == "large red circle"
    assert S.scene_key("a small red circle left of a small red circle") == \
        S.scene_key("a small red circle right of a small red circle")
    keys = {S.scene_key(S.caption_of(s)) for s in scenes}
    distinct = {S.caption_of(s) for s in scenes}
    assert len(keys) < len(distinct)  # some scenes were captioned both ways
    assert S.scene_key("a small red circle left of a large red circle") != \
        S.scene_key("a small red circle right of a large red circle")


def test_checker_flags_the_wrong_part():
    scene = S.Scene((S.ShapeObject("square", "blue", "small", 2, 2), S.ShapeObject("triangle", "yellow", "large", 14, 4)),
                    "left of")
    image = S.render(scene)
    assert check(image, "a small blue square left of a large yellow triangle") == {
        "colour": True, "shape": True, "size": True, "relation": True, "count": True}
    assert check(image, "a small blue square right of a large yellow triangle")["relation"] is False
    assert check(image, "a large yellow triangle right of a small blue square")["relation"] is True
    wrong = check(image, "a small red square left of a large yellow circle")
    assert (wrong["colour"], wrong["shape"], wrong["size"], wrong["relation"]) == (False, False, True, True)
    one = check(image, "a large yellow triangle")  # the largest object is compared; two is one too many
    assert one["colour"] and one["shape"] and one["size"] and one["relation"] is None and not one["count"]


def test_checker_on_blank_image_is_false():
    blank = np.zeros((3, 32, 32), dtype=np.uint8)
    assert read_objects(blank) == []
    assert check(blank, "a small red circle") == {"colour": False, "shape": False, "size": False, "relation": None,
                                                 "count": False}
    result = check(blank, "a small red circle above a large blue square")
    assert not any(result.values())


def test_checker_takes_both_layouts_and_model_space():
    scene = _scenes("train", 1, seed=6)[0]
    hwc = S.render(scene)
    chw = torch.from_numpy(hwc).permute(2, 0, 1)
    model_space = chw.float() / 127.5 - 1.0
    assert read_objects(hwc) == read_objects(chw) == read_objects(model_space)
    with pytest.raises(DataError, match="3×H×W"):
        read_objects(np.zeros((32, 32), dtype=np.uint8))


def test_checker_is_robust_to_mild_noise_and_blur():
    """Threshold: every part ≥ 99% right under Gaussian noise σ = 20 (of 255) or a Gaussian blur σ = 0.5 px."""
    rng = np.random.default_rng(7)
    scenes = _scenes("train", 500, seed=8)
    images = np.stack([S.render(s) for s in scenes]).astype(np.float32)
    captions = [S.caption_of(s) for s in scenes]
    noisy = np.clip(np.rint(images + rng.normal(0, 20, images.shape)), 0, 255).astype(np.uint8)
    blurred = np.clip(np.rint(ndimage.gaussian_filter(images, (0, 0.5, 0.5, 0))), 0, 255).astype(np.uint8)
    for degraded in (noisy, blurred):
        assert min(attribute_accuracy(degraded, captions).values()) >= 0.99
