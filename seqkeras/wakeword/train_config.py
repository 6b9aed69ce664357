"""The configuration of a trigger-word training run (``TrainConfig``).

Everything that defines a run is here and stored in ``train.json``; :meth:`TrainConfig.identity`
(everything but ``epochs``) is what a checkpoint must match to be resumed, so running a
finished 10-epoch run again with ``epochs=20`` trains 10 more epochs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from seqkeras.training import LR_SCHEDULES
from seqkeras.wakeword._checks import check_fractions, check_non_negative
from seqkeras.wakeword.losses import LOSSES, list_losses
from seqkeras.wakeword.models import (
    STREAMING_CONV_LAYERS,
    STREAMING_DROPOUT,
    STREAMING_FILTERS,
    STREAMING_KERNEL,
    STREAMING_UNITS,
    label_config,
    list_cells,
    list_models,
)

# Seed offset of the validation clips (a different draw than the training clips).
VAL_SEED_OFFSET = 7919
# Fields that say how long to train, not what: left out of a run's identity.
NOT_IDENTITY = ("epochs", "average_from_epoch")


# Settings that differ by model (what the model was measured with; TrainConfig.for_model
# applies them where the caller gives no value). The speech-embedding head: BENCHMARKS.md,
# "A front end trained on real speech".
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "embedding": {
        "units": 128,
        "dropout": 0.0,
        "learning_rate": 1e-3,
        "lr_schedule": "cosine",
        "batch_size": 64,
    },
}


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run (stored in ``train.json`` and the checkpoint).

    Args:
        keyword: the wake word.
        model: ``"streaming"`` (edge, exportable), ``"course"`` (reference) or
            ``"embedding"`` (a head over the frozen speech-embedding front end,
            ``models.embedding_head_model``; trains on the same clips as ``"streaming"``;
            ``units`` and ``dropout`` size it; no SpecAugment masks or warps: they are
            defined on log-mel frames).
        filters, kernel_size, units, cell, dropout, conv_layers: model size (see
            ``models.streaming_model``);
            ``kernel_size``/``filters`` of the course model keep the course's values
            unless given there.
        train_clips, val_clips: synthesized clips for training / validation (held-out
            voices of the training engines).
        clip_seconds: clip length.
        voices_per_engine, negatives_per_voice: size of the synthesized utterance bank.
        epochs, batch_size, learning_rate: optimisation.
        lr_schedule: ``"constant"`` or ``"cosine"`` (the step size decays from
            ``learning_rate`` to ``final_lr_fraction`` of it over the run). Measured on
            the recipe (BENCHMARKS.md): cosine fits the training voices better and the
            unseen test voices worse, so constant is the default.
        final_lr_fraction: the cosine schedule's last step size over its first.
        average_from_epoch: the saved model is the mean of the weights at the ends of
            epochs ``average_from_epoch..epochs`` (stochastic weight averaging,
            ``seqkeras.training.WeightAveraging``); 0 = the last weights. Like
            ``epochs``, not part of the run's identity: a finished run can be continued
            with averaging.
        loss: ``"weighted"`` (class-weighted BCE), ``"focal"`` or ``"bce"``.
        positive_weight: weight of positive frames for ``"weighted"``.
        focal_alpha, focal_gamma: parameters of ``"focal"``.
        time_masks, time_mask_frames: SpecAugment time masks per clip and their max width.
        freq_masks, freq_mask_bins: SpecAugment frequency masks and their max width.
        frequency_warp: each clip's features are warped along frequency by a factor drawn
            uniformly from ``1 +- frequency_warp`` every epoch (vocal tract length
            perturbation, Jaitly & Hinton 2013: a longer or shorter vocal tract moves every
            formant by the same ratio, so one voice stands in for many); 0 (default)
            turns it off: on the recipe it did not help the unseen voices (BENCHMARKS.md).
        ones_steps: label run length after each keyword (output steps).
        hard_negative_fraction: share of the training clips' negatives that are near misses
            ("captivate", "activity"...); the test split and the negative stream keep the
            protocol's ``WakewordDataConfig`` share (0.5). Near misses that end like the
            keyword need more than that share to be rejected.
        sentences_per_voice, sentence_fraction: keywords spoken inside carrier sentences
            ("please activate the camera"; ``WakewordDataConfig``), training and
            validation clips only: each keyword voice of an engine reporting word timings
            speaks ``sentences_per_voice`` of them, and ``sentence_fraction`` of the
            clips' keywords are such sentences. On by default (3, 0.3): on the recipe it
            cut the misses of keywords inside sentences (flite test voices) at 100 FA/h
            from 81-83 % to 19-33 %, for a few more misses of isolated keywords at the
            lowest false-accept rates (BENCHMARKS.md, session 4); ``sentences_per_voice=0``
            switches it off (and sets ``sentence_fraction`` to 0).
        max_negatives: each training clip holds 0..max_negatives negative words/phrases
            (6: twice the course recipe's 3, which the test split keeps; more speech
            without the keyword per clip lowered the false accepts on the recipe)
            (the course recipe's 3 by default; the test split keeps 3).
        train_engines: TTS engines of the training and validation clips; ``None`` = the
            protocol's (``WakewordDataConfig.train_engines``). The test split and the
            negative stream are the protocol's either way, so runs with different
            engines are measured on the same test data.
        negative_datasets: folders of wake-word datasets built for *other* keywords
            (``build_dataset``'s output, e.g. ``~/.cache/seqkeras/wakeword/<keyword>-train-...``)
            whose clips are added to training as all-negative clips; a clip with a segment
            that mentions this keyword is dropped. More synthesized non-keyword speech
            without synthesizing it again (BENCHMARKS.md, "Other keywords' clips as
            negatives").
        kokoro_voices, kokoro_keyword_voices: Kokoro speakers (base voices and blends of
            its training voices) speaking negatives / the keyword in training; the
            protocol's test split samples a quarter of these from the held-out voices.
        blend_fraction: share of those speakers that are blends of 2-3 base voices.
        real_speech_fraction: share of the training clips' negatives that are real
            recordings of people (WUW-II and Asterisk speech the real-speech benchmark
            never uses; ``real_speech.real_negatives``).
        reverb_probability: chance an inserted training utterance is heard in a room
            (synthetic impulse response, RT60 0.15-0.8 s).
        lowpass_probability: chance an inserted training utterance is band-limited at
            3-5.5 kHz (telephones, cheap microphones; the real negatives are 8 kHz
            telephone speech, so band limiting must not be a cue for "no keyword").
        background_probability: chance a clip mixes real background audio (else
            coloured noise only; 0 skips reading the background files).
        seed: data and initialization seed.
    """

    keyword: str = "activate"
    model: str = "streaming"
    filters: int = STREAMING_FILTERS
    kernel_size: int = STREAMING_KERNEL
    units: int = STREAMING_UNITS
    cell: str = "gru"
    dropout: float = STREAMING_DROPOUT
    conv_layers: int = STREAMING_CONV_LAYERS
    train_clips: int = 2000
    val_clips: int = 100
    clip_seconds: float = 10.0
    voices_per_engine: int = 40
    negatives_per_voice: int = 12
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 3e-3
    lr_schedule: str = "constant"
    final_lr_fraction: float = 0.05
    average_from_epoch: int = 0
    loss: str = "weighted"
    positive_weight: float = 3.0
    focal_alpha: float = 0.5
    focal_gamma: float = 2.0
    time_masks: int = 2
    time_mask_frames: int = 8
    freq_masks: int = 2
    freq_mask_bins: int = 5
    frequency_warp: float = 0.0
    ones_steps: int = 50
    hard_negative_fraction: float = 0.7
    max_negatives: int = 6
    sentences_per_voice: int = 1
    sentence_fraction: float = 0.3
    train_engines: tuple[str, ...] | None = None
    negative_datasets: tuple[str, ...] = ()
    kokoro_voices: int = 60
    kokoro_keyword_voices: int = 200
    blend_fraction: float = 0.6
    real_speech_fraction: float = 0.3
    reverb_probability: float = 0.3
    lowpass_probability: float = 0.25
    background_probability: float = 0.9
    seed: int = 0

    def __post_init__(self) -> None:
        if self.model not in list_models():
            raise ValueError(f"model must be one of {list_models()}, got {self.model!r}")
        if self.cell not in list_cells():
            raise ValueError(f"cell must be one of {list_cells()}, got {self.cell!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"lr_schedule must be one of {list(LR_SCHEDULES)}, got {self.lr_schedule!r}"
            )
        if not 0.0 < self.final_lr_fraction <= 1.0:
            raise ValueError(
                f"final_lr_fraction must be in (0, 1], got {self.final_lr_fraction!r}"
            )
        if not 0.0 <= self.frequency_warp < 0.5:
            raise ValueError(f"frequency_warp must be in [0, 0.5), got {self.frequency_warp!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {list_losses()}, got {self.loss!r}")
        for name in (
            "train_clips",
            "epochs",
            "batch_size",
            "ones_steps",
            "filters",
            "units",
            "kernel_size",
            "conv_layers",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        check_non_negative(
            self,
            (
                "val_clips",
                "time_masks",
                "time_mask_frames",
                "freq_masks",
                "freq_mask_bins",
                "max_negatives",
                "sentences_per_voice",
                "kokoro_voices",
                "kokoro_keyword_voices",
                "average_from_epoch",
            ),
        )
        check_fractions(
            self,
            (
                "blend_fraction",
                "real_speech_fraction",
                "reverb_probability",
                "lowpass_probability",
                "sentence_fraction",
                "hard_negative_fraction",
            ),
        )
        if not self.sentences_per_voice:
            # No sentence is synthesized: none can be mixed in (stored as off).
            object.__setattr__(self, "sentence_fraction", 0.0)
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if self.train_engines is not None:
            from seqkeras.audio.synth import list_engines

            if isinstance(self.train_engines, str) or not self.train_engines:
                raise ValueError(
                    f"train_engines must be a non-empty sequence of engine names, "
                    f"got {self.train_engines!r}"
                )
            unknown = sorted(set(self.train_engines) - set(list_engines()))
            if unknown:
                raise ValueError(
                    f"train_engines: unknown TTS engine(s) {unknown}; choose from {list_engines()}"
                )
            object.__setattr__(self, "train_engines", tuple(self.train_engines))
        if isinstance(self.negative_datasets, str):
            raise ValueError(
                f"negative_datasets must be a sequence of dataset folders, got {self.negative_datasets!r}"
            )
        object.__setattr__(self, "negative_datasets", tuple(str(f) for f in self.negative_datasets))
        if not self.clip_seconds >= 1.0:
            raise ValueError(f"clip_seconds must be >= 1, got {self.clip_seconds!r}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def identity(self) -> dict[str, Any]:
        """:meth:`to_dict` without the epoch count: what a checkpoint must match to resume
        (``negative_datasets`` only when given, so runs from before the field resume)."""
        values = {k: v for k, v in self.to_dict().items() if k not in NOT_IDENTITY}
        if not values["negative_datasets"]:
            del values["negative_datasets"]
        return values

    @classmethod
    def for_model(cls, model: str = "streaming", **values: Any) -> TrainConfig:
        """A config for ``model`` with that model's defaults (``MODEL_DEFAULTS``) under
        the given ``values``: ``TrainConfig.for_model("embedding", keyword="jarvis")``.
        The ``seqkeras wakeword train`` command builds its config this way."""
        return cls(**{**MODEL_DEFAULTS.get(model, {}), **values, "model": model})

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown training config keys {unknown}; expected some of {sorted(known)}"
            )
        return cls(**dict(values))

    def data_config(self) -> Any:
        """The ``WakewordDataConfig`` of this run's protocol (test split and negative stream;
        labels on this model's output grid)."""
        from seqkeras.wakeword.data_config import KOKORO, WakewordDataConfig

        return WakewordDataConfig(
            keyword=self.keyword,
            clip_seconds=self.clip_seconds,
            voices_per_engine=self.voices_per_engine,
            negatives_per_voice=self.negatives_per_voice,
            engine_voices=((KOKORO, self.kokoro_voices, self.kokoro_keyword_voices),),
            blend_fraction=self.blend_fraction,
            real_background_probability=self.background_probability,
            # the embedding model trains on the streaming model's clips (same cache):
            # its labels come from label_grid()
            labels=label_config(
                "streaming" if self.uses_speech_embedding else self.model,
                ones_steps=self.ones_steps,
            ),
        )

    @property
    def uses_speech_embedding(self) -> bool:
        """The model reads the speech-embedding front end, not log-mel frames."""
        from seqkeras.wakeword.models import EMBEDDING_MODELS

        return self.model in EMBEDDING_MODELS

    def label_grid(self) -> Any:
        """The ``LabelConfig`` of this run's model output (``models.label_config``)."""
        return label_config(self.model, ones_steps=self.ones_steps)

    def training_data_config(self) -> Any:
        """``data_config()`` with this run's near-miss share, negative count, sentences,
        real speech, augmentation and engines (train and val splits)."""
        config = dataclasses.replace(
            self.data_config(),
            hard_negative_fraction=self.hard_negative_fraction,
            max_negatives=self.max_negatives,
            sentences_per_voice=self.sentences_per_voice,
            sentence_fraction=self.sentence_fraction,
            real_speech_fraction=self.real_speech_fraction,
            reverb_probability=self.reverb_probability,
            lowpass_probability=self.lowpass_probability,
        )
        if self.train_engines is not None:
            config = dataclasses.replace(config, train_engines=self.train_engines)
        return config

    def model_kwargs(self) -> dict[str, Any]:
        if self.model == "streaming":
            return {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "units": self.units,
                "cell": self.cell,
                "dropout": self.dropout,
                "conv_layers": self.conv_layers,
            }
        return {"units": self.units, "dropout": self.dropout}
