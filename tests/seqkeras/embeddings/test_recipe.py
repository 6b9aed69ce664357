"""The training recipe's pieces: corpus selection, word budget, configuration."""

import pytest

from seqkeras.embeddings.recipe import (
    ALGORITHMS,
    EmbeddingTrainConfig,
    corpus_sentences,
    list_algorithms,
    list_optimizers,
    make_optimizer,
    take_words,
)
from seqkeras.embeddings.sparse_adagrad import RowwiseSparseAdagrad, SparseAdagrad


def test_take_words_cuts_at_the_budget():
    sentences = [["a", "b", "c"], ["d", "e"], ["f"]]
    assert list(take_words(sentences, None)) == sentences
    assert list(take_words(sentences, 4)) == [["a", "b", "c"], ["d"]]
    assert list(take_words(sentences, 3)) == [["a", "b", "c"]]


def test_corpus_spec_files_and_directories(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("One two. Three")
    (tmp_path / "texts" / "b.md").write_text("four five")
    (tmp_path / "texts" / "skip.bin").write_text("six")
    corpus, files = corpus_sentences(str(tmp_path / "texts"))
    assert [f.rsplit("/", 1)[1] for f in files] == ["a.txt", "b.md"] and corpus.num_tokens == 5
    with pytest.raises(FileNotFoundError, match="neither a file nor a corpus source"):
        corpus_sentences(str(tmp_path / "nothing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no .txt"):
        corpus_sentences(str(tmp_path / "empty"))


def test_configuration_defaults_identity_and_errors():
    config = EmbeddingTrainConfig(algo="cbow").resolved()
    spec = ALGORITHMS["cbow"]
    assert config.loss == "negative" and config.batch_size == spec.batch_size
    assert config.learning_rate == spec.learning_rate
    assert "epochs" not in config.run_identity()
    assert (
        EmbeddingTrainConfig(epochs=3).resolved().run_identity()
        == EmbeddingTrainConfig(epochs=9).resolved().run_identity()
    )
    assert EmbeddingTrainConfig(algo="glove").data_identity()["window"] == 5
    assert "window" not in EmbeddingTrainConfig(algo="sgns").data_identity()
    with pytest.raises(ValueError, match="unknown algorithm 'word2vec'"):
        EmbeddingTrainConfig(algo="word2vec").resolved()
    with pytest.raises(ValueError, match="--window 0 is out of range"):
        EmbeddingTrainConfig(window=0).resolved()
    with pytest.raises(ValueError, match="--loss does not apply to glove"):
        EmbeddingTrainConfig(algo="glove", loss="negative").resolved()
    with pytest.raises(ValueError, match="--negatives-shared-by 0 is out of range"):
        EmbeddingTrainConfig(negatives_shared_by=0).resolved()
    for algo, loss in (("cbow", None), ("sgns", "softmax")):
        with pytest.raises(ValueError, match="--negatives-shared-by 2 applies to sgns with"):
            EmbeddingTrainConfig(algo=algo, loss=loss, negatives_shared_by=2).resolved()
    assert EmbeddingTrainConfig(negatives_shared_by=2).resolved().negatives_shared_by == 2
    assert list_algorithms() == ["sgns", "skipgram", "cbow", "glove", "nplm"]


def test_optimizer_follows_the_algorithm():
    glove = make_optimizer(EmbeddingTrainConfig(algo="glove").resolved())
    assert isinstance(glove, SparseAdagrad) and glove.initial_accumulator_value == 1.0
    sgns = make_optimizer(EmbeddingTrainConfig(algo="sgns", learning_rate=0.3).resolved())
    assert float(sgns.learning_rate) == pytest.approx(0.3)
    assert list_optimizers() == ["adagrad", "rowwise-adagrad"]
    for name, kind in (("adagrad", SparseAdagrad), ("rowwise-adagrad", RowwiseSparseAdagrad)):
        config = EmbeddingTrainConfig(algo="cbow", optimizer=name).resolved()
        assert config.optimizer == name and type(make_optimizer(config)) is kind
    assert EmbeddingTrainConfig(algo="glove").resolved().optimizer == "adagrad"
    with pytest.raises(ValueError, match="--optimizer must be one of"):
        EmbeddingTrainConfig(optimizer="sgd").resolved()


def test_steps_per_execution_is_not_part_of_the_run():
    one, many = (EmbeddingTrainConfig(steps_per_execution=n).resolved() for n in (1, 16))
    assert one.run_identity() == many.run_identity()
    elementwise, rowwise = (
        EmbeddingTrainConfig(optimizer=name).resolved() for name in list_optimizers()
    )
    assert elementwise.run_identity() != rowwise.run_identity()  # other optimizer state
    with pytest.raises(ValueError, match="--steps-per-execution 0 is out of range"):
        EmbeddingTrainConfig(steps_per_execution=0).resolved()


@pytest.mark.parametrize("pack", [False, True])
def test_pack_contexts_flag_chooses_the_stream(tmp_path, pack):
    from seqkeras.embeddings import Vocabulary, encode_corpus
    from seqkeras.embeddings.recipe import PreparedData, build_model, training_data

    sentences = [["a", "b"], ["c", "d", "e"]] * 30  # at most 2 context words per target
    vocabulary = Vocabulary.build(sentences, min_count=1)
    corpus = encode_corpus(sentences, vocabulary, tmp_path / "c.ids", record_tokens=16)
    config = EmbeddingTrainConfig(
        algo="sgns", window=5, sample=0, batch_size=8, pack_contexts=pack
    ).resolved()
    model = build_model(config, len(vocabulary))
    dataset, _ = training_data(config, model, PreparedData(vocabulary, corpus, 150))
    widths = {int(x["context"].shape[1]) for x, _ in dataset.take(6)}
    # unpacked: 2 * window columns; packed: only the columns some row fills
    if pack:
        assert widths and widths <= {1, 2}
    else:
        assert widths == {10}
