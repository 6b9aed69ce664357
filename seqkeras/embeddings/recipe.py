"""The ``seqkeras embeddings train`` recipe: corpus -> vocabulary -> ids on disk ->
examples -> one of five trainers -> vectors, evaluation and metrics.

What is trained is chosen by name from ``ALGORITHMS`` (``sgns``, ``skipgram``,
``cbow``, ``glove``, ``nplm``); *how* it trains is ``fit_model`` — the one place that
calls seqkeras' training path (``fit_resumable`` on one replica, ``train_distributed``
on several), so a killed run started again with the same flags resumes. Everything
a run writes lives in its output directory:

- ``vocab.json``, ``corpus.ids`` + ``corpus.json`` (or ``cooccurrences.bin`` for GloVe):
  the prepared data, reused when the data flags are unchanged;
- ``checkpoint/``: the resumable training state;
- ``vectors.txt``: the learned E in word2vec text format;
- ``metrics.json``: configuration, history, throughput and the evaluation.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

VOCAB_FILE = "vocab.json"
CORPUS_IDS = "corpus.ids"
CORPUS_INFO = "corpus.json"
PREPARED_INFO = "prepared.json"
COOCCURRENCE_FILE = "cooccurrences.bin"
CHECKPOINT_DIR = "checkpoint"
VECTORS_FILE = "vectors.txt"
METRICS_FILE = "metrics.json"
CHECKPOINT_EVERY = 2000  # optimizer steps between mid-epoch checkpoints


@dataclass(frozen=True)
class Algorithm:
    """One trainer of the registry.

    Attributes:
        name: the ``--algo`` value.
        description: one line for ``--help``.
        loss: default loss kind (``"negative"``/``"softmax"``; ``None`` for GloVe).
        learning_rate: default AdaGrad rate.
        batch_size: default examples (targets, or co-occurrence cells) per step.
        initial_accumulator: AdaGrad's starting squared-gradient sum.
        optimizer: default ``--optimizer`` (a key of ``OPTIMIZERS``).
        rowwise_learning_rate: default rate with ``rowwise-adagrad`` (``None``: the same
            as ``learning_rate``).
    """

    name: str
    description: str
    loss: str | None
    learning_rate: float
    batch_size: int
    initial_accumulator: float = 0.1
    optimizer: str = "adagrad"
    rowwise_learning_rate: float | None = None


ALGORITHMS: dict[str, Algorithm] = {}
# packed skip-gram batches (example_dataset(pack=True)) are the default: on the English
# corpus they train 1.35-1.7x faster, and over two seeds each their analogy accuracy
# (21.4 / 23.4 %) matches unpacked batches' (23.5 / 21.9 %) and gensim's (22.9 / 22.2 %):
# the 2.1-point loss first measured was the seed (BENCHMARKS.md)
PACK_CONTEXTS = True


# how the rows a batch looked up are updated (``make_optimizer``): element-wise AdaGrad
# (a squared-gradient sum per weight) or row-wise AdaGrad (one sum per word vector)
OPTIMIZERS: dict[str, str] = {
    "adagrad": "SparseAdagrad",
    "rowwise-adagrad": "RowwiseSparseAdagrad",
}
# SGNS trains with row-wise AdaGrad at rate 0.2: its update costs about a third of the
# element-wise one's CPU, and at 0.2 its vectors scored as well on a 4M-word prefix
# (BENCHMARKS.md, "Faster SGNS"); --optimizer adagrad keeps the element-wise rule at 0.1
SGNS_OPTIMIZER = "rowwise-adagrad"
SGNS_ROWWISE_LEARNING_RATE = 0.2
# training steps per call of the compiled step function (Keras ``steps_per_execution``):
# fewer trips through Python and the callbacks per batch; the same updates
STEPS_PER_EXECUTION = 16


def list_optimizers() -> list[str]:
    return list(OPTIMIZERS)


def register_algorithm(algorithm: Algorithm) -> Algorithm:
    ALGORITHMS[algorithm.name] = algorithm
    return algorithm


def list_algorithms() -> list[str]:
    return list(ALGORITHMS)


for _algorithm in (
    Algorithm(
        "sgns",
        "skip-gram with negative sampling (word2vec's default)",
        "negative",
        0.1,
        4096,
        optimizer=SGNS_OPTIMIZER,
        rowwise_learning_rate=SGNS_ROWWISE_LEARNING_RATE,
    ),  # fmt: skip
    Algorithm("skipgram", "skip-gram with a full softmax", "softmax", 0.1, 512),
    Algorithm(
        "cbow", "continuous bag of words (negative sampling; --loss softmax)", "negative", 0.1, 4096
    ),
    # GloVe's reference: AdaGrad, rate 0.05, squared-gradient sums starting at 1
    Algorithm("glove", "GloVe on distance-weighted co-occurrence counts", None, 0.05, 16384, 1.0),
    Algorithm(
        "nplm", "Bengio's neural language model (softmax; --loss negative)", "softmax", 0.1, 512
    ),
):
    register_algorithm(_algorithm)


@dataclass(frozen=True)
class EmbeddingTrainConfig:
    """Everything that decides a run (stored in ``metrics.json``; ``epochs`` is not part
    of a run's identity: a finished run can be continued with more)."""

    algo: str = "sgns"
    corpus: str = "english"
    dim: int = 100
    window: int = 5
    negative: int = 5
    loss: str | None = None
    min_count: int = 5
    max_vocab: int | None = None
    max_words: int | None = None
    sample: float = 1e-3
    batch_size: int | None = None
    learning_rate: float | None = None
    context_size: int = 4
    hidden_units: int = 128
    x_max: float = 100.0
    alpha: float = 0.75
    epochs: int = 5
    seed: int = 0
    strategy: str = "default"
    jit_compile: bool = True
    # a draw of noise words per centre (SGNS), as measured in BENCHMARKS.md; sharing a draw
    # between two centres (--negatives-shared-by 2) was ~15% faster per step but cost 1
    # point of analogy accuracy on a 4M-word subset (docs/embeddings.md)
    negatives_shared_by: int = 1
    pack_contexts: bool = PACK_CONTEXTS
    optimizer: str | None = None
    # how many steps one compiled call runs: not part of a run's identity (like epochs)
    steps_per_execution: int = STEPS_PER_EXECUTION

    def resolved(self) -> EmbeddingTrainConfig:
        """A copy with the algorithm's defaults filled in (and checked)."""
        if self.algo not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {self.algo!r}; choose from {list_algorithms()}")
        spec = ALGORITHMS[self.algo]
        checks = {
            "dim": self.dim >= 1, "window": self.window >= 1, "negative": self.negative >= 1,
            "min_count": self.min_count >= 1, "sample": self.sample >= 0, "epochs": self.epochs >= 1,
            "context_size": self.context_size >= 1, "hidden_units": self.hidden_units >= 1,
            "max_vocab": self.max_vocab is None or self.max_vocab >= 1,
            "max_words": self.max_words is None or self.max_words >= 1,
            "batch_size": self.batch_size is None or self.batch_size >= 1,
            "learning_rate": self.learning_rate is None or self.learning_rate > 0,
            "negatives_shared_by": self.negatives_shared_by >= 1,
            "steps_per_execution": self.steps_per_execution >= 1,
        }  # fmt: skip
        for name, ok in checks.items():
            if not ok:
                raise ValueError(
                    f"--{name.replace('_', '-')} {getattr(self, name)} is out of range"
                )
        loss = self.loss or spec.loss
        if spec.loss is None and self.loss:
            raise ValueError(f"--loss does not apply to {self.algo}")
        if loss not in (None, "negative", "softmax"):
            raise ValueError(f"--loss must be negative or softmax, got {loss!r}")
        if self.negatives_shared_by != 1 and (self.algo != "sgns" or loss != "negative"):
            raise ValueError(
                f"--negatives-shared-by {self.negatives_shared_by} applies to sgns with "
                f"negative sampling only (got --algo {self.algo}, loss {loss})"
            )
        optimizer = self.optimizer or spec.optimizer
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"--optimizer must be one of {list_optimizers()}, got {optimizer!r}")
        default_rate = spec.learning_rate
        if optimizer == "rowwise-adagrad" and spec.rowwise_learning_rate is not None:
            default_rate = spec.rowwise_learning_rate
        values = asdict(self)
        values.update(
            loss=loss,
            optimizer=optimizer,
            batch_size=self.batch_size or spec.batch_size,
            learning_rate=self.learning_rate or default_rate,
        )
        return EmbeddingTrainConfig(**values)

    def data_identity(self) -> dict[str, Any]:
        """The flags the prepared data depends on."""
        keys = ["corpus", "min_count", "max_vocab", "max_words"]
        if self.algo == "glove":
            keys.append("window")
        return {k: getattr(self, k) for k in keys} | {"glove": self.algo == "glove"}

    def run_identity(self) -> dict[str, Any]:
        """The flags a checkpoint must match to be resumed (everything but epochs)."""
        values = asdict(self)
        values.pop("epochs")
        values.pop("steps_per_execution")
        return values


# --------------------------------------------------------------------------- data
def corpus_sentences(spec: str) -> tuple[Any, list[str]]:
    """``(TextCorpus, names)`` for ``--corpus``: ``english`` (every source), source names
    joined by commas (``wordnet,kjv``), or paths of UTF-8 text files / directories."""
    from seqkeras.datasets import english_corpus, list_corpus_sources

    parts = [p for p in spec.split(",") if p]
    if spec == "english":
        return english_corpus(), list_corpus_sources()
    if parts and all(p in list_corpus_sources() for p in parts):
        return english_corpus(parts), parts
    files: list[str] = []
    for part in parts:
        if os.path.isdir(part):
            found = sorted(
                os.path.join(root, name)
                for root, _, names in os.walk(part)
                for name in names
                if name.endswith((".txt", ".text", ".md"))
            )
            if not found:
                raise ValueError(f"empty corpus: directory {part} holds no .txt/.md file")
            files.extend(found)
        elif os.path.exists(part):
            files.append(part)
        else:
            raise FileNotFoundError(
                f"--corpus {part!r} is neither a file nor a corpus source ({', '.join(list_corpus_sources())})"
            )
    return english_corpus([], files=files), files


def take_words(sentences: Iterable[Sequence[str]], limit: int | None) -> Iterator[Sequence[str]]:
    """The sentences up to ``limit`` tokens in all (the last one cut); all without limit."""
    if limit is None:
        yield from sentences
        return
    left = limit
    for sentence in sentences:
        if left <= 0:
            return
        yield sentence[:left]
        left -= len(sentence)


@dataclass(frozen=True)
class PreparedData:
    vocabulary: Any
    corpus: Any  # EncodedCorpus
    raw_words: int
    cooccurrence_path: str | None = None


def prepare_data(config: EmbeddingTrainConfig, out: str, progress: bool = True) -> PreparedData:
    """Vocabulary and ids on disk (and, for GloVe, shuffled co-occurrences), reused from
    ``out`` when the data flags are the same."""
    from seqkeras.embeddings import EncodedCorpus, Vocabulary, count_cooccurrences, encode_corpus

    info_path = os.path.join(out, PREPARED_INFO)
    identity = config.data_identity()
    if os.path.exists(info_path):
        with open(info_path, encoding="utf-8") as f:
            info = json.load(f)
        if info.get("identity") == identity:
            cooccurrences = os.path.join(out, COOCCURRENCE_FILE) if identity["glove"] else None
            return PreparedData(
                Vocabulary.load(os.path.join(out, VOCAB_FILE)),
                EncodedCorpus.load_info(os.path.join(out, CORPUS_INFO)),
                int(info["raw_words"]),
                cooccurrences,
            )
    text, _ = corpus_sentences(config.corpus)
    started = time.time()
    vocabulary = Vocabulary.build(
        take_words(text, config.max_words), config.min_count, config.max_vocab
    )
    vocabulary.save(os.path.join(out, VOCAB_FILE))
    encoded = encode_corpus(
        take_words(text, config.max_words), vocabulary, os.path.join(out, CORPUS_IDS)
    )
    encoded.save_info(os.path.join(out, CORPUS_INFO))
    raw = text.num_tokens if config.max_words is None else min(config.max_words, text.num_tokens)
    if progress:
        print(
            f"corpus: {raw:,} words, vocabulary {len(vocabulary):,} (min count {config.min_count}), "
            f"{encoded.num_words:,} in-vocabulary words in {encoded.num_sentences:,} sentences "
            f"({time.time() - started:.0f} s)",
            flush=True,
        )
    cooccurrence_path = None
    if identity["glove"]:
        counts = count_cooccurrences(
            encoded, len(vocabulary), window=config.window, progress=progress
        )
        cooccurrence_path = counts.save_shuffled(
            os.path.join(out, COOCCURRENCE_FILE), seed=config.seed
        )
        if progress:
            print(f"co-occurrences: {len(counts):,} non-zero cells", flush=True)
    from seqkeras.training import write_json_atomic

    write_json_atomic(info_path, {"identity": identity, "raw_words": raw})
    return PreparedData(vocabulary, encoded, raw, cooccurrence_path)


# --------------------------------------------------------------------- model + data
def build_model(config: EmbeddingTrainConfig, vocabulary_size: int) -> Any:
    """The trainer of ``config.algo`` (``config`` resolved)."""
    from seqkeras.embeddings import CBOW, GloVe, NeuralLanguageModelEmbedding, SkipGram

    builders: dict[str, Callable[[], Any]] = {
        "sgns": lambda: SkipGram(
            vocabulary_size,
            config.dim,
            loss=config.loss or "negative",
            negatives_shared_by=config.negatives_shared_by,
        ),  # fmt: skip
        "skipgram": lambda: SkipGram(vocabulary_size, config.dim, loss=config.loss or "softmax"),
        "cbow": lambda: CBOW(vocabulary_size, config.dim, loss=config.loss or "negative"),
        "glove": lambda: GloVe(vocabulary_size, config.dim, x_max=config.x_max, alpha=config.alpha),
        "nplm": lambda: NeuralLanguageModelEmbedding(
            vocabulary_size,
            config.dim,
            context_size=config.context_size,
            hidden_units=config.hidden_units,
            loss=config.loss or "softmax",
        ),  # fmt: skip
    }
    return builders[config.algo]()


def training_data(config: EmbeddingTrainConfig, model: Any, data: PreparedData) -> tuple[Any, int]:
    """``(dataset of (x, y) batches, steps per epoch)`` for ``model``."""
    from seqkeras.embeddings import example_dataset, glove_dataset

    if config.batch_size is None:
        raise ValueError("resolve the configuration first (EmbeddingTrainConfig.resolved)")
    if config.algo == "glove":
        assert data.cooccurrence_path is not None
        return glove_dataset(data.cooccurrence_path, config.batch_size, config.x_max, config.alpha)
    size = config.context_size if model.context_type == "last_n" else config.window
    stream = example_dataset(
        data.corpus, data.vocabulary, context=model.context_type, size=size,
        sample=config.sample, negatives=config.negative if config.loss == "negative" else 0,
        batch_size=config.batch_size, seed=config.seed,
        pack=config.pack_contexts and model.context_is_set,
    )  # fmt: skip
    return stream.dataset.map(model.examples), stream.steps_per_epoch


def make_optimizer(config: EmbeddingTrainConfig) -> Any:
    """AdaGrad that updates only the rows a batch looked up (``SparseAdagrad``).

    Why AdaGrad and not word2vec's SGD: a batch sums many per-pair updates of a frequent
    word (the, of, ...) that word2vec applies one after another; with SGD at word2vec's
    rate those sums overshoot and training diverges within a few hundred batches, and
    averaging them instead starves frequent words (measured: analogies 1.4% vs gensim's
    5.3% on a 3.4M-word corpus). AdaGrad's per-weight step sizes suit rare and frequent
    words alike (GloVe's reference trains with it too).
    """
    from seqkeras.embeddings import sparse_adagrad

    spec = ALGORITHMS[config.algo]
    optimizer_class = getattr(sparse_adagrad, OPTIMIZERS[config.optimizer or spec.optimizer])
    return optimizer_class(
        config.learning_rate, initial_accumulator_value=spec.initial_accumulator, epsilon=1e-8
    )


def fit_model(
    model: Any,
    dataset: Any,
    *,
    loss: Any,
    optimizer: Any,
    epochs: int,
    strategy: Any,
    run_dir: str,
    config: dict[str, Any],
    jit_compile: bool = True,
    steps_per_execution: int = 1,
    verbose: Any = "auto",
) -> dict[str, list[Any]]:
    """Compiles ``model`` with ``loss`` summed over the batch and trains it with
    ``seqkeras.training.train`` — the recipe's one training call (``fit`` with XLA and
    resume on one replica, seqkeras' own step on several; a checkpoint every
    ``CHECKPOINT_EVERY`` steps). ``dataset`` yields one epoch per pass.

    On several replicas Keras divides a replica's loss by the replica count, so the
    summed gradient is the global sum divided by that count; AdaGrad's step barely
    depends on the gradient's scale.
    """
    from seqkeras.embeddings.losses import summed
    from seqkeras.training import train

    with strategy.scope():
        model.compile(
            optimizer, summed(loss), jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )  # fmt: skip
    return train(
        model, dataset, epochs=epochs, strategy=strategy, run_dir=run_dir, config=config,
        save_freq=CHECKPOINT_EVERY, verbose=verbose,
    )  # fmt: skip


def _build_in_scope(model: Any, dataset: Any) -> None:
    x, _ = next(iter(dataset.take(1)))
    model(x)


# ------------------------------------------------------------------------ evaluation
def evaluate_vectors(kv: Any) -> dict[str, Any]:
    """Analogy accuracy, WordSim-353 and SimLex-999 (gensim's data and conventions);
    ``{"unavailable": reason}`` where gensim's test data is missing."""
    from seqkeras.datasets import MissingDatasetError
    from seqkeras.embeddings import evaluate_analogies, evaluate_word_pairs

    results: dict[str, Any] = {}
    try:
        results["analogies"] = evaluate_analogies(kv).to_dict()
        for name in ("wordsim353", "simlex999"):
            results[name] = evaluate_word_pairs(kv, name).to_dict()
    except MissingDatasetError as err:
        results["unavailable"] = str(err)
    except ValueError as err:  # every pair out of vocabulary (a tiny corpus)
        results["word_pairs_error"] = str(err)
    return results


def format_evaluation(results: dict[str, Any]) -> str:
    if "unavailable" in results:
        return f"evaluation skipped: {results['unavailable']}"
    lines = []
    if "analogies" in results:
        a = results["analogies"]
        lines.append(
            f"analogies: {100 * a['accuracy']:.1f}% of {a['questions'] - a['oov_questions']:,} answerable "
            f"questions ({100 * a['oov_fraction']:.1f}% skipped: unknown words)"
        )
    for name in ("wordsim353", "simlex999"):
        if name in results:
            r = results[name]
            lines.append(
                f"{name}: Spearman {r['spearman']:.3f}, Pearson {r['pearson']:.3f} "
                f"({100 * r['oov_fraction']:.1f}% pairs unknown)"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- the run
def train_embeddings(
    config: EmbeddingTrainConfig, out: str, verbose: Any = "auto", evaluate: bool = True
) -> dict[str, Any]:
    """Prepares the data, trains, writes ``vectors.txt`` and ``metrics.json``; returns
    the metrics. Running it again with the same flags resumes (or, when finished,
    re-evaluates without training)."""
    import keras

    from seqkeras.training import get_strategy, is_chief, write_json_atomic

    config = config.resolved()
    os.makedirs(out, exist_ok=True)
    strategy = get_strategy(config.strategy)
    data = prepare_data(config, out, progress=verbose != 0)
    with strategy.scope():
        keras.utils.set_random_seed(config.seed)
        model = build_model(config, len(data.vocabulary))
    dataset, steps = training_data(config, model, data)
    with strategy.scope():
        _build_in_scope(model, dataset)
        optimizer = make_optimizer(config)
    from seqkeras.training import read_resume_state

    run_dir = os.path.join(out, CHECKPOINT_DIR)
    fresh = read_resume_state(run_dir) is None
    started = time.time()
    history = fit_model(
        model, dataset, loss=model.training_loss(), optimizer=optimizer, epochs=config.epochs,
        strategy=strategy, run_dir=run_dir,
        config=config.run_identity(), jit_compile=config.jit_compile,
        steps_per_execution=config.steps_per_execution, verbose=verbose,
    )  # fmt: skip
    seconds = time.time() - started
    kv = model.keyed_vectors(data.vocabulary.words)
    epochs_trained = len(history.get("loss", []))
    metrics: dict[str, Any] = {
        "config": asdict(config),
        "vocabulary": len(data.vocabulary),
        "corpus_words": data.raw_words,
        "steps_per_epoch": steps,
        "history": history,
        "train_seconds_this_call": seconds,
    }
    if fresh and epochs_trained == config.epochs:
        # like gensim's words/s: raw corpus words per second of training (a resumed
        # run's time covers only part of the work, so it gets no figure)
        metrics["words_per_second"] = data.raw_words * config.epochs / seconds
    if evaluate:
        metrics["evaluation"] = evaluate_vectors(kv)
    if is_chief(strategy):
        kv.save_word2vec_format(os.path.join(out, VECTORS_FILE))
        write_json_atomic(os.path.join(out, METRICS_FILE), metrics)
    return metrics
