"""seqkeras.lm: recurrent language models, scoring and sampling (course 1.6-1.7)."""

from .language_model import LanguageModel as LanguageModel
from .language_model import LogProb as LogProb
from .sampler import next_token_distribution as next_token_distribution
from .sampler import sample_tokens as sample_tokens
from .streams import SentenceBatches as SentenceBatches
from .streams import sentence_arrays as sentence_arrays
from .streams import stream_arrays as stream_arrays
