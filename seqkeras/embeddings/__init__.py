"""Word embeddings (course 2.1–2.10): one vector API (``KeyedVectors``), trainers
(neural language model, skip-gram, CBOW, negative sampling, GloVe), the context choices
and example streams they train on, evaluation, pictures and debiasing. See
docs/embeddings.md."""

from .cbow import CBOW as CBOW
from .contexts import CONTEXT_TYPES as CONTEXT_TYPES
from .contexts import PAD as PAD
from .contexts import ContextType as ContextType
from .contexts import chunk_examples as chunk_examples
from .contexts import get_context_type as get_context_type
from .contexts import list_context_types as list_context_types
from .cooccurrence import Cooccurrences as Cooccurrences
from .cooccurrence import count_cooccurrences as count_cooccurrences
from .cooccurrence import glove_dataset as glove_dataset
from .cooccurrence import glove_weight as glove_weight
from .debias import DEFINITIONAL_PAIRS as DEFINITIONAL_PAIRS
from .debias import EQUALIZE_PAIRS as EQUALIZE_PAIRS
from .debias import GENDER_SPECIFIC_WORDS as GENDER_SPECIFIC_WORDS
from .debias import PROFESSION_WORDS as PROFESSION_WORDS
from .debias import DebiasReport as DebiasReport
from .debias import bias_direction as bias_direction
from .debias import debias as debias
from .debias import equalize as equalize
from .debias import neutralize as neutralize
from .encoded_corpus import SENTENCE_END as SENTENCE_END
from .encoded_corpus import EncodedCorpus as EncodedCorpus
from .encoded_corpus import encode_corpus as encode_corpus
from .evaluation import AnalogyResult as AnalogyResult
from .evaluation import AnalogySection as AnalogySection
from .evaluation import WordPairResult as WordPairResult
from .evaluation import evaluate_analogies as evaluate_analogies
from .evaluation import evaluate_word_pairs as evaluate_word_pairs
from .evaluation import read_analogy_questions as read_analogy_questions
from .glove import GloVe as GloVe
from .keyed_vectors import KeyedVectors as KeyedVectors
from .keyed_vectors import load_glove as load_glove
from .losses import glove_loss as glove_loss
from .losses import masked_softmax_loss as masked_softmax_loss
from .losses import negative_sampling_loss as negative_sampling_loss
from .negative_sampler import NegativeSampler as NegativeSampler
from .nplm import NeuralLanguageModelEmbedding as NeuralLanguageModelEmbedding
from .pipeline import ExampleStream as ExampleStream
from .pipeline import example_dataset as example_dataset
from .plot import list_projections as list_projections
from .plot import plot_embeddings as plot_embeddings
from .plot import project_2d as project_2d
from .skip_gram import SkipGram as SkipGram
from .trainer_base import EmbeddingTrainer as EmbeddingTrainer
from .vocabulary import Vocabulary as Vocabulary
