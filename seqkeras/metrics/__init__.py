"""seqkeras.metrics: BLEU (sacrebleu-exact) and a streaming Keras BLEU metric."""

from .bleu import BLEUResult as BLEUResult
from .bleu import ModifiedPrecision as ModifiedPrecision
from .bleu import bleu_from_statistics as bleu_from_statistics
from .bleu import bleu_signature as bleu_signature
from .bleu import corpus_bleu as corpus_bleu
from .bleu import from_sacrebleu_refs as from_sacrebleu_refs
from .bleu import modified_precision as modified_precision
from .bleu import segment_statistics as segment_statistics
from .bleu import sentence_bleu as sentence_bleu
from .bleu import tokenize_13a as tokenize_13a
from .bleu_metric import CorpusBLEU as CorpusBLEU
from .confusion import confusion_matrix as confusion_matrix
from .entity_f1 import bio_entities as bio_entities
from .entity_f1 import bootstrap_f1 as bootstrap_f1
from .entity_f1 import entity_scores as entity_scores
