"""The streaming BLEU metric equals sacrebleu's corpus BLEU over all batches."""

import numpy as np
import pytest
import sacrebleu

from seqkeras.metrics import CorpusBLEU

HYPS = ["the cat sat on the mat", "a dog , barking loudly .", "", "3-4 km away",
        "completely different", "the the the the"]
REFS = [["the cat is on the mat", "a cat sat on the mat"], ["the dog barks loudly ."],
        ["not empty"], ["3 - 4 km away"], ["no overlap at all"], ["the cat", "the mat"]]
VOCAB = ["<pad>", "</s>", "the", "cat", "sat", "on", "mat", "a", "dog"]


def _sacre(hyps, refs):
    streams = [[r[k] if k < len(r) else None for r in refs] for k in range(max(map(len, refs)))]
    return sacrebleu.corpus_bleu(hyps, streams)


@pytest.mark.backend_agnostic
def test_streaming_over_batches_equals_corpus_bleu():
    metric = CorpusBLEU()
    for start in range(0, len(HYPS), 2):
        metric.update_state(REFS[start:start + 2], HYPS[start:start + 2])
    theirs = _sacre(HYPS, REFS)
    assert float(metric.result()) == pytest.approx(theirs.score, abs=1e-3)
    details = metric.result_details()
    assert details.score == pytest.approx(theirs.score, abs=1e-9)
    assert details.signature.startswith("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp")
    metric.reset_state()
    metric.update_state(["x y"], ["a b"])
    assert float(metric.result()) == 0.0


@pytest.mark.backend_agnostic
def test_token_ids_and_logits_with_a_detokenizer():
    def detok(ids):
        return " ".join(VOCAB[i] for i in ids)

    pred = np.array([[2, 3, 4, 5, 2, 6, 1, 0], [7, 8, 4, 1, 0, 0, 0, 0]])
    true = np.array([[2, 3, 5, 2, 6, 1, 0, 0], [7, 8, 4, 5, 2, 6, 1, 0]])
    metric = CorpusBLEU(detokenizer=detok, end_token=1, pad_token=0)
    metric.update_state(true, pred)
    expected = sacrebleu.corpus_bleu(["the cat sat on the mat", "a dog sat"],
                                     [["the cat on the mat", "a dog sat on the mat"]])
    assert float(metric.result()) == pytest.approx(expected.score, abs=1e-3)
    logits = np.eye(len(VOCAB), dtype="float32")[pred]  # argmax gives back pred
    metric.reset_state()
    metric.update_state(true, logits)
    assert float(metric.result()) == pytest.approx(expected.score, abs=1e-3)


def test_works_inside_tf_function():
    import tensorflow as tf

    metric = CorpusBLEU()

    @tf.function
    def update(t, p):
        metric.update_state(t, p)
        return metric.result()

    update(tf.constant([r[0] for r in REFS[:3]]), tf.constant(HYPS[:3]))
    result = update(tf.constant([r[0] for r in REFS[3:]]), tf.constant(HYPS[3:]))
    expected = sacrebleu.corpus_bleu(HYPS, [[r[0] for r in REFS]])
    assert float(result) == pytest.approx(expected.score, abs=1e-3)


@pytest.mark.parametrize("smooth", ["none", "floor", "add-k"])
def test_other_smoothing_in_keras_ops_matches_sacrebleu(smooth):
    metric = CorpusBLEU(smooth_method=smooth)
    metric.update_state([r[0] for r in REFS], HYPS)
    expected = sacrebleu.corpus_bleu(HYPS, [[r[0] for r in REFS]], smooth_method=smooth)
    assert float(metric.result()) == pytest.approx(expected.score, abs=1e-3)
    assert metric.result_details().score == pytest.approx(expected.score, abs=1e-9)


def test_config_round_trip_and_errors():
    metric = CorpusBLEU(end_token=1, pad_token=0, lowercase=True, name="val_bleu")
    clone = CorpusBLEU.from_config(metric.get_config())
    assert (clone.end_token, clone.pad_token, clone.lowercase, clone.name) == (1, 0, True,
                                                                               "val_bleu")
    with pytest.raises(ValueError, match="detokenizer"):
        CorpusBLEU().update_state(np.array([[1, 2]]), np.array([[1, 2]]))
    with pytest.raises(ValueError, match="smooth_method"):
        CorpusBLEU(smooth_method="bogus")
    with pytest.raises(ValueError, match="2 rows but y_true has 1"):
        CorpusBLEU().update_state(["a"], ["a", "b"])


def test_in_model_compile_and_evaluate():
    import keras

    vocab = 9
    model = keras.Sequential([
        keras.Input((6,), dtype="int32"),
        keras.layers.Embedding(vocab, vocab,
                               embeddings_initializer=keras.initializers.Constant(
                                   10 * np.eye(vocab))),
    ])
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[CorpusBLEU(detokenizer=lambda ids: " ".join(VOCAB[i] for i in ids),
                                      end_token=1, pad_token=0)])
    x = np.array([[2, 3, 4, 5, 2, 6], [7, 8, 4, 5, 2, 6], [2, 3, 4, 1, 0, 0]] * 2)
    logs = model.evaluate(x, x, batch_size=2, verbose=0, return_dict=True)
    assert logs["bleu"] == pytest.approx(100.0, abs=1e-3)  # logits argmax == targets
    y = x.copy()
    y[:, 2] = 8  # one wrong word per sentence

    def text(row):  # independent detokenization: words before "</s>", no "<pad>"
        return " ".join(VOCAB[i] for i in row if i).split("</s>")[0].strip()

    expected = sacrebleu.corpus_bleu([text(r) for r in x], [[text(r) for r in y]])
    logs = model.evaluate(x, y, batch_size=2, verbose=0, return_dict=True)
    assert logs["bleu"] == pytest.approx(expected.score, abs=1e-3)
