"""Representative-data checks, the recipe registry, and the converter time limit."""

import keras
import numpy as np
import pytest
from seqkeras_export.convert import ConversionError, ConversionJob, convert_tflite, write_atomic
from seqkeras_export.representative import check_representative, gaussian, resolve_recipe


def _two_input_model():
    a = keras.Input((None, 3), name="audio_frames")
    b = keras.Input((2,), name="speaker")
    x = keras.layers.GRU(4)(a)
    return keras.Model([a, b], keras.layers.Concatenate()([x, b]))


def test_single_unnamed_array_is_accepted_for_single_input_models():
    model = keras.Sequential([keras.Input((7, 3), name="x_in"), keras.layers.Dense(2)])
    arrays = check_representative({"arr_0": np.zeros((4, 7, 3))}, model)
    assert list(arrays) == ["x_in"] and arrays["x_in"].dtype == np.float32


def test_multi_input_model_needs_named_arrays():
    model = _two_input_model()
    with pytest.raises(ValueError, match="missing \\['speaker'\\]"):
        check_representative({"audio_frames": np.zeros((2, 5, 3))}, model)
    with pytest.raises(ValueError, match="different batch sizes"):
        check_representative({"audio_frames": np.zeros((2, 5, 3)), "speaker": np.zeros((3, 2))}, model)
    ok = check_representative({"audio_frames": np.zeros((2, 9, 3)), "speaker": np.zeros((2, 2))}, model)
    assert ok["audio_frames"].shape == (2, 9, 3)  # any length for a None time axis


def test_wrong_rank_names_input_and_shapes():
    model = _two_input_model()
    with pytest.raises(ValueError, match="'speaker' expects shape \\(batch, 2\\) but the array has shape \\(2, 2, 1\\)"):
        check_representative({"audio_frames": np.zeros((2, 5, 3)), "speaker": np.zeros((2, 2, 1))}, model)


def test_gaussian_recipe_and_dotted_recipes():
    model = _two_input_model()
    data = gaussian(model)
    assert data["audio_frames"].shape == (16, 50, 3) and data["speaker"].shape == (16, 2)
    check_representative(data, model)
    assert resolve_recipe("gaussian") is gaussian
    assert resolve_recipe("seqkeras_export.representative:gaussian") is gaussian
    with pytest.raises(ValueError, match="has no function 'nope'"):
        resolve_recipe("seqkeras_export.representative:nope")


def test_hang_past_the_timeout_is_reported_and_nothing_is_written(tmp_path):
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3)])
    path = tmp_path / "m.keras"
    model.save(path)
    # the child cannot even import TensorFlow in 0.5 s: the parent kills it and reports
    with pytest.raises(ConversionError, match="hung for more than 0.5 s.*m.keras.*--quantize float32"):
        convert_tflite(ConversionJob(str(path), "sequence", "float32", ""), timeout_s=0.5)


def test_write_atomic_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.tflite"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tflite"]
