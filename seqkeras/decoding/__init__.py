"""Decoding: greedy, beam and sampling searches over a ``next_fn(tokens, state)``
callback, and beam-search error analysis. See docs/decoding.md."""

from .beam_search import LENGTH_PENALTIES as LENGTH_PENALTIES
from .beam_search import beam_search as beam_search
from .beam_search import length_penalty_value as length_penalty_value
from .beam_search import normalized_score as normalized_score
from .error_analysis import ErrorAnalysis as ErrorAnalysis
from .error_analysis import ErrorRow as ErrorRow
from .error_analysis import beam_error_analysis as beam_error_analysis
from .error_analysis import search_fns as search_fns
from .greedy import greedy_search as greedy_search
from .registry import get_decoder as get_decoder
from .registry import list_decoders as list_decoders
from .registry import register_decoder as register_decoder
from .result import DecodeResult as DecodeResult
from .sampling import sample_search as sample_search
from .scoring import score_sequences as score_sequences
