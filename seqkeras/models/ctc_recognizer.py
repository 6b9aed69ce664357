"""A small CTC speech recognizer (course section 3.9): conv front, bidirectional GRU, dense.

Frames of audio features go through a strided ``Conv1D`` (shortens the sequence), a stack
of bidirectional GRUs and a ``Dense`` layer giving one logit per symbol and per output
step. Class 0 is the CTC blank; tokens are ``1 .. vocab_size``. Training uses the CTC loss
(``keras.ops.ctc_loss``: sums over every alignment that collapses to the label), decoding
uses ``keras.ops.ctc_decode`` (greedy: best class per step, merge repeats, drop blanks;
or beam search). ``export_savedmodel`` writes a server SavedModel whose signature
includes decoding.

For speech recognition (``seqkeras.speech``, docs/speech.md) the model can also carry
its character ``vocabulary`` (class ``i + 1`` is ``vocabulary[i]``), normalize each
utterance's features (``normalize``), mask features while training (``spec_augment``,
SpecAugment) and know its audio front end (``feature_config``): the SavedModel then
takes a 16 kHz waveform and returns the transcript.
"""

from __future__ import annotations

import math
import os
from typing import Any

import keras
from keras import ops

from ..atomic import atomic_dir

BLANK = 0
WAVEFORM_SIGNATURE = "serving_default"
FEATURES_SIGNATURE = "features"
BATCH_SIGNATURE = "transcribe_batch"
DECODERS = ("greedy", "beam")
_KERAS_STRATEGY = {"greedy": "greedy", "beam": "beam_search"}


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"CTCRecognizer: {name} must be a positive integer, got {value!r}")
    return value


@keras.saving.register_keras_serializable(package="seqkeras")
class CTCRecognizer(keras.Model):
    """Conv1D -> bidirectional GRU x depth -> Dense(vocab_size + 1), trained with CTC.

    Args:
        num_features: feature size of each input frame (e.g. mel bins).
        vocab_size: number of output tokens (the blank is extra, class 0).
        conv_filters: filters of the front convolution.
        conv_kernel: kernel size of the front convolution.
        conv_stride: stride of the front convolution (output steps = ceil(T / stride)).
        units: GRU units per direction.
        depth: number of bidirectional GRU levels.
        dropout: dropout rate after each GRU level.
        vocabulary: optional characters of the tokens (``vocab_size`` defaults to its
            length): the model can then turn tokens into text, also in its SavedModel.
        normalize: normalize each utterance's features to zero mean and unit variance
            (over its valid frames) before the convolution.
        spec_augment: optional ``seqkeras.speech.layers.SpecAugment`` arguments (a dict):
            feature masking while training.
        feature_config: optional ``FeatureConfig.to_dict()`` of the log-mel front end the
            features came from; with it (and a ``vocabulary``) the SavedModel takes a
            waveform.

    Call arguments:
        inputs: features ``(batch, time, num_features)``, or a dict with ``"features"``
            (and optionally ``"feature_lengths"``, used by the loss).
        training: whether dropout is active.

    Returns:
        Logits ``(batch, ceil(time / conv_stride), vocab_size + 1)``.

    Training: ``model.fit(x, labels)`` where ``labels`` are ``(batch, max_label)`` int
    token ids padded with 0 (the blank never appears inside a label); ``x`` may be a
    dict with ``feature_lengths`` for padded batches.

    Example:
    >>> import numpy as np
    >>> model = CTCRecognizer(num_features=6, vocab_size=4, units=8)
    >>> model.compile(optimizer="adam")
    >>> x = np.random.rand(2, 20, 6).astype("float32")
    >>> y = np.array([[1, 2, 0], [3, 3, 4]])
    >>> _ = model.fit(x, y, epochs=1, verbose=0)
    >>> len(model.decode(x))
    2
    """

    def __init__(
        self,
        num_features: int,
        vocab_size: int | None = None,
        conv_filters: int = 32,
        conv_kernel: int = 5,
        conv_stride: int = 2,
        units: int = 64,
        depth: int = 1,
        dropout: float = 0.0,
        vocabulary: str | None = None,
        normalize: bool = False,
        spec_augment: dict[str, Any] | None = None,
        feature_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        from seqkeras.speech.layers import SpecAugment, UtteranceNormalization

        self.num_features = _positive_int("num_features", num_features)
        if vocabulary is not None:
            if (
                not isinstance(vocabulary, str)
                or not vocabulary
                or len(set(vocabulary)) != len(vocabulary)
            ):
                raise ValueError(
                    f"CTCRecognizer: vocabulary must be a string of distinct characters, got {vocabulary!r}"
                )
            if vocab_size is None:
                vocab_size = len(vocabulary)
            elif vocab_size != len(vocabulary):
                raise ValueError(
                    f"CTCRecognizer: vocab_size {vocab_size} differs from the vocabulary's {len(vocabulary)} characters"
                )
        self.vocab_size = _positive_int("vocab_size", vocab_size)
        self.vocabulary = vocabulary
        self.normalize = bool(normalize)
        self.spec_augment = dict(spec_augment) if spec_augment else None
        if feature_config is not None:
            from seqkeras_edge.features import FeatureConfig

            config = FeatureConfig.from_dict(dict(feature_config))
            if config.num_mel_bins != num_features:
                raise ValueError(
                    f"CTCRecognizer: feature_config has {config.num_mel_bins} mel bins but num_features is {num_features}"
                )
            feature_config = config.to_dict()
        self.feature_config = feature_config
        self.normalization = (
            UtteranceNormalization(name="normalization") if self.normalize else None
        )
        self.augment = (
            SpecAugment(**self.spec_augment, name="spec_augment") if self.spec_augment else None
        )
        self.conv_filters = _positive_int("conv_filters", conv_filters)
        self.conv_kernel = _positive_int("conv_kernel", conv_kernel)
        self.conv_stride = _positive_int("conv_stride", conv_stride)
        self.units = _positive_int("units", units)
        self.depth = _positive_int("depth", depth)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"CTCRecognizer: dropout must be in [0, 1), got {dropout!r}")
        self.dropout = float(dropout)
        self.conv = keras.layers.Conv1D(
            conv_filters,
            conv_kernel,
            strides=conv_stride,
            padding="valid",
            activation="relu",
            name="conv",
        )
        self.recurrent = [
            keras.layers.Bidirectional(
                keras.layers.GRU(units, return_sequences=True), name=f"bigru_{i}"
            )
            for i in range(depth)
        ]
        self.dropouts = [keras.layers.Dropout(dropout, name=f"dropout_{i}") for i in range(depth)]
        self.classifier = keras.layers.Dense(vocab_size + 1, name="classifier")

    @property
    def num_classes(self) -> int:
        return self.vocab_size + 1

    def output_lengths(self, feature_lengths):
        """Output steps for inputs of ``feature_lengths`` frames: ceil(length / stride)."""
        lengths = ops.cast(feature_lengths, "int32")
        return (lengths + self.conv_stride - 1) // self.conv_stride

    def call(self, inputs, training=None):
        lengths = None
        if isinstance(inputs, dict):
            features = inputs["features"]
            lengths = inputs.get("feature_lengths")
        else:
            features = inputs
        if self.normalization is not None:
            features = self.normalization(features, lengths)
        if self.augment is not None:
            features = self.augment(features, lengths, training=training)
        x = self.conv(self._pad(features))
        mask = None
        if lengths is not None:
            mask = ops.arange(ops.shape(x)[1])[None, :] < self.output_lengths(lengths)[:, None]
        for recurrent, dropout in zip(self.recurrent, self.dropouts, strict=True):
            x = dropout(recurrent(x, mask=mask), training=training)
        return self.classifier(x)

    def _pad(self, features):
        """Zeros around the frames, as ``padding="same"`` would add for an unpadded input,
        but a fixed amount on the left: Keras's "same" with a stride puts a share of its
        padding on the left that depends on the padded length, so an utterance's outputs
        would change with the batch it is in (and differ from the served model's)."""
        left = (self.conv_kernel - 1) // 2
        right = self.conv_kernel - 1 - left
        return ops.pad(features, [[0, 0], [left, right], [0, 0]])

    def build(self, input_shape):
        if isinstance(input_shape, dict):
            input_shape = input_shape["features"]
        padded = list(input_shape)
        if padded[1] is not None:
            padded[1] = padded[1] + self.conv_kernel - 1
        self.conv.build(tuple(padded))
        shape = self.conv.compute_output_shape(tuple(padded))
        for recurrent in self.recurrent:
            recurrent.build(shape)
            shape = recurrent.compute_output_shape(shape)
        self.classifier.build(shape)
        self.built = True

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Mean CTC loss; labels padded with 0, feature lengths from ``x`` when given.

        Inside a step of a multi-replica ``tf.distribute`` strategy it is this replica's
        share (its mean divided by the number of replicas), as Keras' own compiled losses
        are: ``fit`` and ``seqkeras.training.train`` add the replicas' shares up.
        """
        labels = ops.cast(y, "int32")
        label_lengths = ops.sum(ops.cast(ops.not_equal(labels, BLANK), "int32"), axis=-1)
        batch, steps = ops.shape(y_pred)[0], ops.shape(y_pred)[1]
        if isinstance(x, dict) and "feature_lengths" in x:
            output_lengths = self.output_lengths(x["feature_lengths"])
        else:
            output_lengths = ops.full((batch,), steps, dtype="int32")
        losses = ops.ctc_loss(labels, y_pred, label_lengths, output_lengths, mask_index=BLANK)
        if sample_weight is not None:
            losses = losses * ops.cast(sample_weight, losses.dtype)
        loss = ops.mean(losses)
        loss = loss + ops.sum(self.losses) if self.losses else loss
        return loss / _replicas_in_step()

    def decode_tensors(
        self, features, feature_lengths=None, method: str = "greedy", beam_width: int = 8
    ):
        """Backend tensors ``(tokens (batch, steps) padded with -1, log-prob scores (batch,))``."""
        if method not in DECODERS:
            raise ValueError(f"CTCRecognizer: method must be one of {DECODERS}, got {method!r}")
        inputs = (
            features
            if feature_lengths is None
            else {"features": features, "feature_lengths": feature_lengths}
        )
        logits = self(inputs, training=False)
        if feature_lengths is None:
            lengths = ops.full((ops.shape(logits)[0],), ops.shape(logits)[1], dtype="int32")
        else:
            lengths = self.output_lengths(feature_lengths)
        decoded, scores = ops.ctc_decode(
            logits,
            lengths,
            strategy=_KERAS_STRATEGY[method],
            beam_width=beam_width,
            top_paths=1,
            mask_index=BLANK,
        )
        return decoded[0], ops.reshape(scores[:, 0], (-1,))

    def decode(
        self, features, feature_lengths=None, method: str = "greedy", beam_width: int = 8
    ) -> list[list[int]]:
        """Token id lists (blanks removed, repeats merged) for a batch of features."""
        tokens, _ = self.decode_tensors(features, feature_lengths, method, beam_width)
        return [[int(t) for t in row if t > 0] for row in ops.convert_to_numpy(tokens)]

    def export_savedmodel(
        self, path: str, method: str = "greedy", beam_width: int = 8, **options: Any
    ) -> str:
        """Write a SavedModel whose signatures decode (loadable with ``tf.saved_model.load``).

        ``features`` signature (always): ``features`` float32 ``(batch, time,
        num_features)`` and ``feature_lengths`` int32 ``(batch,)`` in; ``tokens`` int32
        ``(batch, steps)`` padded with -1, ``token_lengths`` int32 ``(batch,)`` and
        ``scores`` float32 ``(batch,)`` (log-probabilities) out, plus ``transcripts``
        (string ``(batch,)``) when the model has a ``vocabulary``.

        With a ``vocabulary`` and a ``feature_config`` the model serves audio: its
        ``serving_default`` takes ``waveform`` float32 ``(samples,)`` (one utterance, any
        length, at the feature config's sample rate, values in [-1, 1]) and returns
        ``transcript`` (a string scalar), ``tokens`` and ``score``; ``transcribe_batch``
        takes ``waveforms`` ``(batch, samples)`` and ``lengths`` int32 ``(batch,)`` (samples)
        and returns ``transcripts``. The log-mel front end runs in the graph
        (``seqkeras.audio.LogMelSpectrogram``). Without them ``serving_default`` is the
        ``features`` signature. Written atomically.
        """
        import tensorflow as tf

        if options:
            raise ValueError(f"CTCRecognizer.export_savedmodel: unknown options {sorted(options)}")
        if method not in DECODERS:
            raise ValueError(f"CTCRecognizer: method must be one of {DECODERS}, got {method!r}")
        model = self
        characters = tf.constant(["", *list(self.vocabulary)]) if self.vocabulary else None
        front_end = None
        if self.feature_config is not None and self.vocabulary is not None:
            from seqkeras_edge.features import FeatureConfig

            from seqkeras.audio import LogMelSpectrogram

            config = FeatureConfig.from_dict(self.feature_config)
            front_end = LogMelSpectrogram.from_feature_config(config)
            frame, hop = config.frame_length, config.hop_length

        def texts(tokens):
            ids = tf.where(tokens > 0, tokens, tf.zeros_like(tokens))
            return tf.strings.reduce_join(tf.gather(characters, ids), axis=-1)

        def decode(features, feature_lengths):
            tokens, scores = model.decode_tensors(features, feature_lengths, method, beam_width)
            tokens = tf.cast(tokens, tf.int32)
            result = {
                "tokens": tokens,
                "token_lengths": tf.reduce_sum(tf.cast(tokens > 0, tf.int32), axis=1),
                "scores": tf.cast(scores, tf.float32),
            }
            if characters is not None:
                result["transcripts"] = texts(tokens)
            return result

        def audio_features(waveforms, lengths):
            # Short inputs are padded to one frame so that every utterance has a frame.
            waveforms = tf.pad(
                waveforms, [[0, 0], [0, tf.maximum(frame - tf.shape(waveforms)[1], 0)]]
            )
            features = front_end(waveforms)
            frames = 1 + (tf.maximum(lengths, frame) - frame) // hop
            return features, tf.minimum(frames, tf.shape(features)[1])

        class Server(tf.Module):
            def __init__(self):
                super().__init__()
                self.model_variables = [w.value for w in model.weights]

            @tf.function(
                input_signature=[
                    tf.TensorSpec([None, None, model.num_features], tf.float32, name="features"),
                    tf.TensorSpec([None], tf.int32, name="feature_lengths"),
                ]
            )
            def serve(self, features, feature_lengths):
                return decode(features, feature_lengths)

        server = Server()
        if front_end is not None:

            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="waveform")])
            def serve_waveform(waveform):
                features, lengths = audio_features(waveform[None, :], tf.shape(waveform)[:1])
                result = decode(features, lengths)
                return {
                    "transcript": result["transcripts"][0],
                    "tokens": result["tokens"][0],
                    "score": result["scores"][0],
                }

            @tf.function(
                input_signature=[
                    tf.TensorSpec([None, None], tf.float32, name="waveforms"),
                    tf.TensorSpec([None], tf.int32, name="lengths"),
                ]
            )
            def serve_batch(waveforms, lengths):
                features, frames = audio_features(waveforms, lengths)
                return decode(features, frames)

            server.serve_waveform = serve_waveform
            server.serve_batch = serve_batch
            server.front_end = front_end
            signatures = {
                WAVEFORM_SIGNATURE: serve_waveform,
                BATCH_SIGNATURE: serve_batch,
                FEATURES_SIGNATURE: server.serve,
            }
        else:
            signatures = {WAVEFORM_SIGNATURE: server.serve, FEATURES_SIGNATURE: server.serve}
        target = os.path.abspath(path)
        with atomic_dir(target) as staging:
            tf.saved_model.save(server, staging, signatures=signatures)
        return target

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            num_features=self.num_features,
            vocab_size=self.vocab_size,
            conv_filters=self.conv_filters,
            conv_kernel=self.conv_kernel,
            conv_stride=self.conv_stride,
            units=self.units,
            depth=self.depth,
            dropout=self.dropout,
            vocabulary=self.vocabulary,
            normalize=self.normalize,
            spec_augment=self.spec_augment,
            feature_config=self.feature_config,
        )
        return config


def _replicas_in_step() -> int:
    """The number of replicas a ``tf.distribute`` step runs on (1 outside one)."""
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    return 1 if context is None else int(context.num_replicas_in_sync)


def output_steps(time_steps: int, conv_stride: int) -> int:
    """Output steps of a CTCRecognizer for ``time_steps`` input frames."""
    return math.ceil(time_steps / conv_stride)
