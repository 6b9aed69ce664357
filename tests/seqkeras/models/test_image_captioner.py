"""ImageCaptioner: cached decoding equals teacher forcing, save/load, custom CNN, checks."""

import os

import keras
import numpy as np
import pytest

from seqkeras.models import ImageCaptioner, TokenVocabulary

IMAGES = np.random.default_rng(0).uniform(size=(2, 16, 16, 3)).astype("float32")
CAPTIONS = np.array([[4, 5, 6, 3], [7, 3, 0, 0]], "int32")


@pytest.mark.parametrize("attention", [None, "bahdanau"])
def test_cached_decoding_equals_teacher_forcing(attention):
    keras.utils.set_random_seed(1)
    model = ImageCaptioner(9, (16, 16, 3), units=8, attention=attention, feature_dim=6)
    dec_in = model.shift_targets(CAPTIONS)
    logits, weights = model((IMAGES, dec_in), return_attention=True)
    state = model.encode(IMAGES)
    assert tuple(state["memory"].shape) == (2, 4, 6)  # 16x16 -> 2x2 regions after 3 pools
    for t in range(4):
        step, state, w = model.next_fn(dec_in[:, t], state)
        np.testing.assert_allclose(np.asarray(step), np.asarray(logits)[:, t], atol=1e-5)
    weights = np.asarray(weights)
    if attention:
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    else:
        assert (weights == 0).all()


def test_custom_cnn_save_load_and_caption(tmp_path):
    keras.utils.set_random_seed(2)
    vocab = TokenVocabulary(["red", "circle", "top", "left", "a"], level="word")
    cnn = keras.Sequential([keras.layers.Conv2D(4, 3, strides=4, padding="same")], name="tiny")
    model = ImageCaptioner(
        len(vocab),
        (16, 16, 3),
        cnn_encoder=cnn,
        units=8,
        attention="bahdanau",
        vocabulary=vocab.get_config(),
        max_target_length=5,
    )
    x = (IMAGES, model.shift_targets(CAPTIONS))
    model(x)
    path = os.path.join(tmp_path, "cap.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    texts = model.caption(IMAGES, method="greedy", compiled=False)
    assert texts == loaded.caption(IMAGES, method="greedy", compiled=False)
    assert all(set(t.split()) <= set(vocab.tokens) for t in texts)
    _, weights = model.caption(IMAGES, method="greedy", return_attention=True, compiled=False)
    assert weights[0].shape[1] == 16  # 4x4 regions


@pytest.mark.parametrize(
    "kwargs,word",
    [
        ({"image_shape": (16, 16)}, "image_shape"),
        ({"cnn_encoder": "resnet"}, "cnn_encoder"),
        ({"attention": "dot"}, "attention"),
        ({"decoder_kind": "tcn"}, "decoder_kind"),
    ],
)
def test_bad_arguments(kwargs, word):
    args = {"image_shape": (16, 16, 3), **kwargs}
    with pytest.raises(ValueError, match=word):
        ImageCaptioner(9, **args)


def test_wrong_image_shape_is_a_clear_error():
    model = ImageCaptioner(9, (16, 16, 3), units=4)
    with pytest.raises(ValueError, match="expected images of shape"):
        model.encode(np.zeros((1, 8, 8, 3), "float32"))
