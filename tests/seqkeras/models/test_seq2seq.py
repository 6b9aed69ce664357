"""Seq2Seq: cached decoding equals teacher forcing, scores agree with the searches,
masking, save/load without custom_objects, argument checks."""

import os

import keras
import numpy as np
import pytest

from seqkeras.models import Seq2Seq
from seqkeras.models.token_vocabulary import BOS, EOS, TokenVocabulary
from seqkeras.text import LM_RESERVED_TOKENS, Vocabulary

SRC = np.array([[5, 6, 7, 0, 0, 0], [4, 9, 4, 8, 4, 10]], "int32")
TGT = np.array([[5, 6, 3, 0, 0], [7, 8, 9, 4, 3]], "int32")


def _model(kind="gru", attention="bahdanau", **kw):
    keras.utils.set_random_seed(0)
    return Seq2Seq(
        12,
        11,
        units=8,
        encoder_kind=kind,
        decoder_kind=kind,
        attention=attention,
        source_embedding_dim=6,
        target_embedding_dim=5,
        **kw,
    )


@pytest.mark.parametrize(
    "kind,attention,bidirectional",
    [("gru", "bahdanau", True), ("lstm", None, True), ("rnn", "bahdanau", False)],
)
def test_cached_step_by_step_equals_teacher_forced_call(kind, attention, bidirectional):
    model = _model(kind, attention, bidirectional_encoder=bidirectional)
    dec_in = model.shift_targets(TGT)
    logits, weights = model((SRC, dec_in), return_attention=True)
    state = model.encode(SRC)
    for t in range(TGT.shape[1]):
        step_logits, state, step_weights = model.next_fn(dec_in[:, t], state)
        np.testing.assert_allclose(np.asarray(step_logits), np.asarray(logits)[:, t], atol=1e-5)
        np.testing.assert_allclose(np.asarray(step_weights), np.asarray(weights)[:, t], atol=1e-6)


def test_shift_targets_prepends_start_token():
    shifted = np.asarray(Seq2Seq.shift_targets(TGT))
    assert (shifted[:, 0] == BOS).all()
    np.testing.assert_array_equal(shifted[:, 1:], TGT[:, :-1])


def test_attention_weights_are_distributions_over_real_source_tokens():
    model = _model()
    _, weights = model((SRC, model.shift_targets(TGT)), return_attention=True)
    weights = np.asarray(weights)
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    assert (weights[0, :, 3:] == 0).all()  # padding of the first source


def test_extra_source_padding_changes_nothing():
    model = _model("lstm")
    padded = np.pad(SRC, ((0, 0), (0, 4)))
    a = model((SRC, model.shift_targets(TGT)))
    b = model((padded, model.shift_targets(TGT)))
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5)


def test_score_matches_log_softmax_of_logits_and_search_scores():
    model = _model()
    per_token, total = model.score(SRC, TGT)
    logits = np.asarray(model((SRC, model.shift_targets(TGT))), "float64")
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = np.array(
        [[logp[i, t, TGT[i, t]] if TGT[i, t] else 0.0 for t in range(5)] for i in range(2)]
    )
    np.testing.assert_allclose(np.asarray(per_token), expected, atol=1e-5)
    np.testing.assert_allclose(np.asarray(total), expected.sum(-1), atol=1e-4)

    # the searches' Σ log P of their own outputs equals score() of those outputs
    for method, opts in (("greedy", {}), ("beam", {"beam_width": 3, "alpha": 0.0})):
        result = model.decode(SRC, method=method, max_length=6, compiled=False, **opts)
        tokens = np.asarray(result.tokens)
        scores = np.asarray(result.scores)
        lengths = np.asarray(result.lengths)
        if tokens.ndim == 3:
            tokens, scores, lengths = tokens[:, 0], scores[:, 0], lengths[:, 0]
        targets = np.where(np.arange(6)[None] < lengths[:, None], tokens, 0)
        _, rescored = model.score(SRC, targets)
        np.testing.assert_allclose(np.asarray(rescored), scores, atol=1e-4)


def test_beam_width_one_equals_greedy():
    model = _model()
    greedy = model.decode(SRC, method="greedy", max_length=6).to_lists()
    beam = model.decode(SRC, method="beam", beam_width=1, max_length=6, compiled=False).to_lists()
    assert [b[0] for b in beam] == greedy


@pytest.mark.slow
def test_fit_lowers_the_loss_and_save_load_without_custom_objects(tmp_path):
    model = _model(dropout=0.1)
    model.compile(
        keras.optimizers.Adam(1e-2),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    )
    x = (np.repeat(SRC, 8, 0), np.asarray(model.shift_targets(np.repeat(TGT, 8, 0))))
    y = np.repeat(TGT, 8, 0)
    history = model.fit(x, y, epochs=8, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    path = os.path.join(tmp_path, "s2s.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is Seq2Seq and loaded.get_config() == model.get_config()
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert model.decode(SRC, method="greedy", max_length=6, compiled=False).to_lists() == (
        loaded.decode(SRC, method="greedy", max_length=6, compiled=False).to_lists()
    )


@pytest.mark.parametrize(
    "kwargs,word",
    [
        ({"units": 0}, "units"),
        ({"encoder_kind": "transformer"}, "encoder_kind"),
        ({"attention": "luong"}, "attention"),
        ({"dropout": 1.0}, "dropout"),
        ({"bidirectional_encoder": "yes"}, "bidirectional_encoder"),
        (
            {"source_vocabulary": {"tokens": ["a"], "level": "char", "lowercase": False}},
            "source_vocabulary",
        ),
    ],
)
def test_bad_arguments_name_themselves(kwargs, word):
    with pytest.raises(ValueError, match=word):
        Seq2Seq(12, 11, **kwargs)


def test_target_vocab_must_hold_the_reserved_ids():
    with pytest.raises(ValueError, match="vocab_size"):
        Seq2Seq(12, EOS)
    lm_layout = Vocabulary(["a", "b"], **LM_RESERVED_TOKENS)  # <eos> = 2, no start token
    with pytest.raises(ValueError, match="target_vocabulary needs a start token with id 2"):
        Seq2Seq(12, len(lm_layout), target_vocabulary=lm_layout)


def test_vocabularies_given_as_objects_are_stored_as_configs(tmp_path):
    source = Vocabulary.build(["ab ba"], split="chars", eos_token="<eos>")
    target = TokenVocabulary(list("xy"))
    model = Seq2Seq(len(source), len(target), units=4, source_vocabulary=source,
                    target_vocabulary=target, max_target_length=3)  # fmt: skip
    assert model.get_config()["source_vocabulary"] == source.get_config()
    assert model.source_vocab == source and model.target_vocab == target
    np.testing.assert_array_equal(
        model.encode_texts(["ab"]), source.encode_batch(["ab"], model.max_source_length)
    )
    with pytest.raises(ValueError, match="empty input"):
        model.translate([""])


def test_translate_without_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match="vocabulary"):
        _model().translate(["abc"])
