"""Beam-search error analysis (course 3.5): is a dev-set error the search's (B) or the model's (R)?

For every example whose output ŷ differs from the reference y*, compare the
search objective of both under the same model and the same normalization:

* objective(y*) > objective(ŷ): the model prefers y*, yet the search returned
  ŷ — beam search is at fault ("B");
* objective(y*) <= objective(ŷ): the model itself prefers ŷ — the RNN model is
  at fault ("R").

The objective is ``normalized_score(Σ log P, Ty, alpha, length_penalty)`` with
Ty = len(y) + 1 (the end token counts), as in `beam_search`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .beam_search import beam_search, length_penalty_value
from .scoring import score_sequences

SEARCH = "B"
MODEL = "R"


@dataclasses.dataclass
class ErrorRow:
    """One dev-set error: the reference, the output and their objectives."""

    index: int
    reference: list[int]
    hypothesis: list[int]
    log_prob_reference: float
    log_prob_hypothesis: float
    objective_reference: float
    objective_hypothesis: float
    attribution: str  # "B" (search) or "R" (model)


@dataclasses.dataclass
class ErrorAnalysis:
    """The result of `beam_error_analysis`.

    Attributes:
        rows: one `ErrorRow` per example whose output differs from the reference.
        num_examples: examples looked at (errors or not).
        fraction_search: fraction of errors attributed to the search ("B").
        fraction_model: fraction of errors attributed to the model ("R").
        beam_width, alpha, length_penalty: the settings analysed.
    """

    rows: list[ErrorRow]
    num_examples: int
    beam_width: int
    alpha: float
    length_penalty: str | None

    @property
    def num_errors(self) -> int:
        return len(self.rows)

    @property
    def fraction_search(self) -> float:
        return sum(r.attribution == SEARCH for r in self.rows) / max(self.num_errors, 1)

    @property
    def fraction_model(self) -> float:
        return sum(r.attribution == MODEL for r in self.rows) / max(self.num_errors, 1)

    @property
    def advice(self) -> str:
        """What to work on, from the fractions (course 3.5)."""
        if not self.rows:
            return "No errors: the outputs equal the references."
        if self.fraction_search > self.fraction_model:
            return (
                f"Beam search is at fault for {self.fraction_search:.0%} of the errors: "
                f"increase the beam width (now {self.beam_width})."
            )
        return (
            f"The model is at fault for {self.fraction_model:.0%} of the errors: a wider "
            "beam will not help; improve the model (regularization, more data, another "
            "architecture)."
        )

    def format_table(
        self, detokenize: Callable[[Sequence[int]], str] | None = None, max_rows: int = 20
    ) -> str:
        """A text table of the errors plus the fractions and the advice."""
        show = detokenize or (lambda ids: " ".join(map(str, ids)))

        def clip(text: str, width: int = 30) -> str:
            return text if len(text) <= width else text[: width - 1] + "…"

        lines = [
            f"{'#':>5}  {'reference y*':<30}  {'output ŷ':<30}  "
            f"{'obj(y*)':>9}  {'obj(ŷ)':>9}  fault"
        ]
        for row in self.rows[:max_rows]:
            lines.append(
                f"{row.index:>5}  {clip(show(row.reference)):<30}  "
                f"{clip(show(row.hypothesis)):<30}  {row.objective_reference:>9.4f}  "
                f"{row.objective_hypothesis:>9.4f}  {row.attribution}"
            )
        if self.num_errors > max_rows:
            lines.append(f"... {self.num_errors - max_rows} more errors")
        lines.append(
            f"errors: {self.num_errors}/{self.num_examples}  "
            f"B (search): {self.fraction_search:.1%}  R (model): {self.fraction_model:.1%}  "
            f"[beam {self.beam_width}, alpha {self.alpha}, penalty {self.length_penalty}]"
        )
        lines.append(self.advice)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary and rows."""
        return {
            "num_examples": self.num_examples,
            "num_errors": self.num_errors,
            "fraction_search": self.fraction_search,
            "fraction_model": self.fraction_model,
            "beam_width": self.beam_width,
            "alpha": self.alpha,
            "length_penalty": self.length_penalty,
            "advice": self.advice,
            "rows": [dataclasses.asdict(r) for r in self.rows],
        }


def _objective(total: np.ndarray, lengths: np.ndarray, alpha: float, penalty: str | None):
    return np.asarray(total, "float64") / np.asarray(
        length_penalty_value(np.asarray(lengths), alpha, penalty), "float64"
    )


def _batches(dataset: Iterable[tuple[Any, Sequence[int]]], size: int):
    batch: list = []
    for item in dataset:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ValueError(
                "dataset must yield (source, reference_token_ids) pairs; got "
                f"{type(item).__name__}"
            )
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def beam_error_analysis(
    score_fn: Callable[[list, list[list[int]]], Sequence[float]],
    decode_fn: Callable[..., list[list[int]]],
    dataset: Iterable[tuple[Any, Sequence[int]]],
    beam_width: int = 3,
    alpha: float = 0.7,
    length_penalty: str | None = "course",
    batch_size: int = 32,
) -> ErrorAnalysis:
    """Attributes each dev-set error to the search (B) or the model (R).

    Args:
        score_fn: ``score_fn(sources, targets) -> (n,)`` Σ log P(y, </s> | x)
            for each target token list (no end token in ``targets``; the
            probability of the end token is included in the sum). A model's
            ``score`` method usually fits; `search_fns` builds one from a
            ``next_fn``.
        decode_fn: ``decode_fn(sources, beam_width=, alpha=, length_penalty=)``
            -> list of output token lists (no end token).
        dataset: iterable of ``(source, reference_token_ids)`` pairs (one
            example each; ``source`` is whatever ``score_fn``/``decode_fn`` take
            in a list).
        beam_width, alpha, length_penalty: the search settings under analysis;
            the same normalization ranks y* and ŷ.
        batch_size: examples per call of ``score_fn`` / ``decode_fn``.

    Returns:
        `ErrorAnalysis` with per-error rows, the B/R fractions, a text table
        (``format_table()``) and ``advice``.
    """
    if not isinstance(beam_width, int) or beam_width < 1:
        raise ValueError(f"beam_width must be an int >= 1, got {beam_width!r}")
    if float(alpha) < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    length_penalty_value(1, alpha, length_penalty)  # validates the name
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    rows: list[ErrorRow] = []
    count = 0
    for batch in _batches(dataset, batch_size):
        sources = [x for x, _ in batch]
        references = [[int(v) for v in y] for _, y in batch]
        outputs = decode_fn(
            sources, beam_width=beam_width, alpha=alpha, length_penalty=length_penalty
        )
        outputs = [[int(v) for v in y] for y in outputs]
        if len(outputs) != len(batch):
            raise ValueError(
                f"decode_fn returned {len(outputs)} outputs for {len(batch)} sources"
            )
        wrong = [i for i in range(len(batch)) if outputs[i] != references[i]]
        if wrong:
            srcs = [sources[i] for i in wrong]
            ref_lp = np.asarray(score_fn(srcs, [references[i] for i in wrong]), "float64")
            hyp_lp = np.asarray(score_fn(srcs, [outputs[i] for i in wrong]), "float64")
            if ref_lp.shape != (len(wrong),) or hyp_lp.shape != (len(wrong),):
                raise ValueError(
                    f"score_fn must return one log-probability per target ({len(wrong)}), "
                    f"got shapes {ref_lp.shape} and {hyp_lp.shape}"
                )
            ref_len = np.array([len(references[i]) + 1 for i in wrong])
            hyp_len = np.array([len(outputs[i]) + 1 for i in wrong])
            ref_obj = _objective(ref_lp, ref_len, alpha, length_penalty)
            hyp_obj = _objective(hyp_lp, hyp_len, alpha, length_penalty)
            for j, i in enumerate(wrong):
                rows.append(
                    ErrorRow(
                        index=count + i,
                        reference=references[i],
                        hypothesis=outputs[i],
                        log_prob_reference=float(ref_lp[j]),
                        log_prob_hypothesis=float(hyp_lp[j]),
                        objective_reference=float(ref_obj[j]),
                        objective_hypothesis=float(hyp_obj[j]),
                        attribution=SEARCH if ref_obj[j] > hyp_obj[j] else MODEL,
                    )
                )
        count += len(batch)
    if count == 0:
        raise ValueError("dataset is empty")
    return ErrorAnalysis(rows, count, beam_width, float(alpha), length_penalty)


def search_fns(
    make_search: Callable[[list], tuple[Callable, Any]],
    start_token: Any,
    end_token: int,
    max_length: int,
) -> tuple[Callable, Callable]:
    """Builds ``(score_fn, decode_fn)`` for `beam_error_analysis` from a decoder.

    Args:
        make_search: ``make_search(sources) -> (next_fn, initial_state)`` for a
            list of sources (for a Seq2Seq model: run the encoder, return the
            decoder step function and its initial state).
        start_token, end_token, max_length: as in `beam_search`.

    Returns:
        ``score_fn`` (teacher-forced Σ log P through `score_sequences`) and
        ``decode_fn`` (`beam_search`, best hypothesis, end token removed).
    """

    def score_fn(sources, targets):
        next_fn, state = make_search(sources)
        totals, _, _ = score_sequences(next_fn, state, start_token, end_token, targets)
        return totals

    def decode_fn(sources, beam_width, alpha, length_penalty):
        next_fn, state = make_search(sources)
        result = beam_search(
            next_fn, state, start_token, end_token, beam_width=beam_width,
            max_length=max_length, alpha=alpha, length_penalty=length_penalty,
        )
        return [hyps[0] for hyps in result.to_lists(include_end=False)]

    return score_fn, decode_fn
