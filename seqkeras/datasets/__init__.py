"""seqkeras.datasets: offline corpora (see shared DATA.md). Missing sources raise an error
that names the install command."""

from ._errors import MissingDatasetError as MissingDatasetError
from .bach_chorales import load_bach_chorales as load_bach_chorales
from .bible_parallel import load_verse_pairs as load_verse_pairs
from .cache import cache_root as cache_root
from .dates import generate_dates as generate_dates
from .english_corpus import TextCorpus as TextCorpus
from .english_corpus import english_corpus as english_corpus
from .english_corpus import list_corpus_sources as list_corpus_sources
from .glove import glove_6b_50d as glove_6b_50d
from .ptb import load_ptb as load_ptb
from .shakespeare import load_shakespeare as load_shakespeare
from .shakespeare import strip_gutenberg as strip_gutenberg
from .shapes_captions import generate_shape_captions as generate_shape_captions
from .text_files import load_text_files as load_text_files
from .text_files import read_text_file as read_text_file
from .text_files import split_text as split_text
