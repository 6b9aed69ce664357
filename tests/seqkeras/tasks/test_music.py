import json
import shutil

import music21
import pytest

from seqkeras.cli.main import main  # noqa: E402
from seqkeras.music import encode_score  # noqa: E402


@pytest.fixture(scope="module")
def music_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("music")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEQKERAS_CACHE", str(root / "cache"))
        argv = ["music", "train", "--limit", "12", "--epochs", "8", "--units", "32", "--depth", "1"]
        argv += ["--embedding-dim", "16", "--samples", "3", "--transpose", "1", "--verbose", "0"]
        assert main([*argv, "--out", str(root / "run")]) == 0
        assert (root / "cache" / "music").is_dir()  # parsed chorales were cached
    return root / "run"


def test_train_writes_metrics(music_run):
    metrics = json.loads((music_run / "metrics.json").read_text())
    assert metrics["pieces"] == {
        "train": 8,
        "valid": 2,
        "test": 2,
    }  # every 10th test, the next valid
    # Learned: the LSTM beats a model that knows only how often each token occurs
    # (the unigram distribution of the training pieces, scored on the test pieces).
    assert metrics["test_perplexity"] < _unigram_test_perplexity(music_run)
    assert 0 <= metrics["pitch_class_distance_generated_vs_corpus"] <= 1
    assert (music_run / "model.keras").exists()


def _unigram_test_perplexity(run):
    """Add-one unigram perplexity of the test pieces (with their end token), from counts
    over the training pieces (transposed like the recipe's, ``--transpose 1``)."""
    import collections
    import math

    from seqkeras.music import load_chorale_tokens
    from seqkeras.music.recipe import augment, split_pieces

    split = split_pieces(load_chorale_tokens(limit=12, progress=False))
    train = augment(split["train"], 1)
    counts = collections.Counter(t for piece in train for t in [*piece, "<eos>"])
    vocabulary = set(counts) | {"<unk>"}
    total = sum(counts.values()) + len(vocabulary)
    test = [t if t in vocabulary else "<unk>" for p in split["test"] for t in [*p, "<eos>"]]
    log_p = sum(math.log((counts.get(t, 0) + 1) / total) for t in test)
    return math.exp(-log_p / len(test))


def test_generated_midi_parses_with_music21(music_run, tmp_path, capsys):
    out = tmp_path / "piece.mid"
    assert (
        main(
            [
                "music",
                "generate",
                str(music_run),
                "--out",
                str(out),
                "--seed",
                "3",
                "--max-length",
                "20",
            ]
        )
        == 0
    )
    assert "empty" not in capsys.readouterr().out
    tokens = encode_score(music21.converter.parse(out))
    notes = [t for t in tokens if t.startswith("n")]
    # MIDI import quantizes and pads the last bar with rests; the notes themselves stay.
    assert 1 <= len(notes) <= 20


@pytest.mark.skipif(shutil.which("timidity") is None, reason="timidity not installed")
@pytest.mark.slow
def test_wav_rendering(music_run, tmp_path):
    out = tmp_path / "p.mid"
    assert main(["music", "generate", str(music_run), "--out", str(out), "-n", "2", "--seed", "1",
                 "--max-length", "8", "--wav"]) == 0  # fmt: skip
    assert any(p.suffix == ".wav" and p.stat().st_size > 1000 for p in tmp_path.iterdir())


def test_generate_errors(tmp_path, music_run, capsys):
    assert main(["music", "generate", str(tmp_path), "--out", str(tmp_path / "a.mid")]) == 2
    assert "no trained model" in capsys.readouterr().err
    assert main(["music", "generate", str(music_run), "--out", str(tmp_path / "a.wav")]) == 2
    assert (
        main(
            [
                "music",
                "generate",
                str(music_run),
                "--out",
                str(tmp_path / "a.mid"),
                "--temperature",
                "0",
            ]
        )
        == 2
    )
    assert "temperature" in capsys.readouterr().err
