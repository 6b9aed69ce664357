"""Feasibility of a device model for a speech-embedding run: one TFLite step per 80 ms.

Builds a Keras step model from a ``--model embedding`` run — the last 12,512 samples
(0.78 s) and the head's state (the 15 previous embeddings) in; the score and the new
state out — from the Keras port of the front end (``speech_embedding_keras``) and the
run's head, converts it with TensorFlow Lite (float32, and with int8 weights), runs each
step by step over the first ``--steps`` steps of the real-speech benchmark's keyword
stream with LiteRT, and prints JSON: file size, median invoke time, and the largest
difference from the onnxruntime front end + Keras head (what the benchmark scores).

    python benchmarks/wakeword_embedding_step.py ~/.cache/seqkeras/wakeword-real/jarvis-speech-embedding
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def step_model(head, context_steps: int):
    import keras

    from seqkeras.wakeword import speech_embedding as se
    from seqkeras.wakeword.speech_embedding_keras import embedding_network, mel_model

    audio = keras.Input((se.FIRST_END,), batch_size=1, name="audio")
    state = keras.Input((context_steps - 1, se.EMBEDDING_DIM), batch_size=1, name="state")
    mel = mel_model()(audio)
    vector = embedding_network()(keras.layers.Reshape((se.WINDOW_FRAMES, se.MEL_BANDS, 1))(mel))
    window = keras.layers.Concatenate(axis=1)(
        [state, keras.layers.Reshape((1, se.EMBEDDING_DIM))(vector)]
    )
    causal = head.get_layer("context")
    valid = keras.layers.Conv1D(causal.filters, context_steps, padding="valid", name="context_step")
    x = valid(window)
    valid.set_weights(causal.get_weights())
    for layer in head.layers[head.layers.index(causal) + 1 :]:  # the head after its convolution
        x = layer(x)
    new_state = keras.layers.Cropping1D((1, 0))(window)
    return keras.Model([audio, state], [keras.layers.Reshape((1,))(x), new_state])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    import keras
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    from seqkeras.wakeword import speech_embedding as se
    from seqkeras.wakeword.benchmark import BenchmarkSettings, cached_stream, positive_recordings
    from seqkeras.wakeword.models import EMBEDDING_CONTEXT_STEPS
    from seqkeras.wakeword.scorers import keras_stream_scores
    from seqkeras.wakeword.train import MODEL_FILE, read_train_config

    run = Path(args.run_dir).expanduser()
    config = read_train_config(run)
    if not config.uses_speech_embedding:
        raise SystemExit(f"{run} is not a speech-embedding run (--model embedding)")
    head = keras.saving.load_model(run / MODEL_FILE, compile=False)
    settings = BenchmarkSettings()
    stream = cached_stream(positive_recordings(config.keyword, settings), settings.seed, True)
    audio = stream.audio[: se.STEP_SAMPLES * args.steps + se.FIRST_END]
    reference = keras_stream_scores(head, se.SpeechEmbedding().stream(audio))
    model = step_model(head, EMBEDDING_CONTEXT_STEPS)
    for int8_weights in (False, True):
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        if int8_weights:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        blob = converter.convert()
        interpreter = Interpreter(model_content=blob, num_threads=1)
        interpreter.allocate_tensors()
        inputs = {tuple(d["shape"][1:]): d["index"] for d in interpreter.get_input_details()}
        outputs = {len(d["shape"]): d["index"] for d in interpreter.get_output_details()}
        state = np.zeros((1, EMBEDDING_CONTEXT_STEPS - 1, se.EMBEDDING_DIM), np.float32)
        scores, seconds = [], []
        for step in range(len(reference)):
            start = se.STEP_SAMPLES * step
            interpreter.set_tensor(inputs[(se.FIRST_END,)], audio[None, start : start + se.FIRST_END].astype(np.float32))
            interpreter.set_tensor(inputs[state.shape[1:]], state)
            began = time.perf_counter()
            interpreter.invoke()
            seconds.append(time.perf_counter() - began)
            scores.append(float(interpreter.get_tensor(outputs[2])[0, 0]))
            state = interpreter.get_tensor(outputs[3])
        print(json.dumps({
            "run": str(run), "weights": "int8 (dynamic range)" if int8_weights else "float32",
            "bytes": len(blob), "steps": len(scores),
            "median_invoke_ms_per_80ms_step": round(1000 * float(np.median(seconds)), 3),
            "max_abs_score_difference_vs_onnxruntime_keras": float(np.abs(np.array(scores) - reference).max()),
        }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
