"""SeqGAN (Yu et al. 2017) on token sequences: polyphonic music as musical words (Lee et al. 2017)."""

from gankit.games.base import GameSpec
from gankit.games.seqgan.build import build_seqgan_game, seqgan_networks
from gankit.games.seqgan.figures import MusicPictures
from gankit.games.seqgan.game import SeqGame, SeqOptions

SEQGAN = GameSpec("seqgan", build=build_seqgan_game, networks=seqgan_networks, sampler="G", judge="D",
                  pictures=MusicPictures)

__all__ = ["SEQGAN", "MusicPictures", "SeqGame", "SeqOptions"]
