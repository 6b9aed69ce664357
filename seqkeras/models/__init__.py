"""seqkeras.models: encoder–decoder models (translation, captioning, speech) and text
classifiers and taggers (sentiment, named entities).

Importing this package registers the models with Keras, so ``keras.saving.load_model``
reads their ``.keras`` files without ``custom_objects``.
"""

from .average_embedding_classifier import AverageEmbeddingClassifier as AverageEmbeddingClassifier
from .ctc_recognizer import CTCRecognizer as CTCRecognizer
from .image_captioner import ImageCaptioner as ImageCaptioner
from .rnn_classifier import RNNClassifier as RNNClassifier
from .seq2seq import Seq2Seq as Seq2Seq
from .sequence_tagger import SequenceTagger as SequenceTagger
from .text_vectorizer import TextVectorizer as TextVectorizer
from .token_vocabulary import TokenVocabulary as TokenVocabulary
