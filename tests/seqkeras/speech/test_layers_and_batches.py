"""UtteranceNormalization and SpecAugment against numpy; bucketed batches."""

import keras
import numpy as np
import pytest

from seqkeras.speech import CharVocabulary
from seqkeras.speech.batches import bucket_batches, ctc_feasible, pad_batch
from seqkeras.speech.layers import SpecAugment, UtteranceNormalization


def test_utterance_normalization_matches_numpy_over_valid_frames():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(3, 7, 4)).astype("float32")
    lengths = np.array([7, 4, 1])
    out = np.asarray(UtteranceNormalization()(x, lengths))
    for i, n in enumerate(lengths):
        valid = x[i, :n]
        expected = (valid - valid.mean(0)) / np.sqrt(valid.var(0) + 1e-5)
        np.testing.assert_allclose(out[i, :n], expected, atol=1e-4)
        assert np.all(out[i, n:] == 0)


def test_spec_augment_masks_whole_bands_and_spans_only_in_training():
    layer = SpecAugment(
        freq_masks=2, freq_width=3, time_masks=2, time_width=4, max_time_fraction=0.5, seed=1
    )
    x = np.ones((8, 20, 10), "float32")
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    out = np.asarray(layer(x, np.full(8, 20), training=True))
    for utterance in out:
        zero = utterance == 0
        bands = zero.all(axis=0)
        spans = zero.all(axis=1)
        # every zero lies in a fully masked band or frame span
        assert np.array_equal(zero, bands[None, :] | spans[:, None])
        assert bands.sum() <= 2 * 3 and spans.sum() <= 2 * 4
    assert (out == 0).any()
    config = layer.get_config()
    assert SpecAugment.from_config(config).get_config() == config


def test_spec_augment_time_masks_respect_the_utterance_fraction():
    layer = SpecAugment(freq_masks=0, time_masks=1, time_width=50, max_time_fraction=0.1, seed=3)
    out = np.asarray(layer(np.ones((16, 100, 3), "float32"), np.full(16, 30), training=True))
    assert ((out == 0).all(axis=2).sum(axis=1) <= 3).all()


def test_invalid_layer_arguments_are_named():
    with pytest.raises(ValueError, match="freq_masks"):
        SpecAugment(freq_masks=-1)
    with pytest.raises(ValueError, match="epsilon"):
        UtteranceNormalization(epsilon=0)
    assert isinstance(keras.saving.get_registered_object("seqkeras>SpecAugment"), type)


def test_bucket_batches_cover_everything_once_within_the_budget():
    rng = np.random.default_rng(0)
    lengths = rng.integers(50, 500, size=300)
    batches = bucket_batches(lengths, 2000, rng)
    flat = np.sort(np.concatenate(batches))
    np.testing.assert_array_equal(flat, np.arange(300))
    for batch in batches:
        assert len(batch) == 1 or lengths[batch].max() * len(batch) <= 2000
    # sorting keeps padding small compared with random batches of the same sizes
    padded = sum(lengths[b].max() * len(b) for b in batches)
    shuffled = rng.permutation(300)
    random_padded, start = 0, 0
    for b in batches:
        chunk = shuffled[start : start + len(b)]
        random_padded += lengths[chunk].max() * len(chunk)
        start += len(b)
    assert padded < random_padded


def test_pad_batch_and_ctc_feasibility():
    vocab = CharVocabulary()
    features = [np.ones((5, 2)), np.ones((3, 2))]
    x, labels = pad_batch(features, ["ab", "c"], np.array([0, 1]), vocab)
    assert x["features"].shape == (2, 5, 2) and list(x["feature_lengths"]) == [5, 3]
    assert x["features"][1, 3:].sum() == 0
    np.testing.assert_array_equal(labels, [[2, 3], [4, 0]])
    assert ctc_feasible("ab", 4, 2, vocab)
    assert not ctc_feasible("aa", 4, 2, vocab)  # a repeat needs a blank between: 3 steps
    assert not ctc_feasible("", 4, 2, vocab)


def test_tf_dataset_gives_every_utterance_each_epoch_in_a_new_order():
    from seqkeras.speech.batches import tf_dataset

    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 40, size=30)
    texts = [f"u{i:02d}".replace("u", "a").replace("0", "b").replace("1", "c").replace("2", "d")
             .replace("3", "e").replace("4", "f").replace("5", "g").replace("6", "h").replace("7", "i")
             .replace("8", "j").replace("9", "k") for i in range(30)]  # fmt: skip
    features = [np.full((n, 3), i, np.float32) for i, n in enumerate(lengths)]
    dataset = tf_dataset(features, texts, CharVocabulary(), frame_budget=120, seed=0)
    epochs = []
    for _ in range(2):
        seen, order = [], []
        for x, labels in dataset:
            x = {k: v.numpy() for k, v in x.items()}
            ids = x["features"][:, 0, 0].astype(int)
            assert list(x["feature_lengths"]) == [lengths[i] for i in ids]
            assert x["features"].shape[1] == max(lengths[i] for i in ids)
            decoded = [CharVocabulary().decode(row) for row in labels.numpy()]
            assert decoded == [texts[i] for i in ids]
            seen.extend(ids)
            order.append(tuple(ids))
        assert len(order) == int(dataset.cardinality())
        epochs.append(order)
        assert sorted(seen) == list(range(30))  # every utterance exactly once
    assert epochs[0] != epochs[1]


def test_recipe_training_resumes_and_checks_the_run_config(tmp_path):
    """``recipe.train_model`` (the project's training path): a rerun with more epochs goes
    on from the checkpoint, a finished run is not trained again, and a different
    configuration in the same folder is refused."""
    from seqkeras.models import CTCRecognizer
    from seqkeras.speech import CHARACTERS
    from seqkeras.speech.batches import tf_dataset
    from seqkeras.speech.recipe import train_model
    from seqkeras.training import get_strategy

    rng = np.random.default_rng(0)
    features = [rng.normal(size=(int(n), 40)).astype("float32") for n in rng.integers(30, 60, 12)]
    texts = ["ab", "ba c", "cab", "a", "bc", "ca", "abc", "b a", "ac", "cb", "ba", "c"]
    run_dir = str(tmp_path / "ckpt")

    def fresh():
        keras.utils.set_random_seed(0)
        model = CTCRecognizer(40, vocabulary=CHARACTERS, conv_filters=8, conv_kernel=3,
                              conv_stride=3, units=8, normalize=True)  # fmt: skip
        model.build({"features": (None, None, 40), "feature_lengths": (None,)})
        model.compile(keras.optimizers.Adam(1e-2))
        return model

    dataset = tf_dataset(features, texts, CharVocabulary(), 200, seed=0)
    strategy = get_strategy("default")
    model = fresh()
    first = train_model(model, dataset, epochs=1, strategy=strategy, run_dir=run_dir,
                        config={"units": 8}, save_every=2, verbose=0)  # fmt: skip
    assert first["epoch"] == [0]
    model = fresh()
    before = [w.copy() for w in model.get_weights()]
    second = train_model(model, dataset, epochs=2, strategy=strategy, run_dir=run_dir,
                         config={"units": 8}, save_every=2, verbose=0)  # fmt: skip
    assert second["epoch"] == [0, 1] and second["loss"][0] == first["loss"][0]
    trained = model.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, trained, strict=True))
    model = fresh()
    again = train_model(model, dataset, epochs=2, strategy=strategy, run_dir=run_dir,
                        config={"units": 8}, verbose=0)  # fmt: skip
    assert again["loss"] == second["loss"]
    for a, b in zip(model.get_weights(), trained, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        train_model(fresh(), dataset, epochs=3, strategy=strategy, run_dir=run_dir,
                    config={"units": 16}, verbose=0)  # fmt: skip
