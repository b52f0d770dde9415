"""Text-to-image: DF-GAN (Tao et al. 2022) with AttnGAN's DAMSM encoders and MirrorGAN's redescription."""

from gankit.games.base import GameSpec
from gankit.games.text2img.build import build_text_game, text_networks
from gankit.games.text2img.figures import CaptionPictures
from gankit.games.text2img.game import TextGame, TextOptions

TEXT2IMG = GameSpec("text2img", build=build_text_game, networks=text_networks, sampler="G", judge="D",
                    pictures=CaptionPictures)

__all__ = ["TEXT2IMG", "CaptionPictures", "TextGame", "TextOptions"]
