"""``SpeechEmbeddingMel``: the speech-embedding front end's log-mel windows as a Keras layer.

Float audio ``(batch, samples)`` → ``(batch, steps, window_frames * num_mel_bins)``: one
flattened window of 76 rescaled log-mel frames (775 ms) every 8 frames (80 ms), what
Google's ``speech_embedding`` network takes (``seqkeras.wakeword.speech_embedding``). The
numpy twin the device runs is ``seqkeras_edge.embedding_features`` (same config class,
same matrices); as the first layer of a model, ``seqkeras-export --streaming`` strips it
and stores :meth:`feature_config` in the ``.tflite`` metadata, so the runner computes the
windows itself and the model file holds only what int8 can represent.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops
from seqkeras_edge.embedding_features import EmbeddingFeatureConfig


@keras.saving.register_keras_serializable(package="seqkeras")
class SpeechEmbeddingMel(keras.layers.Layer):
    """Rescaled log-mel windows of the speech-embedding front end.

    Args:
        **config: fields of ``seqkeras_edge.embedding_features.EmbeddingFeatureConfig``
            (defaults: openWakeWord's ``melspectrogram.onnx``) and Keras layer arguments.

    Example::

        windows = SpeechEmbeddingMel()(audio)     # (batch, steps, 2432)
    """

    def __init__(self, **kwargs: Any) -> None:
        fields = set(EmbeddingFeatureConfig.__dataclass_fields__)
        config = {k: kwargs.pop(k) for k in list(kwargs) if k in fields}
        super().__init__(**kwargs)
        self.config = EmbeddingFeatureConfig(**config)
        c = self.config
        bins = np.arange(c.fft_size // 2 + 1)[None, :]
        phase = 2.0 * np.pi * np.arange(c.fft_size)[:, None] * bins / c.fft_size
        window = c.analysis_window()[:, None] * c.input_scale
        dft = np.concatenate([window * np.cos(phase), window * np.sin(phase)], axis=1)
        self._dft = dft[:, None, :].astype(np.float32)  # conv kernel (width, 1, 2 * bins)
        self._mel = c.mel_matrix().astype(np.float32)

    def feature_config(self) -> EmbeddingFeatureConfig:
        """The config of the numpy twin the device runs (stored in the model metadata)."""
        return self.config

    def call(self, inputs: Any) -> Any:
        c = self.config
        audio = ops.expand_dims(ops.cast(inputs, "float32"), -1)
        spectrum = ops.conv(
            audio, ops.convert_to_tensor(self._dft), strides=c.mel_hop, padding="valid"
        )
        half = c.fft_size // 2 + 1
        power = ops.square(spectrum[..., :half]) + ops.square(spectrum[..., half:])
        mel = ops.matmul(power, ops.convert_to_tensor(self._mel))
        db = 10.0 / np.log(10.0) * ops.log(ops.maximum(mel, c.power_floor))
        frames = db * c.db_scale + c.db_offset
        steps = (ops.shape(frames)[1] - c.window_frames) // c.step_frames + 1
        index = ops.arange(steps)[:, None] * c.step_frames + ops.arange(c.window_frames)[None, :]
        windows = ops.take(frames, ops.reshape(index, (-1,)), axis=1)
        return ops.reshape(windows, (ops.shape(frames)[0], steps, c.frame_size))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        samples = input_shape[1]
        steps = None if samples is None else self.config.num_steps(samples)
        return (input_shape[0], steps, self.config.frame_size)

    def get_config(self) -> dict[str, Any]:
        values = self.config.to_dict()
        values.pop("type")
        return {**super().get_config(), **values}
