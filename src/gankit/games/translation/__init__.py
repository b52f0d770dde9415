"""Image-to-image translation games: CycleGAN (unpaired domains) and pix2pix (aligned pairs)."""

from gankit.games.base import GameSpec, by_shape
from gankit.games.translation.build import build_cycle_game, build_paired_game, cycle_networks, paired_networks
from gankit.games.translation.cyclegan import CycleGame
from gankit.games.translation.figures import TranslationPictures
from gankit.games.translation.pix2pix import PairedGame

CYCLEGAN = GameSpec("cyclegan", build=build_cycle_game, networks=by_shape(cycle_networks), sampler="G_AB", judge="D_B",
                    directions={"AtoB": "G_AB", "BtoA": "G_BA"}, pictures=TranslationPictures)
PIX2PIX = GameSpec("pix2pix", build=build_paired_game, networks=by_shape(paired_networks), sampler="G", judge="D",
                   directions={"AtoB": "G"}, pictures=TranslationPictures)

__all__ = ["CYCLEGAN", "PIX2PIX", "CycleGame", "PairedGame", "TranslationPictures"]
