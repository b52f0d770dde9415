"""Music as token sequences for the SeqGAN game: Bach chorales, a folder of MIDI files, a synthetic language.

Pieces are note arrays (gankit.utils.pitch) on a step grid (quantise), one word per step (words), ids from
a training-split vocabulary (vocabulary), cut into windows (windows) after a split by piece (split) and
optional transposition (transposition). corpus.build_corpus runs that pipeline; chorales, midi_folder and
synthetic are the three sources, and sources.music_corpus picks one by dataset name.
"""

from gankit.data.music.chorales import chorales_corpus, load_chorale_pieces, parse_chorale
from gankit.data.music.corpus import MusicCorpus, build_corpus
from gankit.data.music.midi_folder import MIDI_EXTENSIONS, load_midi_pieces, midi_folder_corpus, read_midi
from gankit.data.music.options import MusicOptions, music_options, resolve_split
from gankit.data.music.piece import Piece
from gankit.data.music.quantise import canonical_notes, quantise_notes, steps_per_bar
from gankit.data.music.sources import MUSIC_DATASETS, music_corpus, music_pieces
from gankit.data.music.split import split_names
from gankit.data.music.synthetic import scales_corpus, valid_share
from gankit.data.music.transposition import augmentations, to_c
from gankit.data.music.vocabulary import Vocabulary, decode_tokens
from gankit.data.music.voices import limit_voices
from gankit.data.music.windows import cut_windows
from gankit.data.music.words import REST, UNK, decode_words, encode_notes

__all__ = ["MIDI_EXTENSIONS", "MUSIC_DATASETS", "REST", "UNK", "MusicCorpus", "MusicOptions", "Piece", "Vocabulary",
           "augmentations", "build_corpus", "canonical_notes", "chorales_corpus", "cut_windows", "decode_tokens",
           "decode_words", "encode_notes", "limit_voices", "load_chorale_pieces", "load_midi_pieces",
           "midi_folder_corpus", "music_corpus", "music_pieces", "music_options", "parse_chorale", "quantise_notes",
           "read_midi", "resolve_split", "scales_corpus", "split_names", "steps_per_bar", "to_c", "valid_share"]
