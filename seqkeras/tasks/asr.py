"""``seqkeras asr``: CTC speech recognition trained on synthesized speech (docs/speech.md).

- ``synth``: grow the synthesized speech banks (cached, resumable, ``--time-limit``).
- ``lm``: train the character n-gram LM on the offline text corpora.
- ``train``: synthesize what is missing, make augmented features, train a
  ``CTCRecognizer`` (resumable, ``--strategy``), train the LM, evaluate.
- ``eval``: CER/WER (jiwer) on held-out synthesized speakers and real speech (Asterisk
  prompts, WUW-II calls): greedy, prefix beam, prefix beam + character LM (weights tuned
  on synthesized development speech, never on the real sets), and decoding speed.
- ``transcribe FILE.wav``: print the transcript of a recording.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from seqkeras.atomic import save_figure_atomic
from seqkeras.cli import register_command
from seqkeras.training import LR_SCHEDULES, add_strategy_argument

DEFAULT_OUT = os.path.join("runs", "asr")
DEFAULT_EPOCHS = 24
DEFAULT_BEAM_WIDTH = 16
DEFAULT_SAVE_EVERY = 200
BANK_NAMES = (
    "train-espeak-festival",
    "train-kokoro",
    "heldout-flite-piper-espeak",
    "heldout-kokoro",
)


def _bank_count(text: str) -> tuple[str, int]:
    name, _, count = text.partition("=")
    if name not in BANK_NAMES or not count.isdigit() or int(count) < 1:
        raise argparse.ArgumentTypeError(
            f"expected NAME=COUNT with NAME one of {', '.join(BANK_NAMES)}, got {text!r}"
        )
    return name, int(count)


def _range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH, got {text!r}") from None
    if low > high:
        raise argparse.ArgumentTypeError(f"expected LOW <= HIGH, got {text!r}")
    return low, high


def _add_eval_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--test-bank", type=_bank_count, action="append", metavar="NAME=COUNT",
                   help="held-out synthesized bank to test on (default heldout-flite-piper-espeak=600 and heldout-kokoro=200; "
                        "see --lm-dev)")  # fmt: skip
    p.add_argument(
        "--real",
        help="real-speech sets, comma separated: asterisk, wuw (all WUW-II speakers), "
        "wuw-heldout (the speakers --real-train wuw never hears); '' for none (default "
        "asterisk,wuw, or asterisk,wuw-heldout for a model trained on WUW-II)",
    )
    p.add_argument(
        "--real-speech",
        metavar="DIR",
        help="the real-speech folder (default $SEQKERAS_REAL_SPEECH or ../shared/data/real-speech)",
    )
    p.add_argument("--beam-width", type=int, default=DEFAULT_BEAM_WIDTH)
    p.add_argument(
        "--alpha",
        type=float,
        help="LM weight (default: tuned on a development part, see --lm-dev)",
    )
    p.add_argument(
        "--beta", type=float, help="insertion bonus per character (default: tuned with --alpha)"
    )
    p.add_argument(
        "--lm-dev",
        metavar="SET",
        help="the set whose development part tunes --alpha/--beta: a test bank (its first "
        "200 utterances), asterisk (one prompt in four) or wuw-heldout / wuw (one speaker in "
        "four); that part is scored as SET-dev, the rest as SET (default: the WUW-II set "
        "when one is evaluated and the weights are tuned, else the first test bank)",
    )
    p.add_argument(
        "--limit", type=int, help="evaluate only the first N utterances of each set (quick checks)"
    )
    p.add_argument(
        "--greedy-only", action="store_true", help="skip beam search and the LM (data experiments)"
    )


@register_command("asr", help="CTC speech recognition: synth, lm, train, eval, transcribe")
def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("synth", help="grow synthesized speech banks (cached, resumable)")
    p.add_argument("--bank", type=_bank_count, action="append", required=True, metavar="NAME=COUNT")
    p.add_argument("--time-limit", type=float, help="stop cleanly after this many seconds")
    p.set_defaults(func=_synth)

    p = sub.add_parser("lm", help="train the character n-gram LM on the offline text corpora")
    p.add_argument("--out", required=True, help="the LM file (.npz)")
    p.add_argument("--order", type=int, default=6)
    p.set_defaults(func=_lm)

    p = sub.add_parser("train", help="train a CTCRecognizer on synthesized speech, then evaluate")
    p.add_argument(
        "--out",
        default=DEFAULT_OUT,
        help="run folder (checkpoints, model.keras, char_lm.npz, metrics.json)",
    )
    p.add_argument("--bank", type=_bank_count, action="append", metavar="NAME=COUNT",
                   help="training bank and its size (repeatable; default train-espeak-festival=12000 "
                        "and train-kokoro=3000)")  # fmt: skip
    p.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help="total epochs of the run")
    p.add_argument("--units", type=int, default=160)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--conv-filters", type=int, default=128)
    p.add_argument("--conv-stride", type=int, default=3)
    p.add_argument("--frame-budget", type=int, default=8000, help="padded feature frames per batch")
    p.add_argument("--learning-rate", type=float, default=1e-3,
                   help="Adam step size (the first one of a cosine schedule)")
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default="cosine",
                   help="a cosine decay to 5%% of --learning-rate over --epochs (default; a "
                        "resumed run must keep --epochs for the same schedule), or constant")
    p.add_argument("--noise-probability", type=float, default=0.5)
    p.add_argument("--background-probability", type=float, default=0.5)
    p.add_argument("--snr-db", type=_range, default=(5.0, 30.0), metavar="LOW,HIGH")
    p.add_argument("--telephone-probability", type=float, default=0.3)
    p.add_argument("--upper-edge-hz", type=float, default=7600.0, help="top of the mel filterbank")
    p.add_argument("--no-spec-augment", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--real-train", choices=["wuw"], action="append",
                   help="also train on real speech: 'wuw' = the calls of WUW-II's training third "
                        "of speakers (the rest stay held out: scored as wuw-heldout)")  # fmt: skip
    p.add_argument(
        "--synth-time-limit",
        type=float,
        help="seconds of synthesis per call before stopping (resumable)",
    )
    p.add_argument("--save-every", type=int, default=DEFAULT_SAVE_EVERY, metavar="STEPS",
                   help="also checkpoint every STEPS optimizer steps, so a run cut off mid-epoch "
                        "(e.g. by `timeout`) loses at most that many (0: at epoch ends only)")  # fmt: skip
    p.add_argument("--no-eval", action="store_true", help="skip the evaluation after training")
    _add_eval_arguments(p)
    add_strategy_argument(p)
    p.set_defaults(func=_train)

    p = sub.add_parser("eval", help="CER/WER on held-out synthesized speakers and real speech")
    p.add_argument("--model", default=os.path.join(DEFAULT_OUT, "model.keras"))
    p.add_argument(
        "--lm", help="character LM file (default: char_lm.npz beside the model, trained if missing)"
    )
    p.add_argument("--out", help="metrics JSON (default: eval.json beside the model)")
    _add_eval_arguments(p)
    p.set_defaults(func=_eval)

    p = sub.add_parser("transcribe", help="print the transcript of a recording")
    p.add_argument("audio", help="a WAV/FLAC/OGG file (any rate, mono or stereo)")
    p.add_argument("--model", default=os.path.join(DEFAULT_OUT, "model.keras"))
    p.add_argument("--lm", help="character LM file for prefix beam search")
    p.add_argument("--beam-width", type=int, default=0, help="0: greedy")
    p.add_argument("--alpha", type=float, default=0.5)
    p.add_argument("--beta", type=float, default=1.5)
    p.add_argument("--top", type=int, default=1, help="n-best hypotheses to print (beam search)")
    p.set_defaults(func=_transcribe)


def _synth(args: argparse.Namespace) -> int:
    from seqkeras.speech.recipe import grow_banks

    rows = grow_banks(args.bank, time_limit_s=args.time_limit)
    for name, found in rows.items():
        hours = sum(r["seconds"] for r in found) / 3600
        print(f"{name}: {len(found)} utterances, {hours:.2f} h")
    return 0


def _lm(args: argparse.Namespace) -> int:
    path = _train_lm(args.out, args.order)
    print(f"wrote {path}")
    return 0


def _train_lm(path: str, order: int = 6) -> str:
    from seqkeras.speech.char_lm import CharNgramLM
    from seqkeras.speech.corpus import corpus_sentences

    if order < 1:
        raise ValueError(f"--order must be >= 1, got {order}")
    lm = CharNgramLM.train(corpus_sentences(split="train"), order=order)
    return lm.save(path)


def _config_from(args: argparse.Namespace) -> Any:
    from seqkeras.speech.features import AugmentConfig
    from seqkeras.speech.recipe import DEFAULT_TRAIN_BANKS, AsrConfig

    checks = {"--epochs": args.epochs >= 1, "--units": args.units >= 1, "--depth": args.depth >= 1,
              "--frame-budget": args.frame_budget >= 100, "--learning-rate": args.learning_rate > 0,
              "--conv-stride": args.conv_stride >= 1, "--conv-filters": args.conv_filters >= 1,
              "--save-every": args.save_every >= 0}  # fmt: skip
    for flag, ok in checks.items():
        if not ok:
            raise ValueError(f"{flag} {getattr(args, flag[2:].replace('-', '_'))} is out of range")
    augment = AugmentConfig(
        noise_probability=args.noise_probability,
        snr_db_range=args.snr_db,
        background_probability=args.background_probability,
        telephone_probability=args.telephone_probability,
        seed=args.seed,
    )
    masks = 0 if args.no_spec_augment else 2
    return AsrConfig(
        conv_filters=args.conv_filters,
        conv_stride=args.conv_stride,
        units=args.units,
        depth=args.depth,
        freq_masks=masks,
        time_masks=masks,
        learning_rate=args.learning_rate,
        lr_schedule=args.lr_schedule,
        frame_budget=args.frame_budget,
        train_banks=tuple(args.bank or DEFAULT_TRAIN_BANKS.items()),
        augment=augment,
        upper_edge_hz=args.upper_edge_hz,
        seed=args.seed,
        real_train=tuple(dict.fromkeys(args.real_train or ())),
    )


def _train(args: argparse.Namespace) -> int:
    import keras

    from seqkeras.speech import CharVocabulary
    from seqkeras.speech.batches import tf_dataset
    from seqkeras.speech.recipe import (
        MODEL_FILE,
        build_model,
        grow_banks,
        train_model,
        training_features,
    )
    from seqkeras.training import get_strategy, is_chief, make_optimizer

    config = _config_from(args)
    rows = grow_banks(config.train_banks, time_limit_s=args.synth_time_limit)
    if any(len(rows[name]) < count for name, count in config.train_banks):
        print("synthesis stopped at --synth-time-limit; run the same command again to go on")
        return 0
    _real_sets(args, config)  # a wrong --real fails now, not after training
    data = training_features(config, rows, real_speech=args.real_speech)
    hours = sum(f.shape[0] for f in data.features) / 100 / 3600
    print(f"training on {len(data)} utterances ({hours:.2f} h)")
    dataset = tf_dataset(
        data.features, data.texts, CharVocabulary(), config.frame_budget, config.seed
    )
    steps = int(dataset.cardinality())
    strategy = get_strategy(args.strategy)
    with strategy.scope():
        keras.utils.set_random_seed(config.seed)
        model = build_model(config)
        model.build({"features": (None, None, model.num_features), "feature_lengths": (None,)})
        model.compile(
            make_optimizer(
                "adam", learning_rate=config.learning_rate_for(steps, args.epochs),
                clipnorm=config.clipnorm,
            )
        )  # fmt: skip
    run_config = {**config.to_dict(), "strategy": args.strategy}
    history = train_model(
        model, dataset, epochs=args.epochs, strategy=strategy, run_dir=os.path.join(args.out, "checkpoints"),
        config=run_config, save_every=args.save_every or None,
    )  # fmt: skip
    if not is_chief(strategy):
        return 0
    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, MODEL_FILE)
    model.save(model_path)
    _plot_history(history, os.path.join(args.out, "loss.png"))
    print(f"wrote {model_path}")
    if args.no_eval:
        return 0
    args.model, args.lm = model_path, None
    args.out_file = os.path.join(args.out, "metrics.json")
    return _evaluate(args, model, config, extra={"config": run_config, "history": history})


def _plot_history(history: dict[str, list[Any]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 3.5))
    axes.plot([e + 1 for e in history.get("epoch", [])], history.get("loss", []), marker="o")
    axes.set_xlabel("epoch")
    axes.set_ylabel("CTC loss (train)")
    axes.set_title("CTC recognizer training")
    figure.tight_layout()
    try:
        save_figure_atomic(figure, path, format="png", dpi=110)
    finally:
        plt.close(figure)


def _lm_dev_source(args: argparse.Namespace, banks: list[str], real: list[str]) -> str | None:
    """The set whose development part picks alpha and beta (scored apart from the rest):
    ``--lm-dev``; else, when the weights are tuned and WUW-II is evaluated, WUW-II (a
    quarter of its speakers: real speech picks weights for real speech); else the first
    synthesized bank (its first DEV_UTTERANCES), so greedy-only runs keep every WUW-II
    speaker scored."""
    evaluated = list(banks) + list(real)
    if args.lm_dev is not None:
        if args.lm_dev not in evaluated:
            raise ValueError(f"--lm-dev {args.lm_dev!r} is not one of the evaluated sets {evaluated}")
        return str(args.lm_dev)
    tuned = not args.greedy_only and args.alpha is None
    wuw = [name for name in ("wuw-heldout", "wuw") if tuned and name in real]
    return wuw[0] if wuw else (banks[0] if banks else None)


def _config_of(model: Any, path: str) -> Any:
    """What evaluation needs of a saved model's recipe: its front end, and the real speech
    it trained on (from the run's checkpoint state beside it, when there is one)."""
    import json

    from seqkeras.speech.recipe import AsrConfig

    state = os.path.join(os.path.dirname(os.path.abspath(path)), "checkpoints", "state.json")
    real_train: tuple[str, ...] = ()
    if os.path.isfile(state):
        try:
            with open(state, encoding="utf-8") as f:
                real_train = tuple(json.load(f)["config"].get("real_train", ()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(
                f"{state} is not a readable run state (it should say what the model trained on)"
            ) from None
    return AsrConfig(
        upper_edge_hz=float(model.feature_config["upper_edge_hz"]),
        conv_stride=model.conv_stride,
        real_train=real_train,
    )


def _real_sets(args: argparse.Namespace, config: Any) -> list[str]:
    """The real-speech sets to score (``--real``, or the default for this model)."""
    if args.real is None:
        return ["asterisk", "wuw-heldout" if "wuw" in config.real_train else "wuw"]
    from seqkeras.speech.recipe import check_real_sets

    real = [s for s in args.real.split(",") if s]
    check_real_sets(config, real)
    return real


def _eval(args: argparse.Namespace) -> int:
    from seqkeras.speech.recipe import load_recognizer

    model = load_recognizer(args.model)
    args.out_file = args.out or os.path.join(
        os.path.dirname(os.path.abspath(args.model)), "eval.json"
    )
    return _evaluate(args, model, _config_of(model, args.model))


def _evaluate(
    args: argparse.Namespace, model: Any, config: Any, extra: dict[str, Any] | None = None
) -> int:
    import numpy as np

    from seqkeras.speech.char_lm import CharNgramLM
    from seqkeras.speech.features import FeatureSet
    from seqkeras.speech.recipe import (
        DEFAULT_TEST_BANKS,
        LM_FILE,
        DecoderSetting,
        decoding_speed,
        development_split,
        engine_of_ids,
        logits_of,
        save_json,
        score,
        test_sets,
        tune_lm_weights,
        wuw_labels,
    )

    if args.beam_width < 1:
        raise ValueError(f"--beam-width must be >= 1, got {args.beam_width}")
    if (args.alpha is None) != (args.beta is None):
        raise ValueError("give both --alpha and --beta, or neither (then they are tuned)")
    lm_path = args.lm or os.path.join(os.path.dirname(os.path.abspath(args.model)), LM_FILE)
    lm = None
    if not args.greedy_only:  # greedy decoding needs no LM: don't train one
        if not os.path.exists(lm_path):
            print(f"training the character LM -> {lm_path}")
            _train_lm(lm_path)
        lm = CharNgramLM.load(lm_path)
    real = _real_sets(args, config)
    banks = args.test_bank or list(DEFAULT_TEST_BANKS.items())
    dev_source = _lm_dev_source(args, [b for b, _ in banks], real)
    sets, dropped = test_sets(config, banks, real, args.real_speech, args.limit)
    metrics: dict[str, Any] = {"model": os.path.abspath(args.model), "dropped": dropped, "sets": {}}
    if lm is not None:
        metrics.update(lm=os.path.abspath(lm_path), lm_order=lm.order)
    log_probs = {name: logits_of(model, s.features) for name, s in sets.items()}
    if dev_source is not None:
        whole = sets[dev_source]
        dev, rest = development_split(dev_source, whole.ids, args.real_speech)
        if dev and rest:
            for name, chosen in ((dev_source + "-dev", dev), (dev_source, rest)):
                sets[name] = FeatureSet([whole.features[i] for i in chosen],
                                        [whole.texts[i] for i in chosen], [whole.ids[i] for i in chosen])  # fmt: skip
                log_probs[name] = [log_probs[dev_source][i] for i in chosen]
    if args.greedy_only:
        lm_setting = None
    elif args.alpha is not None:
        lm_setting = DecoderSetting("beam+lm", args.beam_width, args.alpha, args.beta)
    else:
        dev_name = dev_source + "-dev" if dev_source and dev_source + "-dev" in sets else None
        if dev_name is None:
            raise ValueError(
                "no development utterances to tune --alpha/--beta on; give them explicitly"
            )
        lm_setting, grid = tune_lm_weights(
            log_probs[dev_name], sets[dev_name].texts, lm, args.beam_width
        )
        metrics["lm_tuning"] = {"on": dev_name, "grid": grid}
    settings = [DecoderSetting("greedy")]
    if lm_setting is not None:
        settings += [DecoderSetting("beam", args.beam_width), lm_setting]
    for name, feature_set in sets.items():
        seconds = float(sum(f.shape[0] for f in feature_set.features)) / 100.0
        entry: dict[str, Any] = {
            "utterances": len(feature_set),
            "audio_hours": round(seconds / 3600, 3),
        }
        bank = name.removesuffix("-dev")
        groups = engine_of_ids(bank, feature_set.ids) if bank in BANK_NAMES else None
        if name == "wuw":  # by speaker side: "heldout" compares with models trained on "train"
            groups = wuw_labels(feature_set.ids, args.real_speech, "part")
        elif name == "wuw-heldout":  # names and sentences say words the training calls do not
            groups = wuw_labels(feature_set.ids, args.real_speech, "kind")
        for setting in settings:
            entry[setting.name] = score(log_probs[name], feature_set.texts, setting, lm, groups)
            print(
                f"{name:32s} {setting.name:8s} CER {entry[setting.name]['cer']:.3f}  WER {entry[setting.name]['wer']:.3f}",
                flush=True,
            )
            for group, result in entry[setting.name].get("by_group", {}).items():
                print(
                    f"    {group:28s} {setting.name:8s} CER {result['cer']:.3f}  WER {result['wer']:.3f}"
                )
        metrics["sets"][name] = entry
    # decoding speed: one utterance near 5 s, beam + LM
    pool = (
        []
        if lm_setting is None
        else [
            (abs(lp.shape[0] * model.conv_stride / 100 - 5.0), name, i)
            for name in log_probs
            for i, lp in enumerate(log_probs[name])
        ]
    )
    if pool:
        _, name, i = min(pool)
        audio_seconds = sets[name].features[i].shape[0] / 100.0
        metrics["decoding_speed"] = {
            "utterance_seconds": audio_seconds,
            "beam_width": args.beam_width,
            "greedy_x_realtime": round(
                decoding_speed(log_probs[name][i], audio_seconds, DecoderSetting("greedy"), lm), 1
            ),
            "beam_x_realtime": round(
                decoding_speed(
                    log_probs[name][i], audio_seconds, DecoderSetting("beam", args.beam_width), lm
                ),
                1,
            ),
            "beam_lm_x_realtime": round(
                decoding_speed(log_probs[name][i], audio_seconds, lm_setting, lm), 1
            ),
        }
        print(f"decoding speed (one {audio_seconds:.1f} s utterance): {metrics['decoding_speed']}")
    metrics.update(extra or {})
    metrics["parameters"] = int(np.sum([np.prod(w.shape) for w in model.weights]))
    save_json(args.out_file, metrics)
    print(f"wrote {args.out_file}")
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    import numpy as np
    from seqkeras_edge.features import FeatureConfig, log_mel_spectrogram

    from seqkeras.audio.io import read_audio
    from seqkeras.speech import (
        CharNgramLM,
        CharVocabulary,
        ctc_greedy_decode,
        ctc_prefix_beam_search,
    )
    from seqkeras.speech.recipe import load_recognizer, logits_of

    if args.beam_width < 0 or args.top < 1:
        raise ValueError("--beam-width must be >= 0 and --top >= 1")
    if args.lm and args.beam_width == 0:
        raise ValueError("--lm needs prefix beam search: give --beam-width (e.g. 16)")
    model = load_recognizer(args.model)
    config = FeatureConfig.from_dict(model.feature_config)
    audio = read_audio(args.audio, sample_rate=config.sample_rate)
    if audio.size < config.frame_length:
        raise ValueError(
            f"{args.audio} is too short: {audio.size} samples, need at least {config.frame_length}"
        )
    if not np.all(np.isfinite(audio)):
        raise ValueError(f"{args.audio} holds NaN or infinite samples")
    features = log_mel_spectrogram(audio, config)
    log_probs = logits_of(model, [features])[0]
    vocabulary = CharVocabulary(model.vocabulary)
    if args.beam_width == 0:
        print(vocabulary.decode(ctc_greedy_decode(log_probs)))
        return 0
    lm = CharNgramLM.load(args.lm) if args.lm else None
    for hypothesis in ctc_prefix_beam_search(log_probs, args.beam_width, vocabulary=vocabulary, lm=lm,
                                             alpha=args.alpha, beta=args.beta, top_paths=args.top):  # fmt: skip
        print(hypothesis.text if args.top == 1 else f"{hypothesis.score:10.3f}  {hypothesis.text}")
    return 0
