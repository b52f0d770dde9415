"""The encoders of text-to-image GANs: AttnGAN's DAMSM text and image encoders and a MirrorGAN-style captioner.

- TextEncoder: a bidirectional LSTM over word ids giving word features e (N, D, L) and a sentence
  feature ē (N, D) (Xu et al. 2018, AttnGAN, §3.3).
- ImageEncoder: a small CNN giving local (region) features v (N, D, h, w) and a global feature v̄ (N, D);
  AttnGAN uses Inception-v3 (17×17 regions of 299×299 images), this one is sized for 16–64 pixel images.
- Redescriber: an image captioner (CNN → GRU) that re-describes images, the STREAM of Qiao et al. 2019
  (MirrorGAN, §3.3); G is trained through it, so it is differentiable w.r.t. the images.

Word ids: 0 padding, 1 begin-of-sentence, 2 end-of-sentence, words from 3 (gankit.text.words.Vocabulary).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from gankit.errors import ConfigError, DataError

PAD, BOS, EOS = 0, 1, 2  # the special word ids, the same as gankit.text.words.Vocabulary's


def check_lengths(ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """lengths (N,) as int64 on the CPU, checked against ids (N, L): every caption has 1..L words."""
    lengths = torch.as_tensor(lengths).long().cpu()
    if ids.dim() != 2 or lengths.shape != ids.shape[:1]:
        raise DataError(f"word ids must be N×L with one length per row; got ids {tuple(ids.shape)} "
                        f"and lengths {tuple(lengths.shape)}")
    if len(lengths) and (int(lengths.min()) < 1 or int(lengths.max()) > ids.shape[1]):
        raise DataError(f"caption lengths must lie in 1..{ids.shape[1]} (the width of ids); got "
                        f"{int(lengths.min())}..{int(lengths.max())}: drop empty captions before encoding")
    return lengths


def word_mask(lengths: torch.Tensor, width: int) -> torch.Tensor:
    """(N, width) bool: True at the positions of real words (t < lengths[n])."""
    return torch.arange(width, device=lengths.device) < lengths.unsqueeze(1)


class TextEncoder(nn.Module):
    """DAMSM's text encoder: embedding → bidirectional LSTM (dim/2 per direction) over the real words only.

    forward(ids (N, L) int64, lengths (N,)) → words (N, dim, L), zero at padding, each column the
    concatenated forward and backward hidden states of a word; sentence (N, dim), the final hidden
    states of both directions concatenated (Xu et al. 2018, §3.3).
    """

    def __init__(self, vocab_size: int, embed: int = 128, dim: int = 128, dropout: float = 0.0) -> None:
        super().__init__()
        if dim % 2:
            raise ConfigError(f"TextEncoder dim={dim} must be even: each LSTM direction gets dim/2 units")
        self.dim = dim
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=PAD)
        self.drop = nn.Dropout(dropout)  # on the embeddings, as AttnGAN's RNN_ENCODER does
        self.lstm = nn.LSTM(embed, dim // 2, batch_first=True, bidirectional=True)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Word features (N, dim, L) and sentence features (N, dim) of padded word ids."""
        lengths = check_lengths(ids, lengths)
        # packing keeps padding out of the backward direction and of the final states
        packed = pack_padded_sequence(self.drop(self.embed(ids)), lengths, batch_first=True, enforce_sorted=False)
        out, (h, _) = self.lstm(packed)
        words, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])  # zeros at padding
        sentence = torch.cat([h[0], h[1]], dim=1)  # final forward state and final backward state (at word 0)
        return words.transpose(1, 2), sentence


def downsampling_blocks(channels: int, size: int, width: int, grid: int) -> tuple[nn.Sequential, int, int]:
    """conv3×3/2 → GroupNorm → LeakyReLU(0.2) blocks halving (rounding up) the side until it is ≤ grid.

    Returns the blocks, the channels they give and the final side (28 → 14 → 7 → 4, 32 → 16 → 8 → 4).
    """
    layers: list[nn.Module] = []
    c_in, c_out, side = channels, width, size
    while side > grid:
        # GroupNorm, not BatchNorm: G is trained through these encoders in eval mode, on batches of fakes only
        layers += [nn.Conv2d(c_in, c_out, 3, 2, 1), nn.GroupNorm(min(8, c_out), c_out), nn.LeakyReLU(0.2)]
        c_in, c_out, side = c_out, min(c_out * 2, width * 4), (side + 1) // 2
    if not layers:
        raise ConfigError(f"image size {size} is already at most the region grid {grid}; use larger images")
    return nn.Sequential(*layers), c_in, side


class ImageEncoder(nn.Module):
    """DAMSM's image encoder, a small CNN in place of Inception-v3: images in [-1, 1] → (local, global).

    images (N, channels, size, size) → local (N, dim, h, w), h = w ≤ grid (4 for sizes 28, 32 and 16),
    one feature per image region through a 1×1 convolution; global (N, dim), a linear map of the
    whole final feature map (flattened, so it keeps where things are: "left of" needs that).
    A learned position embedding is added to the regions' features, which the 1×1 projection cannot see
    otherwise (Inception's 17×17 features carry position through their large receptive fields).
    """

    def __init__(self, channels: int = 3, size: int = 32, dim: int = 128, width: int = 64, grid: int = 4) -> None:
        super().__init__()
        self.dim = dim
        self.features, c, self.side = downsampling_blocks(channels, size, width, grid)
        self.position = nn.Parameter(torch.zeros(1, c, self.side, self.side))
        self.local = nn.Conv2d(c, dim, 1)
        self.glob = nn.Linear(c * self.side * self.side, dim)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Local features (N, dim, h, w) and the global feature (N, dim) of images (N, C, H, W) in [-1, 1]."""
        x = self.features(images)
        return self.local(x + self.position), self.glob(x.flatten(1))


class Redescriber(nn.Module):
    """A STREAM-like captioner (Qiao et al. 2019, §3.3): CNN image feature → GRU decoder over words.

    The image's global feature initialises the GRU's state (as Show and Tell feeds it first) and is
    also given at every step, so that the caption keeps depending on the image. Teacher forcing:
    forward(images (N, C, H, W), ids (N, L), lengths (N,)) → logits (N, L+1, vocab_size) predicting
    [ids..., EOS] from [BOS, ids...]. decode(images, max_len) → greedy ids (N, max_len), 0 after EOS.
    """

    def __init__(self, vocab_size: int, channels: int = 3, size: int = 32, dim: int = 128, embed: int = 64) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.image = ImageEncoder(channels, size, dim, width=32)
        self.init = nn.Linear(dim, dim)
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=PAD)
        self.gru = nn.GRU(embed + dim, dim, batch_first=True)
        self.out = nn.Linear(dim, vocab_size)

    def _start(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The image feature (N, dim) and the GRU's initial state (1, N, dim)."""
        _, feature = self.image(images)
        return feature, torch.tanh(self.init(feature)).unsqueeze(0)

    def _run(self, tokens: torch.Tensor, feature: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (N, T, V) after the input tokens (N, T), and the new state."""
        x = torch.cat([self.embed(tokens), feature.unsqueeze(1).expand(-1, tokens.shape[1], -1)], dim=2)
        h, state = self.gru(x, state)
        return self.out(h), state

    def forward(self, images: torch.Tensor, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (N, L+1, V) of [ids..., EOS] given the image and [BOS, ids...] (teacher forcing)."""
        lengths = check_lengths(ids, lengths).to(ids.device)
        ids = ids.masked_fill(~word_mask(lengths, ids.shape[1]), PAD)  # whatever sits past a caption is not read
        tokens = torch.cat([torch.full_like(ids[:, :1], BOS), ids], dim=1)
        feature, state = self._start(images)
        return self._run(tokens, feature, state)[0]

    @torch.no_grad()
    def decode(self, images: torch.Tensor, max_len: int) -> torch.Tensor:
        """Greedy captions (N, max_len): the most likely word at each step until EOS, 0 (padding) after it."""
        feature, state = self._start(images)
        token = torch.full((len(images), 1), BOS, dtype=torch.long, device=images.device)
        done = torch.zeros(len(images), dtype=torch.bool, device=images.device)
        out = torch.zeros(len(images), max_len, dtype=torch.long, device=images.device)
        for t in range(max_len):
            logits, state = self._run(token, feature, state)
            logits = logits[:, 0].clone()
            logits[:, [PAD, BOS]] = float("-inf")  # never emitted: a caption is words, then EOS
            token = logits.argmax(1, keepdim=True)
            done |= token[:, 0] == EOS
            out[:, t] = token[:, 0].masked_fill(done, PAD)
            if bool(done.all()):
                break
        return out


def greedy_caption_lengths(ids: torch.Tensor) -> torch.Tensor:
    """Lengths (N,) of decoded captions (N, L): the count of non-padding ids (0 for an immediate EOS)."""
    return (ids != PAD).sum(1)

