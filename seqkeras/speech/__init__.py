"""seqkeras.speech: CTC speech recognition around ``seqkeras.models.CTCRecognizer``.

- ``text``: the character vocabulary, transcript normalization (digits spelled out),
  WUW Corpus II marker stripping, CER/WER.
- ``ctc_decoding``: greedy decoding and prefix beam search in numpy (any backend's
  logits), with a character n-gram LM (``char_lm``) and a word list (``word_list``).

Decoding and text imports only numpy (and num2words/jiwer on use); the data,
training and export modules import Keras/TensorFlow when used.
"""

from .char_lm import CharNgramLM as CharNgramLM
from .ctc_decoding import Hypothesis as Hypothesis
from .ctc_decoding import ctc_greedy_decode as ctc_greedy_decode
from .ctc_decoding import ctc_greedy_decode_batch as ctc_greedy_decode_batch
from .ctc_decoding import ctc_prefix_beam_search as ctc_prefix_beam_search
from .ctc_decoding import log_softmax as log_softmax
from .text import BLANK as BLANK
from .text import CHARACTERS as CHARACTERS
from .text import CharVocabulary as CharVocabulary
from .text import CleanTranscript as CleanTranscript
from .text import character_error_rate as character_error_rate
from .text import clean_wuw_transcription as clean_wuw_transcription
from .text import normalize_transcript as normalize_transcript
from .text import spell_numbers as spell_numbers
from .text import word_error_rate as word_error_rate
from .word_list import WordList as WordList
