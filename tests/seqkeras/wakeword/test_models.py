"""Trigger-word models: shapes, parameter counts, causality, serialization, streaming export."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from seqkeras.wakeword.models import (
    build_model,
    course_model,
    label_config,
    streaming_model,
    with_features,
)


def _gru_params(inputs: int, units: int) -> int:
    # Keras GRU (reset_after=True): 3 gates x (input kernel + recurrent kernel + 2 biases).
    return 3 * (inputs * units + units * units + 2 * units)


def test_streaming_model_shapes_and_parameter_count():
    model = streaming_model(num_mel_bins=40, filters=32, kernel_size=5, units=56)
    out = model(np.zeros((2, 37, 40), np.float32))
    assert tuple(out.shape) == (2, 37, 1)
    expected = (
        4 * 40  # input BatchNormalization (gamma, beta, mean, variance)
        + 40 * 32 * 5
        + 32  # causal Conv1D
        + 4 * 32  # BatchNormalization
        + _gru_params(32, 56)
        + 56
        + 1  # sigmoid head
    )
    assert model.count_params() == expected


def test_dilated_convolution_stack():
    model = streaming_model(num_mel_bins=40, filters=16, kernel_size=5, units=8, conv_layers=3)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [c.dilation_rate for c in convs] == [(1,), (2,), (4,)]
    single = streaming_model(num_mel_bins=40, filters=16, kernel_size=5, units=8)
    extra = 2 * (16 * 16 * 5 + 16 + 4 * 16)  # two more convolutions and their BatchNorms
    assert model.count_params() == single.count_params() + extra
    # Receptive field 1 + 4 * (1 + 2 + 4) = 29 frames: frame 40 ignores frames <= 11.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 41, 40)).astype(np.float32)
    y = x.copy()
    y[:, :12] = rng.standard_normal((1, 12, 40))
    conv_out = keras.Model(model.inputs, model.get_layer("conv_relu_3").output)
    np.testing.assert_allclose(
        conv_out.predict(x, verbose=0)[:, 40], conv_out.predict(y, verbose=0)[:, 40], atol=1e-6
    )
    y[:, 12] += 1.0
    assert np.abs(conv_out.predict(x, verbose=0)[:, 40] - conv_out.predict(y, verbose=0)[:, 40]).max() > 1e-4


def test_streaming_model_is_causal():
    model = streaming_model(filters=8, units=8)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 60, 40)).astype(np.float32)
    y = x.copy()
    y[:, 30:] = rng.standard_normal((1, 30, 40))
    a = model.predict(x, verbose=0)
    b = model.predict(y, verbose=0)
    np.testing.assert_allclose(a[:, :30], b[:, :30], atol=1e-6)
    assert np.abs(a[:, 30:] - b[:, 30:]).max() > 1e-4


def test_course_model_matches_the_course_and_its_label_grid():
    model = course_model()
    # The course's Conv1D(196, 15, strides=4) and two GRU(128) layers.
    conv = model.get_layer("conv")
    assert (conv.filters, conv.kernel_size, conv.strides) == (196, (15,), (4,))
    assert [model.get_layer(n).units for n in ("gru_1", "gru_2")] == [128, 128]
    samples = 16000 * 3
    grid = label_config("course")
    frames = grid.features.num_frames(samples)
    out = model(np.zeros((1, frames, 40), np.float32))
    assert out.shape[1] == 1 + (frames - 15) // 4 == grid.num_steps(samples)


@pytest.mark.parametrize("kind", ["streaming", "course"])
def test_models_reload_from_keras_files(tmp_path, kind):
    kwargs = {"units": 8} if kind == "course" else {"units": 8, "filters": 8, "cell": "lstm"}
    model = build_model(kind, **kwargs)
    audio_model = with_features(model)
    audio = np.random.default_rng(2).standard_normal((2, 8000)).astype(np.float32) * 0.1
    before = audio_model.predict(audio, verbose=0)
    path = tmp_path / "m.keras"
    audio_model.save(path)
    again = keras.saving.load_model(path, compile=False)
    np.testing.assert_allclose(again.predict(audio, verbose=0), before, atol=1e-6)


def test_with_features_equals_numpy_features_then_model():
    from seqkeras_edge.features import log_mel_spectrogram

    model = streaming_model(filters=8, units=8)
    audio = np.random.default_rng(3).standard_normal((1, 4000)).astype(np.float32) * 0.1
    whole = with_features(model).predict(audio, verbose=0)
    separate = model.predict(log_mel_spectrogram(audio), verbose=0)
    np.testing.assert_allclose(whole, separate, atol=1e-4)


def test_step_graph_reproduces_the_whole_sequence():
    from seqkeras_export.streaming import build_step_graph

    model = with_features(streaming_model(filters=8, units=12, kernel_size=4, conv_layers=2))
    graph = build_step_graph(model)
    assert graph.feature_config is not None  # the leading LogMelSpectrogram left the graph
    audio = np.random.default_rng(4).standard_normal((1, 6000)).astype(np.float32) * 0.1
    frames = graph.frames(audio)
    stepped = graph.run_sequence(frames)
    np.testing.assert_allclose(stepped, model.predict(audio, verbose=0), atol=1e-5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": 0}, "units"),
        ({"filters": 2.5}, "filters"),
        ({"dropout": 1.0}, "dropout"),
        ({"cell": "rnn"}, "cell"),
        ({"conv_layers": 0}, "conv_layers"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        streaming_model(**kwargs)


def test_unknown_kind_and_feature_mismatch():
    with pytest.raises(ValueError, match="model kind"):
        build_model("transformer")
    with pytest.raises(ValueError, match="num_mel_bins"):
        with_features(streaming_model(num_mel_bins=20))


@pytest.mark.slow
@pytest.mark.parametrize(
    "quantize, weights", [("int8", "per-tensor"), ("int16x8", "per-tensor")]
)
def test_default_streaming_model_exports_under_40_kb(tmp_path, quantize, weights):
    from seqkeras_edge.features import FeatureConfig
    from seqkeras_export.exporters import ExportRequest, export_tflite

    model = with_features(streaming_model())
    # Trained-looking weights: freshly initialized BatchNormalization layers are identities
    # the converter folds away, which would make the file look smaller than a trained one.
    rng = np.random.default_rng(6)
    for variable in model.weights:
        value = variable.numpy() + rng.normal(0.0, 0.1, variable.shape)
        if "variance" in variable.path:
            value = np.abs(value) + 0.1
        variable.assign(value.astype(np.float32))
    path = tmp_path / "m.keras"
    model.save(path)
    audio = np.random.default_rng(5).standard_normal((2, 16000)).astype(np.float32) * 0.1
    out = tmp_path / "m.tflite"
    export_tflite(
        ExportRequest(
            model_path=str(path),
            output=str(out),
            quantize=quantize,
            weights=weights,
            streaming=True,
            representative={model.inputs[0].name: audio},
            features=FeatureConfig().to_dict(),
            decision={"threshold": 0.5},
            model=model,
        )
    )
    assert out.stat().st_size <= 40 * 1024
