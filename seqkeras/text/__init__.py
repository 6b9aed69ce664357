"""seqkeras.text: word and character vocabularies on Keras ``StringLookup``."""

from ._lookup import EOS_ID as EOS_ID
from ._lookup import EOS_TOKEN as EOS_TOKEN
from ._lookup import PAD_ID as PAD_ID
from ._lookup import UNK_ID as UNK_ID
from ._lookup import UNK_TOKEN as UNK_TOKEN
from ._lookup import load_vocabulary as load_vocabulary
from ._lookup import vocabulary_from_dict as vocabulary_from_dict
from ._lookup import vocabulary_to_dict as vocabulary_to_dict
from .char_vocabulary import CharVocabulary as CharVocabulary
from .word_vocabulary import WordVocabulary as WordVocabulary
