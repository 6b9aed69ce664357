"""seqkeras.music: note tokens, MIDI/WAV output, baselines and metrics for music generation."""

from .bigram import BigramModel as BigramModel
from .bigram import perplexity_of as perplexity_of
from .encoding import decode_tokens as decode_tokens
from .encoding import encode_events as encode_events
from .encoding import encode_part as encode_part
from .encoding import encode_score as encode_score
from .encoding import load_chorale_tokens as load_chorale_tokens
from .encoding import note_token as note_token
from .encoding import parse_token as parse_token
from .encoding import transpose_tokens as transpose_tokens
from .midi import render_wav as render_wav
from .midi import write_midi as write_midi
from .pitch_histogram import histogram_distance as histogram_distance
from .pitch_histogram import pitch_class_histogram as pitch_class_histogram
