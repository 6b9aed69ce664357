"""Word embeddings (course 2.1–2.10): one vector API (``KeyedVectors``), trainers
(neural language model, skip-gram, CBOW, negative sampling, GloVe), evaluation,
pictures and debiasing. See docs/embeddings.md."""

from .keyed_vectors import KeyedVectors as KeyedVectors
from .keyed_vectors import load_glove as load_glove
