"""A tiny speech CTCRecognizer: CTC loss with padding vs a numpy forward algorithm, it
overfits 10 synthesized utterances to CER 0, serves them from a SavedModel (waveform in,
transcript out), and ``seqkeras asr transcribe`` handles bad audio with clear errors."""

import numpy as np
import pytest
import soundfile
import tensorflow as tf

from export.cli import main as export_main
from seqkeras.cli.main import main
from seqkeras.models import CTCRecognizer
from seqkeras.speech import (
    CHARACTERS,
    CharVocabulary,
    character_error_rate,
    ctc_greedy_decode,
    log_softmax,
)
from seqkeras.speech.batches import pad_batch

TEXTS = ["yes", "no", "stop", "go", "left", "right", "up", "down", "on", "off"]


def _numpy_ctc_nll(log_probs, label):
    """-log P(label | x), CTC forward algorithm over the extended label (blank = 0)."""
    extended = [0]
    for token in label:
        extended += [token, 0]
    alpha = np.full(len(extended), -np.inf)
    alpha[0] = log_probs[0, 0]
    if len(extended) > 1:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, len(log_probs)):
        new = np.full_like(alpha, -np.inf)
        for s, token in enumerate(extended):
            total = alpha[s]
            if s >= 1:
                total = np.logaddexp(total, alpha[s - 1])
            if s >= 2 and token != 0 and token != extended[s - 2]:
                total = np.logaddexp(total, alpha[s - 2])
            new[s] = total + log_probs[t, token]
        alpha = new
    return -np.logaddexp(alpha[-1], alpha[-2]) if len(extended) > 1 else -alpha[-1]


def test_ctc_loss_with_padding_matches_numpy_forward_algorithm():
    vocab = CharVocabulary("abc")
    model = CTCRecognizer(5, vocabulary="abc", conv_filters=6, units=6, normalize=True)
    rng = np.random.default_rng(0)
    features = [rng.normal(size=(n, 5)).astype("float32") for n in (12, 9, 6)]
    x, labels = pad_batch(features, ["abca", "cc", "b"], np.arange(3), vocab)
    logits = np.asarray(model(x, training=False), np.float64)
    steps = -(-x["feature_lengths"] // 2)
    expected = np.mean([
        _numpy_ctc_nll(log_softmax(logits[i, : steps[i]]), [t for t in labels[i] if t]) for i in range(3)
    ])  # fmt: skip
    loss = float(model.compute_loss(x, labels, model(x, training=False)))
    assert loss == pytest.approx(expected, rel=1e-4)
    # padding frames do not change the valid outputs' loss: the same utterance alone
    alone = {"features": x["features"][2:3, :6], "feature_lengths": x["feature_lengths"][2:3]}
    single = float(model.compute_loss(alone, labels[2:3, :1], model(alone, training=False)))
    assert single == pytest.approx(
        _numpy_ctc_nll(log_softmax(logits[2, : steps[2]]), [2]), rel=1e-4
    )


def test_config_round_trip_and_argument_errors():
    model = CTCRecognizer(40, vocabulary=CHARACTERS, normalize=True, spec_augment={"freq_masks": 1},
                          feature_config={"sample_rate": 16000})  # fmt: skip
    config = model.get_config()
    again = CTCRecognizer.from_config(config)
    assert again.get_config() == config and again.vocab_size == 28
    with pytest.raises(ValueError, match="vocab_size 5 differs"):
        CTCRecognizer(4, 5, vocabulary="abc")
    with pytest.raises(ValueError, match="40 mel bins"):
        CTCRecognizer(13, vocabulary="abc", feature_config={})
    with pytest.raises(ValueError, match="distinct"):
        CTCRecognizer(4, vocabulary="aab")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny recognizer trained on 10 espeak utterances (one voice) until it spells them."""
    import keras
    from seqkeras_edge.features import FeatureConfig, log_mel_spectrogram

    from seqkeras.audio.tts import Voice, get_engine

    engine = get_engine("espeak")
    if not engine.is_available():
        pytest.skip("espeak-ng is not installed")
    audios = engine.synthesize_items([(t, Voice("espeak", "en-us+m3", 1.0, 50)) for t in TEXTS])
    config = FeatureConfig()
    features = [log_mel_spectrogram(a, config) for a in audios]
    keras.utils.set_random_seed(0)
    model = CTCRecognizer(40, vocabulary=CHARACTERS, conv_filters=48, conv_kernel=5, conv_stride=3, units=64,
                          normalize=True, feature_config=config.to_dict())  # fmt: skip
    model.compile(keras.optimizers.Adam(5e-3, clipnorm=5.0))
    x, labels = pad_batch(features, TEXTS, np.arange(len(TEXTS)), CharVocabulary())
    for step in range(1, 401):
        model.train_on_batch(x, labels)
        if step % 20 == 0:
            logits = np.asarray(model(x, training=False))
            steps = -(-x["feature_lengths"] // 3)
            decoded = [
                CharVocabulary().decode(ctc_greedy_decode(logits[i], steps[i]))
                for i in range(len(TEXTS))
            ]
            if decoded == TEXTS:
                break
    path = tmp_path_factory.mktemp("asr") / "model.keras"
    model.save(path)
    return model, audios, decoded, path


@pytest.mark.slow
def test_tiny_recognizer_overfits_ten_utterances(trained):
    _, _, decoded, _ = trained
    assert character_error_rate(TEXTS, decoded) == 0.0


@pytest.mark.slow
def test_savedmodel_takes_a_waveform_and_returns_the_transcript(trained, tmp_path):
    model, audios, decoded, path = trained
    out = tmp_path / "server"
    assert export_main([str(path), "--to", "savedmodel", "--output", str(out)]) == 0
    server = tf.saved_model.load(str(out))
    assert {"serving_default", "transcribe_batch", "features"} <= set(server.signatures)
    for audio, text in zip(audios[:4], decoded[:4], strict=True):
        result = server.signatures["serving_default"](waveform=tf.constant(audio))
        assert result["transcript"].numpy().decode() == text
    batch = np.zeros((3, max(a.size for a in audios[4:7])), "float32")
    for row, audio in enumerate(audios[4:7]):
        batch[row, : audio.size] = audio
    lengths = tf.constant([a.size for a in audios[4:7]], tf.int32)
    served = server.signatures["transcribe_batch"](waveforms=tf.constant(batch), lengths=lengths)
    assert [t.decode() for t in served["transcripts"].numpy()] == decoded[4:7]
    tiny = server.signatures["serving_default"](waveform=tf.zeros([10]))  # shorter than one frame
    assert tiny["transcript"].numpy() == b""


@pytest.mark.slow
def test_transcribe_cli_and_bad_audio(trained, tmp_path, capsys):
    _, audios, decoded, path = trained
    pcm = (audios[0] * 32767).astype("int16")
    wav = tmp_path / "a.wav"
    soundfile.write(wav, pcm, 16000)
    assert main(["asr", "transcribe", str(wav), "--model", str(path)]) == 0
    assert capsys.readouterr().out.strip() == decoded[0]
    # documented conversions: stereo is averaged, 8-bit read, other rates resampled
    soundfile.write(tmp_path / "stereo.wav", np.stack([pcm, pcm], 1), 16000)
    soundfile.write(tmp_path / "u8.wav", pcm, 16000, subtype="PCM_U8")
    soundfile.write(tmp_path / "r22.wav", pcm, 22050)
    for name in ("stereo.wav", "u8.wav", "r22.wav"):
        assert main(["asr", "transcribe", str(tmp_path / name), "--model", str(path)]) == 0
        assert capsys.readouterr().out.strip()
    # clear errors, exit 2, no traceback
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x00\x00garbage")
    soundfile.write(tmp_path / "short.wav", pcm[:100], 16000)
    for name, message in (("empty.wav", "empty.wav"), ("corrupt.wav", "corrupt.wav"), ("short.wav", "too short"),
                          ("missing.wav", "not found")):  # fmt: skip
        assert main(["asr", "transcribe", str(tmp_path / name), "--model", str(path)]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert main(["asr", "transcribe", str(wav), "--model", str(tmp_path / "none.keras")]) == 2
    assert "asr train" in capsys.readouterr().err


@pytest.mark.parametrize(("kernel", "stride"), [(11, 3), (4, 2), (5, 1)])
def test_outputs_do_not_depend_on_batch_padding(kernel, stride):
    """An utterance gives the same logits alone and padded inside a batch (the served
    model sees it alone; evaluation batches pad it)."""
    model = CTCRecognizer(4, 3, conv_kernel=kernel, conv_stride=stride, units=5, normalize=True)
    x = np.random.default_rng(1).normal(size=(1, 23, 4)).astype("float32")
    alone = np.asarray(model({"features": x[:, :13], "feature_lengths": np.array([13], "int32")}))
    padded = x.copy()
    padded[:, 13:] = 0
    batch = np.asarray(model({"features": padded, "feature_lengths": np.array([13], "int32")}))
    assert alone.shape[1] == -(-13 // stride)
    np.testing.assert_allclose(batch[:, : alone.shape[1]], alone, atol=1e-5)


@pytest.mark.slow
def test_eval_cli_scores_held_out_synthesized_speech(trained, tmp_path, monkeypatch, capsys):
    import json

    import jiwer

    from seqkeras.speech import CharNgramLM
    from seqkeras.speech.synthesis import read_manifest

    _, _, _, path = trained
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    lm = CharNgramLM.train(["yes no stop go", "left right up down", "on off"], order=3).save(
        tmp_path / "lm.npz"
    )
    out = tmp_path / "eval.json"
    argv = ["asr", "eval", "--model", str(path), "--lm", str(lm), "--out", str(out), "--real", "",
            "--test-bank", "heldout-flite-piper-espeak=4", "--alpha", "0.5", "--beta", "1.0"]  # fmt: skip
    assert main(argv) == 0
    metrics = json.loads(out.read_text())
    entry = metrics["sets"]["heldout-flite-piper-espeak"]
    assert entry["utterances"] == 4
    for decoder in ("greedy", "beam", "beam+lm"):
        pairs = entry[decoder]["examples"]
        assert len(pairs) == 4
        references = [p["reference"] for p in pairs]
        hypotheses = [p["hypothesis"] for p in pairs]
        assert entry[decoder]["cer"] == pytest.approx(jiwer.cer(references, hypotheses), abs=1e-4)
        # per engine: the utterances of the set are the bank's first 4 by id
        rows = sorted(read_manifest(tmp_path / "cache" / "speech" / "banks" / "heldout-flite-piper-espeak"),
                      key=lambda r: r["id"])[:4]  # fmt: skip
        engines = [r["engine"] for r in rows]
        assert sorted(entry[decoder]["by_group"]) == sorted(set(engines))
        for engine, result in entry[decoder]["by_group"].items():
            chosen = [i for i, e in enumerate(engines) if e == engine]
            assert result["utterances"] == len(chosen)
            assert result["cer"] == pytest.approx(
                jiwer.cer([references[i] for i in chosen], [hypotheses[i] for i in chosen]), abs=1e-4
            )
    assert metrics["decoding_speed"]["beam_width"] == 16
    assert main(argv[:-4] + ["--alpha", "0.5"]) == 2  # --alpha without --beta
    capsys.readouterr()
    assert main(argv[:-4] + ["--lm-dev", "asterisk"]) == 2  # a set not evaluated: before any work
    assert "--lm-dev 'asterisk' is not one of the evaluated sets" in capsys.readouterr().err

    # --greedy-only needs no LM: none is trained beside the model, none is named
    greedy_out = tmp_path / "greedy.json"
    assert main(["asr", "eval", "--model", str(path), "--out", str(greedy_out), "--real", "",
                 "--test-bank", "heldout-flite-piper-espeak=4", "--greedy-only"]) == 0  # fmt: skip
    assert not (path.parent / "char_lm.npz").exists()
    greedy = json.loads(greedy_out.read_text())
    assert "lm" not in greedy
    assert set(greedy["sets"]["heldout-flite-piper-espeak"]) == {"utterances", "audio_hours", "greedy"}
    assert greedy["sets"]["heldout-flite-piper-espeak"]["greedy"]["cer"] == entry["greedy"]["cer"]


MIRRORED_CTC = """
import json
import keras
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from seqkeras.models import CTCRecognizer
from seqkeras.speech import CharVocabulary
from seqkeras.speech.batches import pad_batch
from seqkeras.training import get_strategy, train

rng = np.random.default_rng(0)
texts = ["abc", "ba", "cab", "a"]
features = [rng.normal(size=(n, 5)).astype("float32") for n in (14, 10, 12, 6)]
x, labels = pad_batch(features, texts, np.arange(4), CharVocabulary("abc"))
out = {}
for name in ("default", "mirrored"):
    strategy = get_strategy(name)
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = CTCRecognizer(5, vocabulary="abc", conv_filters=6, units=6, normalize=True)
        model.build({"features": (None, None, 5), "feature_lengths": (None,)})
        model.compile(keras.optimizers.Adam(1e-3))
    data = tf.data.Dataset.from_tensors((x, labels))
    history = train(model, data, epochs=1, strategy=strategy, verbose=0)
    out[name] = [history["loss"][0], strategy.num_replicas_in_sync]
print(json.dumps(out))
"""


@pytest.mark.slow
def test_ctc_loss_on_two_mirrored_replicas_equals_one_device(tmp_path):
    """One step's loss is the whole batch's mean, not the sum of the replicas' means
    (CTCRecognizer.compute_loss returns a replica's share; the gradient is that loss's)."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, "-c", MIRRORED_CTC], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["default"][1] == 1 and out["mirrored"][1] == 2
    assert out["mirrored"][0] == pytest.approx(out["default"][0], rel=1e-4)
