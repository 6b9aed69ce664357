"""seqkeras.text: one :class:`Vocabulary` type (text ↔ ids) and the tokenizers it uses.

``Vocabulary`` has ids 0 = padding and 1 = unknown, optional start/end tokens after
them, a named tokenizer from :data:`SPLITTERS` and, for serving, ``tf.strings`` twins.
``WordVocabulary``/``CharVocabulary`` (and ``seqkeras.models.TokenVocabulary``) build
one with the layouts of the classes it replaced.
"""

from .char_vocabulary import CharVocabulary as CharVocabulary
from .splitters import PUNCTUATION as PUNCTUATION
from .splitters import SPLITTERS as SPLITTERS
from .splitters import Splitter as Splitter
from .splitters import get_splitter as get_splitter
from .splitters import register_splitter as register_splitter
from .vocabulary import LM_RESERVED_TOKENS as LM_RESERVED_TOKENS
from .vocabulary import PAD_ID as PAD_ID
from .vocabulary import SEQ2SEQ_RESERVED_TOKENS as SEQ2SEQ_RESERVED_TOKENS
from .vocabulary import UNK_ID as UNK_ID
from .vocabulary import Vocabulary as Vocabulary
from .vocabulary import load_vocabulary as load_vocabulary
from .vocabulary import vocabulary_from_dict as vocabulary_from_dict
from .vocabulary import vocabulary_to_dict as vocabulary_to_dict
from .word_vocabulary import WordVocabulary as WordVocabulary

# The language models' layout (WordVocabulary / CharVocabulary): "" = 0, <unk> = 1,
# <eos> = 2. Other layouts: read vocabulary.eos_id.
UNK_TOKEN = "<unk>"
EOS_TOKEN = "<eos>"
EOS_ID = 2
LookupVocabulary = Vocabulary  # the replaced base class's name
