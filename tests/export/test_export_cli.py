"""seqkeras-export in process: help, registry choices, user errors, whole-sequence modes,
and the real converter crash (int8 of a Keras 3 LSTM WHILE loop) isolated in a child."""

import json
import sys

import keras
import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter
from seqkeras_edge.metadata import read_metadata
from seqkeras_export import quantization
from seqkeras_export.cli import build_parser, main
from seqkeras_export.convert import WEIGHT_GRANULARITIES, import_seqkeras_objects
from seqkeras_export.exporters import list_exporters
from seqkeras_export.quantization import list_modes

STEPS = 10
FEATURES = 4


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    """A fixed-length LSTM sentiment-style classifier and matching representative data."""
    directory = tmp_path_factory.mktemp("cli")
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((STEPS, FEATURES), name="tokens"),
            keras.layers.LSTM(8),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    path = directory / "clf.keras"
    model.save(path)
    x = np.random.default_rng(0).normal(size=(12, STEPS, FEATURES)).astype("float32")
    np.savez(directory / "rep.npz", tokens=x)
    return path, directory, model, x


def test_help_lists_every_registry_choice(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for name in [*list_exporters(), *list_modes()]:
        assert name in text
    assert set(list_exporters()) == {"tflite", "savedmodel"}
    assert set(list_modes()) == {"float32", "float16", "dynamic", "int8", "int16x8"}


@pytest.mark.parametrize("mode", list_modes())
def test_every_quantize_choice_parses(mode):
    args = build_parser().parse_args(["m.keras", "--quantize", mode, "--to", "tflite"])
    assert args.quantize == mode


def test_weights_granularity_choices(capsys):
    assert build_parser().parse_args(["m.keras"]).weights == "per-channel"
    assert build_parser().parse_args(["m.keras", "--weights", "per-tensor"]).weights == "per-tensor"
    with pytest.raises(SystemExit):
        main(["m.keras", "--weights", "per-layer"])
    assert "per-layer" in capsys.readouterr().err


def _choices(parser):
    return {action.dest: action.choices for action in parser._actions if action.choices is not None}


def test_every_registry_backed_flag_takes_its_choices_from_the_registry(monkeypatch):
    assert _choices(build_parser()) == {
        "to": list_exporters(),
        "quantize": list_modes(),
        "weights": list(WEIGHT_GRANULARITIES),
    }
    # A mode registered later is offered by the next parser without editing the CLI.
    monkeypatch.setattr(quantization, "_MODES", dict(quantization._MODES))
    quantization.register_mode("int4-test", "test only")(lambda converter, data: None)
    assert "int4-test" in _choices(build_parser())["quantize"]


def test_unknown_choice_is_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["m.keras", "--quantize", "int4"])
    assert "int4" in capsys.readouterr().err


def test_a_seqkeras_module_that_does_not_import_is_reported_as_itself(monkeypatch):
    """The real ImportError, not Keras's misleading "Could not locate class" later."""
    monkeypatch.setitem(sys.modules, "seqkeras.wakeword", None)  # makes its import fail
    with pytest.raises(ImportError, match=r"cannot import seqkeras\.[\w.]+, which registers") as info:
        import_seqkeras_objects()
    # Whichever seqkeras module pulls seqkeras.wakeword in, the cause names it.
    assert isinstance(info.value.__cause__, ImportError)
    assert "seqkeras.wakeword" in str(info.value.__cause__)


def test_cli_reports_a_broken_seqkeras_import_in_one_line(classifier, monkeypatch, capsys):
    path, *_ = classifier
    monkeypatch.setitem(sys.modules, "seqkeras.models", None)
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("seqkeras-export: error: cannot import seqkeras.")
    assert "seqkeras.models" in err
    assert "Could not locate class" not in err and len(err.strip().splitlines()) == 1


def test_missing_model_file(tmp_path, capsys):
    assert main([str(tmp_path / "absent.keras")]) == 2
    assert "absent.keras" in capsys.readouterr().err


def test_wrong_model_extension(tmp_path, capsys):
    path = tmp_path / "model.h5"
    path.write_bytes(b"x")
    assert main([str(path)]) == 2
    assert "must be a Keras .keras file" in capsys.readouterr().err


def test_wrong_output_extension(classifier, capsys):
    path, directory, _, _ = classifier
    assert main([str(path), "--output", str(directory / "out.bin")]) == 2
    assert "must end with .tflite" in capsys.readouterr().err


def test_representative_with_wrong_shape_names_the_input(classifier, tmp_path, capsys):
    path, _, _, _ = classifier
    np.savez(tmp_path / "bad.npz", tokens=np.zeros((4, STEPS, FEATURES + 1), np.float32))
    assert main([str(path), "--representative", str(tmp_path / "bad.npz")]) == 2
    err = capsys.readouterr().err
    assert "'tokens'" in err and "(batch, 10, 4)" in err and "(4, 10, 5)" in err


def test_representative_with_wrong_name(classifier, tmp_path, capsys):
    path, _, _, _ = classifier
    np.savez(tmp_path / "bad.npz", words=np.zeros((4, STEPS, FEATURES), np.float32))
    assert main([str(path), "--representative", str(tmp_path / "bad.npz")]) == 2
    assert "missing ['tokens']" in capsys.readouterr().err


def test_int8_without_representative_data(classifier, capsys):
    path, directory, _, _ = classifier
    assert main([str(path), "--quantize", "int8", "--output", str(directory / "x.tflite")]) == 2
    assert "--representative" in capsys.readouterr().err
    assert not (directory / "x.tflite").exists()


def test_unknown_recipe(classifier, capsys):
    path, _, _, _ = classifier
    assert main([str(path), "--representative-from", "no-such-recipe"]) == 2
    assert "no-such-recipe" in capsys.readouterr().err


def test_savedmodel_of_a_model_without_serving_function(classifier, capsys):
    path, directory, _, _ = classifier
    assert main([str(path), "--to", "savedmodel", "--output", str(directory / "sm")]) == 2
    assert "export_savedmodel" in capsys.readouterr().err
    assert not (directory / "sm").exists()


@pytest.mark.slow
@pytest.mark.parametrize("mode, tolerance", [("float32", 1e-5), ("float16", 1e-2), ("dynamic", 0.05), ("int8", 0.05)])
def test_whole_sequence_export_each_mode(classifier, mode, tolerance):
    path, directory, model, x = classifier
    out = directory / f"clf.{mode}.tflite"
    report_path = directory / f"{mode}.json"
    code = main([str(path), "--quantize", mode, "--representative", str(directory / "rep.npz"),
                 "--output", str(out), "--report", str(report_path)])
    assert code == 0
    interpreter = Interpreter(model_path=str(out))
    interpreter.allocate_tensors()
    (inp,), (outp,) = interpreter.get_input_details(), interpreter.get_output_details()
    got = []
    for example in x:
        interpreter.set_tensor(inp["index"], example[None])
        interpreter.invoke()
        got.append(interpreter.get_tensor(outp["index"])[0])
    expected = model.predict(x, verbose=0)
    assert np.max(np.abs(np.stack(got) - expected)) <= tolerance
    report = json.loads(report_path.read_text())
    assert report["graph"] == ("unrolled" if mode == "int8" else "sequence")
    assert report["parity"]["decision"] == "argmax"
    assert report["tflite"]["size_bytes"] == out.stat().st_size
    assert read_metadata(out)["kind"] == "sequence"


@pytest.mark.slow
def test_real_converter_crash_is_isolated(classifier, capsys):
    """int8 of the Keras 3 LSTM WHILE loop segfaults the converter: parent survives."""
    path, directory, _, _ = classifier
    out = directory / "crash.tflite"
    code = main([str(path), "--quantize", "int8", "--no-unroll", "--representative",
                 str(directory / "rep.npz"), "--output", str(out)])
    assert code == 3
    err = capsys.readouterr().err
    assert "crashed (SIGSEGV)" in err
    assert str(path) in err and "int8" in err and "--streaming" in err
    assert not out.exists()
    assert not [p for p in directory.iterdir() if p.name.startswith(".crash.tflite")]


def test_whole_sequence_of_any_length_needs_data(tmp_path, capsys):
    model = keras.Sequential([keras.Input((None, FEATURES)), keras.layers.GRU(4)])
    path = tmp_path / "free.keras"
    model.save(path)
    assert main([str(path), "--output", str(tmp_path / "free.tflite")]) == 2
    assert "fixed length" in capsys.readouterr().err
