"""Real-speech benchmark: scoring against hand counts, the SNR mixer, streams, PocketSphinx,
bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from seqkeras_edge.decision import DecisionConfig

from seqkeras.wakeword import sphinx
from seqkeras.wakeword.benchmark import (
    HIT_AFTER_SECONDS,
    BenchmarkSettings,
    budget_report,
    build_stream,
    detection_curve,
    false_accept_sources,
    mix_at_peak_snr,
    negative_recordings,
    positive_recordings,
    refractory_filter,
    score_curve,
)
from seqkeras.wakeword.real_speech import Recording, find_real_speech_root

RATE = 16000


def _loudest_frame_db(audio: np.ndarray) -> float:
    """Independent of the code under test: a loop over 512-sample frames."""
    best = 0.0
    for start in range(0, len(audio) - 511, 512):
        best = max(best, float(np.dot(audio[start : start + 512], audio[start : start + 512])))
    return 10 * np.log10(best)


@pytest.mark.parametrize("target", [10.0, 0.0, 23.5])
def test_mixer_reaches_the_snr_by_the_loudest_frame_definition(target):
    rng = np.random.default_rng(int(target))
    t = np.arange(RATE) / RATE
    speech = np.sin(2 * np.pi * 300 * t) * np.exp(-((t - 0.5) ** 2) / 0.01)
    noise = rng.standard_normal(RATE) * 0.05
    mixed = mix_at_peak_snr(speech, noise, target)
    scaled_speech = mixed - noise
    assert _loudest_frame_db(scaled_speech) - _loudest_frame_db(noise) == pytest.approx(
        target, abs=0.1
    )
    with pytest.raises(ValueError, match="silent"):
        mix_at_peak_snr(np.zeros(RATE), noise, target)


def test_scores_give_the_hand_counted_frr_and_false_accepts():
    """4 keywords: two score 0.9, one 0.6, one nothing; 2 h of negatives with peaks 0.95
    (once) and 0.7 (twice)."""
    step = 0.01
    positive = np.zeros(4000)
    windows = [(100, 200), (1100, 1200), (2100, 2200), (3100, 3200)]
    for (start, _), peak in zip(windows, (0.9, 0.9, 0.6, 0.0), strict=True):
        positive[start + 10 : start + 30] = peak
    negative = np.zeros(20000)
    for start, peak in ((1000, 0.95), (5000, 0.7), (9000, 0.7)):
        negative[start : start + 20] = peak
    decision = DecisionConfig(smoothing_steps=5, refractory_seconds=1.0, step_seconds=step)
    curve = score_curve(positive, negative, windows, 7200.0, decision, [0.5, 0.6, 0.9, 0.96])
    by_threshold = {p.threshold: (p.misses, p.false_accepts) for p in curve}
    assert by_threshold == {0.5: (1, 3), 0.6: (1, 3), 0.9: (2, 1), 0.96: (4, 0)}
    at = budget_report(curve, (0.1, 0.5, 1.0, 5.0))
    assert {k: v["frr"] for k, v in at.items()} == {"0.1": 1.0, "0.5": 0.5, "1": 0.5, "5": 0.25}
    assert at["0.5"]["fa_per_hour"] == 0.5
    assert budget_report(curve, (0.0,))["0"]["threshold"] == 0.96


def test_detection_times_are_scored_with_the_refractory_period():
    assert refractory_filter([1.0, 1.5, 2.1, 2.2, 5.0], 1.0) == [1.0, 2.1, 5.0]
    windows = [(100, 200), (500, 600)]
    positive = {-10: [1.5, 1.6, 5.5], -20: [1.5, 3.0, 5.5]}
    negative = {-10: [], -20: [10.0, 10.4, 30.0]}
    curve = detection_curve(positive, negative, windows, 3600.0, 0.01, 1.0)
    loose = next(p for p in curve if p.threshold == -20)
    strict = next(p for p in curve if p.threshold == -10)
    assert (strict.misses, strict.false_accepts, strict.clip_false_accepts) == (0, 0, 0)
    assert (loose.misses, loose.false_accepts, loose.clip_false_accepts) == (0, 2, 1)


def _write(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    soundfile.write(path, audio, rate)
    return path


def test_stream_places_recordings_and_windows(tmp_path):
    files = [
        _write(tmp_path / f"k{i}.wav", 0.3 * np.sin(np.arange(RATE * (i + 1)) * 0.05 * (i + 1)))
        for i in range(3)
    ]

    def noise(samples, generator):
        return generator.standard_normal(samples) * 0.01

    recordings = [Recording(p, "keyword-folder", text="computer") for p in files]
    # 40 dB SNR: the recording dominates where it is placed (correlation ~0.9999).
    stream = build_stream(recordings, noise, seed=1, positive=True, target_db=40.0)
    assert stream.audio.dtype == np.int16 and len(stream.pieces) == 3
    for (file, start, stop, hit_start, hit_stop), path in zip(stream.pieces, files, strict=True):
        length = soundfile.info(path).frames
        assert file == str(path) and stop - start == length
        assert hit_start == start and hit_stop == stop + int(HIT_AFTER_SECONDS * RATE)
        # The recording is where the stream says: it correlates with the file there.
        piece = stream.audio[start:stop].astype(np.float64)
        source = soundfile.read(path)[0]
        assert np.corrcoef(piece, source)[0, 1] > 0.999
    assert stream.windows(160)[0] == (stream.pieces[0][3] // 160, -(-stream.pieces[0][4] // 160))
    negatives = build_stream(recordings, noise, seed=1, positive=False)
    assert negatives.windows(160) == []
    # false accepts are traced to the recording that started last before them
    (_, start0, _, _, _), (_, start1, stop1, _, _), _ = negatives.pieces
    steps = [start0 // 160 - 1, start1 // 160 + 50, stop1 // 160 + 2]
    found = false_accept_sources(steps, negatives, 160)
    assert [f["file"] for f in found] == [None, str(files[1]), str(files[1])]
    assert [f["inside_recording"] for f in found] == [False, True, False]
    assert found[1]["seconds_after_start"] == pytest.approx((steps[1] * 160 - start1) / RATE, abs=1e-3)


def test_bad_input_names_the_path(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no audio here")
    with pytest.raises(ValueError, match=str(empty)):
        positive_recordings("computer", BenchmarkSettings(keyword_dir=str(empty)))
    with pytest.raises(FileNotFoundError, match="missing"):
        positive_recordings("computer", BenchmarkSettings(keyword_dir=str(tmp_path / "missing")))
    with pytest.raises(ValueError, match="negative_dirs is empty"):
        BenchmarkSettings(negative_dirs=())
    with pytest.raises(ValueError, match=str(empty)):
        negative_recordings("computer", BenchmarkSettings(negative_dirs=(str(empty),)))
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file")
    with pytest.raises(ValueError, match="broken.wav"):
        build_stream(
            [Recording(broken, "folder")], lambda n, g: g.standard_normal(n), seed=0, positive=False
        )
    with pytest.raises(ValueError, match="no keyword recordings"):
        build_stream([], lambda n, g: g.standard_normal(n), seed=0, positive=True)


def _real_computer_clip() -> np.ndarray:
    root = find_real_speech_root()
    folder = None if root is None else root / "wake-word-benchmark" / "computer"
    if folder is None or not folder.is_dir():
        pytest.skip("real recordings not found (shared/data/real-speech or SEQKERAS_REAL_SPEECH)")
    from seqkeras.audio import read_audio

    audio = read_audio(sorted(folder.glob("*.flac"))[0])
    return np.round(np.clip(audio, -1, 1) * 32767).astype(np.int16)


def test_pocketsphinx_finds_computer_in_a_real_clip_and_aliases_equal_single_decoders():
    import os

    import pocketsphinx  # noqa: F401  (audio extra; installed by make setup)
    from pocketsphinx import Decoder, get_model_path

    pcm = _real_computer_clip()
    found = sphinx.keyword_detections(pcm, "computer", exponents=(30, -20, -40))
    assert found[30] == []  # 1e30 is stricter than any real score
    assert len(found[-40]) >= 1
    model = get_model_path()
    for exponent in (-20, -40):
        decoder = Decoder(
            hmm=os.path.join(model, "en-us", "en-us"),
            dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
            lm=None,
            keyphrase="computer",
            kws_threshold=10.0**exponent,
            logfn=os.devnull,
        )
        decoder.start_utt()
        decoder.process_raw(pcm.tobytes(), False, True)
        decoder.end_utt()
        single = sorted(s.end_frame * sphinx.FRAME_SECONDS for s in decoder.seg())
        assert found[exponent] == single
    with pytest.raises(ValueError, match="qwzxv"):
        sphinx.pronunciation("qwzxv")


def test_wuw_positives_are_held_out_speakers_saying_the_keyword(tmp_path, monkeypatch):
    import json

    from seqkeras.wakeword.real_speech import negative_split, wuw_recordings

    corpus = tmp_path / "wuw-corpus-ii"
    corpus.mkdir()
    entries = []
    for session in range(12):
        for utterance, text, span in (
            ("000", f"Speaker {chr(65 + session)}", (0.5, 1.2)),
            ("001", "Operator", (0.6, 1.1)),
            ("002", "Wildfire", (0.6, 1.1)),
            ("006", "[click] please get me the Operator now", (2.0, 2.6)),
        ):
            entries.append(
                {"sessionNumber": f"{session:05d}", "utteranceNumber": utterance,
                 "filePath": f"calls/{session:05d}/WUWII{session:05d}_{utterance}.flac",
                 "transcription": text, "startTime": span[0], "endTime": span[1]}
            )  # fmt: skip
    (corpus / "data.json").write_text(json.dumps({"entries": entries}))
    monkeypatch.setenv("SEQKERAS_REAL_SPEECH", str(tmp_path))
    wuw_recordings.cache_clear()
    found = positive_recordings("operator", BenchmarkSettings(wuw_utterances=("001", "006")))
    held_out = {r.speaker for r in wuw_recordings(str(corpus)) if negative_split(r) == "test"}
    assert found and {r.speaker for r in found} <= held_out
    assert {r.utterance for r in found} == {"001", "006"}
    assert all(r.keyword_span in ((0.6, 1.1), (2.0, 2.6)) for r in found)
    with pytest.raises(ValueError, match="says 'voyager'"):
        positive_recordings("voyager", BenchmarkSettings(wuw_utterances=("001",)))
    with pytest.raises(ValueError, match="not both"):
        BenchmarkSettings(keyword_dir="x", wuw_utterances=("001",))


def test_a_recognizer_run_is_benchmarked_as_a_keyword_spotter(tmp_path, monkeypatch, capsys):
    """`seqkeras wakeword benchmark ASR_RUN --keyword K`: the CTC spotter's stream scores,
    decided by the device's decision code, give the report's false accepts and misses."""
    import json

    from seqkeras_edge.decision import detect
    from seqkeras_edge.features import FeatureConfig

    from seqkeras.cli.main import main
    from seqkeras.models import CTCRecognizer
    from seqkeras.speech.text import CHARACTERS
    from seqkeras.wakeword import benchmark
    from seqkeras.wakeword.ctc_spotter import CtcSpotter, SpotterConfig

    fc = FeatureConfig()
    model = CTCRecognizer(fc.num_mel_bins, vocabulary=CHARACTERS, conv_filters=4, conv_kernel=3,
                          conv_stride=3, units=4, normalize=True, feature_config=fc.to_dict())  # fmt: skip
    model.build({"features": (None, None, fc.num_mel_bins), "feature_lengths": (None,)})
    run = tmp_path / "asr"
    run.mkdir()
    model.save(run / "model.keras")
    for folder, count, seconds in (("go", 3, 0.6), ("other", 2, 3.0)):
        (tmp_path / folder).mkdir()
        for i in range(count):
            _write(tmp_path / folder / f"{i}.wav", 0.3 * np.sin(np.arange(int(RATE * seconds)) * 0.01 * (i + 2)))
    monkeypatch.setattr(benchmark, "background_noise", lambda cache_dir=None: lambda n, g: g.standard_normal(n))
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    settings = BenchmarkSettings(keyword_dir=str(tmp_path / "go"), negative_dirs=(str(tmp_path / "other"),),
                                 pocketsphinx=False)  # fmt: skip
    spotter_config = SpotterConfig(window_seconds=0.5, hop_seconds=0.1)
    with pytest.raises(ValueError, match="--keyword"):
        benchmark.run_benchmark(run, settings, cache_dir=tmp_path / "cache", progress=False)
    report = benchmark.run_benchmark(run, settings, cache_dir=tmp_path / "cache", progress=False,
                                     keyword="go", spotter=spotter_config)  # fmt: skip
    assert report["front_end"] == "ctc-recognizer" and set(report["models"]) == {"seqkeras"}
    assert report["spotter"]["window_seconds"] == 0.5 and report["window_latency_us_p50"] > 0
    saved = json.loads((run / "benchmark-real-go.json").read_text())
    assert saved["keyword"] == "go" and (run / "benchmark-real-go.png").is_file()
    # the loosest threshold's counts, recomputed from the spotter on the same cached streams
    spotter = CtcSpotter(model, "go", spotter_config)
    loosest = saved["models"]["seqkeras"]["det"][0]
    decision = DecisionConfig(threshold=loosest["threshold"], smoothing_steps=1, refractory_seconds=1.0,
                              step_seconds=0.1)  # fmt: skip
    streams = {}
    for name, positive, files in (("positive", True, "go"), ("negative", False, "other")):
        recordings = [Recording(p, "folder") for p in sorted((tmp_path / files).glob("*.wav"))]
        streams[name] = benchmark.cached_stream(recordings, settings.seed + (not positive), positive,
                                                cache_dir=tmp_path / "cache")  # fmt: skip
    negative = detect(spotter.stream_scores(streams["negative"].float_audio()).tolist(), decision)
    assert loosest["false_accepts"] == len(negative)
    positive = [d.step for d in detect(spotter.stream_scores(streams["positive"].float_audio()).tolist(), decision)]
    hit = [any(a <= s < b for s in positive) for a, b in streams["positive"].windows(1600)]
    assert loosest["keywords"] == 3 and loosest["misses"] == hit.count(False)
    # the negative recordings named at each budget are as many as its false accepts
    model_report = saved["models"]["seqkeras"]
    negative_files = {str(p) for p in (tmp_path / "other").glob("*.wav")}
    for budget, fired in model_report["false_accepts_at_budgets"].items():
        assert len(fired) == model_report["at_budgets"][budget]["false_accepts"]
        assert all(f["file"] in negative_files or f["file"] is None for f in fired)
    # a wake-word run (train.json beside the model) detects its own keyword only
    (run / "train.json").write_text(json.dumps({"config": {"keyword": "computer"}}))
    assert not benchmark.is_recognizer_run(run)
    with pytest.raises(ValueError, match="detects 'computer', not 'jarvis'"):
        benchmark.run_benchmark(run, settings, keyword="jarvis", progress=False)
    (run / "train.json").unlink()
    # the CLI: same run and streams; a keyword with nothing to spell is a clear error
    argv = ["wakeword", "benchmark", str(run), "--no-pocketsphinx", "--window-seconds", "0.5",
            "--keyword-dir", str(tmp_path / "go"), "--negatives", str(tmp_path / "other")]  # fmt: skip
    assert main(argv + ["--keyword", "Go!", "--quiet"]) == 0
    assert json.loads((run / "benchmark-real-go.json").read_text())["spotter"]["hop_seconds"] == 0.25
    assert main(argv + ["--keyword", "!!"]) == 2
    assert "no letters" in capsys.readouterr().err
