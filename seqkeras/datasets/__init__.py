"""seqkeras.datasets: offline corpora (see shared DATA.md). Missing sources raise an error
that names the install command."""

from ._errors import MissingDatasetError as MissingDatasetError
from .bach_chorales import load_bach_chorales as load_bach_chorales
from .bible_parallel import load_verse_pairs as load_verse_pairs
from .cache import cache_root as cache_root
from .conll import TaggedSentence as TaggedSentence
from .conll import parse_conll as parse_conll
from .conll import read_conll as read_conll
from .dates import generate_dates as generate_dates
from .glove import glove_6b_50d as glove_6b_50d
from .labelled_text import LabelledTexts as LabelledTexts
from .labelled_text import read_labelled_texts as read_labelled_texts
from .lexicon_sentences import negation_sentences as negation_sentences
from .negation_probe import load_negation_probe as load_negation_probe
from .negation_probe import probe_report as probe_report
from .pang_lee import load_pang_lee as load_pang_lee
from .ptb import load_ptb as load_ptb
from .shakespeare import load_shakespeare as load_shakespeare
from .shakespeare import strip_gutenberg as strip_gutenberg
from .shapes_captions import generate_shape_captions as generate_shape_captions
from .splits import every_nth_split as every_nth_split
from .splits import stratified_kfold as stratified_kfold
from .text_files import load_text_files as load_text_files
from .text_files import read_text_file as read_text_file
from .text_files import split_text as split_text
from .wnut16 import load_wnut16_ner as load_wnut16_ner
