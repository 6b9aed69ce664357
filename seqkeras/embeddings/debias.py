"""Debiasing word vectors (course 2.10; Bolukbasi et al. 2016, "Man is to Computer
Programmer as Woman is to Homemaker?").

1. ``bias_direction``: the bias direction g, from definitional pairs (she − he,
   woman − man, ...): their mean difference (the course) or the first principal
   component of the pairs' centred vectors (the paper).
2. ``neutralize``: remove the component along g from every word that should be neutral
   (e − (e·g/‖g‖²) g, so e·g = 0).
3. ``equalize``: move each pair that should differ only by the bias (grandmother,
   grandfather) to two points symmetric about the subspace g⊥, so a neutral word is
   equally similar to both. Two formulas: the course's (``variant="course"``) and the
   paper's for unit vectors (``variant="bolukbasi"``, results have length 1).
4. ``debias``: the whole procedure over a ``KeyedVectors`` with a report that shows its
   effect (projections of profession words on g, similarities of equalized pairs to
   neutral words, before and after).

Word lists: ``DEFINITIONAL_PAIRS`` are the paper's ten pairs; ``EQUALIZE_PAIRS`` and
``GENDER_SPECIFIC_WORDS`` are single-word lower-case lists in the spirit of the paper's
(its full lists were learned by a classifier over word2vec's vocabulary and hold
phrases such as ``twin_brother``); pass your own for other vocabularies or biases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .keyed_vectors import KeyedVectors

BIAS_METHODS = ("mean", "pca")
EQUALIZE_VARIANTS = ("course", "bolukbasi")

DEFINITIONAL_PAIRS: tuple[tuple[str, str], ...] = (
    ("woman", "man"), ("girl", "boy"), ("she", "he"), ("mother", "father"),
    ("daughter", "son"), ("gal", "guy"), ("female", "male"), ("her", "his"),
    ("herself", "himself"), ("mary", "john"),
)  # fmt: skip

EQUALIZE_PAIRS: tuple[tuple[str, str], ...] = (
    ("monastery", "convent"), ("spokesman", "spokeswoman"), ("priest", "nun"), ("dad", "mom"),
    ("men", "women"), ("councilman", "councilwoman"), ("grandpa", "grandma"),
    ("grandsons", "granddaughters"), ("testosterone", "estrogen"), ("uncle", "aunt"),
    ("husbands", "wives"), ("father", "mother"), ("he", "she"), ("boy", "girl"),
    ("boys", "girls"), ("brother", "sister"), ("brothers", "sisters"),
    ("businessman", "businesswoman"), ("chairman", "chairwoman"), ("colt", "filly"),
    ("congressman", "congresswoman"), ("dads", "moms"), ("dudes", "gals"),
    ("fatherhood", "motherhood"), ("fathers", "mothers"), ("fraternity", "sorority"),
    ("gelding", "mare"), ("gentleman", "lady"), ("gentlemen", "ladies"),
    ("grandfather", "grandmother"), ("grandson", "granddaughter"), ("himself", "herself"),
    ("his", "her"), ("king", "queen"), ("kings", "queens"), ("male", "female"),
    ("males", "females"), ("man", "woman"), ("nephew", "niece"), ("prince", "princess"),
    ("schoolboy", "schoolgirl"), ("son", "daughter"), ("sons", "daughters"),
    ("actor", "actress"), ("boyhood", "girlhood"), ("waiter", "waitress"),
)  # fmt: skip

GENDER_SPECIFIC_WORDS: tuple[str, ...] = tuple(
    sorted(
        {w for pair in DEFINITIONAL_PAIRS + EQUALIZE_PAIRS for w in pair}
        | set(
            "actresses actors aunts bachelor ballerina baritone beard bride brides bridegroom "
            "brotherhood congressmen countrymen daughters duke dukes earl emperor empress "
            "fiance fiancee firemen fraternal gals girlfriend girlfriends godfather groom "
            "grooms hers heroine housewife housewives husband kings ladies lady lesbian "
            "lord lords maid maiden maids manhood masculine matriarch mistress monk monks "
            "mr mrs ms nun nuns patriarch paternal maternal pregnancy pregnant princes "
            "queens salesman salesmen schoolgirls sisterhood sorority spokesmen statesman "
            "stepdaughter stepfather stepmother stepson suitor uncles widow widower wife "
            "witch womanhood boyfriend boyfriends feminine feminism girlhood heiress heir "
            "hostess host".split()
        )
    )
)

PROFESSION_WORDS: tuple[str, ...] = (
    "receptionist", "nurse", "homemaker", "housekeeper", "librarian", "hairdresser", "nanny",
    "stylist", "dancer", "secretary", "babysitter", "teacher", "doctor", "engineer",
    "programmer", "architect", "captain", "warrior", "boss", "surgeon", "scientist",
    "carpenter", "mechanic", "pilot", "lawyer", "philosopher", "technician", "manager",
    "professor", "president",
)  # fmt: skip

NEUTRAL_PROBES: tuple[str, ...] = (
    "babysitter",
    "doctor",
    "receptionist",
    "engineer",
    "nurse",
    "programmer",
)


# ------------------------------------------------------------------- the three steps
def bias_direction(
    kv: KeyedVectors, pairs: Sequence[tuple[str, str]] = DEFINITIONAL_PAIRS, method: str = "pca"
) -> np.ndarray:
    """The unit bias direction g from definitional pairs (first word − second word).

    Args:
        kv: the vectors.
        pairs: e.g. ``[("woman", "man"), ("she", "he")]``; pairs with an unknown word
            are left out.
        method: ``"mean"``: the mean of e_a − e_b (course 2.10); ``"pca"``: the first
            principal component of each pair's vectors minus the pair's mean (the
            paper), signed to point like the mean difference.

    Raises:
        ValueError: unknown method, or no pair with both words known.
    """
    if method not in BIAS_METHODS:
        raise ValueError(f"method must be one of {BIAS_METHODS}; got {method!r}")
    known = [(a, b) for a, b in pairs if a in kv and b in kv]
    if not known:
        raise ValueError(f"none of the pairs {list(pairs)[:5]}... has both words in the vocabulary")
    first = np.stack([kv[a] for a, _ in known]).astype(np.float64)
    second = np.stack([kv[b] for _, b in known]).astype(np.float64)
    mean_difference = (first - second).mean(axis=0)
    if method == "mean":
        direction = mean_difference
    else:
        centre = (first + second) / 2
        centred = np.concatenate([first - centre, second - centre])
        direction = np.linalg.svd(centred, full_matrices=False)[2][0]
        if direction @ mean_difference < 0:
            direction = -direction
    norm = np.linalg.norm(direction)
    if norm == 0:
        raise ValueError("the pairs give a zero bias direction")
    return direction / norm


def _projection(e: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Component of ``e`` (``(d,)`` or ``(n, d)``) along g: (e·g/‖g‖²) g."""
    return np.multiply.outer(e @ g / (g @ g), g)


def neutralize(e: Any, g: Any) -> np.ndarray:
    """e − (e·g/‖g‖²) g: the part of ``e`` (one vector or rows) orthogonal to ``g``."""
    e = np.asarray(e, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    return e - _projection(e, g)


def equalize(e1: Any, e2: Any, g: Any, variant: str = "course") -> tuple[np.ndarray, np.ndarray]:
    """Moves a pair to two points symmetric about g⊥ that differ only along g.

    With μ = (e1 + e2)/2, μ_B = its projection on g, μ⊥ = μ − μ_B and e_iB the
    projection of e_i on g:

    - ``"course"`` (course 2.10): e_i' = μ⊥ + sqrt(|1 − ‖μ⊥‖²|)·(e_iB − μ_B)/‖e_i − μ⊥ − μ_B‖;
    - ``"bolukbasi"`` (the paper, for unit vectors): e_i' = μ⊥ + sqrt(1 − ‖μ⊥‖²)·
      (e_iB − μ_B)/‖e_iB − μ_B‖, which has length 1.

    Either way e1' and e2' share μ⊥ and have opposite bias parts of equal length, so
    every vector w ⊥ g has the same cosine with both.
    """
    if variant not in EQUALIZE_VARIANTS:
        raise ValueError(f"variant must be one of {EQUALIZE_VARIANTS}; got {variant!r}")
    e1 = np.asarray(e1, dtype=np.float64)
    e2 = np.asarray(e2, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    mu = (e1 + e2) / 2
    mu_b = _projection(mu, g)
    mu_orth = mu - mu_b
    scale = np.sqrt(abs(1.0 - mu_orth @ mu_orth))
    out = []
    for e in (e1, e2):
        e_b = _projection(e, g)
        if variant == "course":
            denominator = np.linalg.norm(e - mu_orth - mu_b)
        else:
            denominator = np.linalg.norm(e_b - mu_b)
        if denominator == 0:
            raise ValueError("the two vectors do not differ along g; nothing to equalize")
        out.append(mu_orth + scale * (e_b - mu_b) / denominator)
    return out[0], out[1]


# --------------------------------------------------------------------- whole procedure
@dataclass(frozen=True)
class DebiasReport:
    """What ``debias`` did, in numbers.

    Attributes:
        method, variant: how g was found and which equalize formula was used.
        direction_pairs: the definitional pairs used for g.
        projections_before / projections_after: cos(e_w, g) of each profession word.
        equalized: per equalized pair and neutral probe word: cos of each word of the
            pair with the probe, before and after.
        neutralized_words: how many words were neutralized.
        max_neutral_projection: max |cos(e_w, g)| over the neutralized words after.
        max_pair_difference: max over equalized pairs and neutral probes of
            |cos(e1', w) − cos(e2', w)| after.
    """

    method: str
    variant: str
    direction_pairs: list[tuple[str, str]]
    projections_before: dict[str, float]
    projections_after: dict[str, float]
    equalized: list[dict[str, Any]] = field(default_factory=list)
    neutralized_words: int = 0
    max_neutral_projection: float = 0.0
    max_pair_difference: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "variant": self.variant,
            "direction_pairs": [list(p) for p in self.direction_pairs],
            "projections_before": self.projections_before,
            "projections_after": self.projections_after,
            "equalized": self.equalized,
            "neutralized_words": self.neutralized_words,
            "max_neutral_projection": self.max_neutral_projection,
            "max_pair_difference": self.max_pair_difference,
        }

    def format(self, top: int = 10) -> str:
        """A readable summary table."""
        lines = [
            f"bias direction: {self.method} of {len(self.direction_pairs)} pairs; equalize: {self.variant}"
        ]
        lines.append(f"{'word':>15} {'cos(e,g) before':>16} {'after':>10}")
        ranked = sorted(self.projections_before, key=lambda w: -abs(self.projections_before[w]))
        for word in ranked[:top]:
            lines.append(
                f"{word:>15} {self.projections_before[word]:>16.4f} {self.projections_after[word]:>10.2e}"
            )
        lines.append(f"{'pair':>26} {'probe':>13} {'cos before':>18} {'cos after':>22}")
        for row in self.equalized[:top]:
            pair = f"{row['pair'][0]}/{row['pair'][1]}"
            before = f"{row['before'][0]:.4f}/{row['before'][1]:.4f}"
            after = f"{row['after'][0]:.6f}/{row['after'][1]:.6f}"
            lines.append(f"{pair:>26} {row['probe']:>13} {before:>18} {after:>22}")
        lines.append(
            f"neutralized {self.neutralized_words} words: max |cos(e,g)| = {self.max_neutral_projection:.2e}; "
            f"equalized pairs: max cosine gap to a neutral word = {self.max_pair_difference:.2e}"
        )
        return "\n".join(lines)


def _cosines(rows: np.ndarray, v: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    return rows @ v / (np.linalg.norm(rows, axis=-1) * np.linalg.norm(v) + 1e-300)


def debias(
    kv: KeyedVectors,
    gender_specific_words: Iterable[str] = GENDER_SPECIFIC_WORDS,
    equalize_pairs: Sequence[tuple[str, str]] = EQUALIZE_PAIRS,
    definitional_pairs: Sequence[tuple[str, str]] = DEFINITIONAL_PAIRS,
    method: str = "pca",
    variant: str = "bolukbasi",
    normalize: bool = True,
    profession_words: Sequence[str] = PROFESSION_WORDS,
    neutral_probes: Sequence[str] = NEUTRAL_PROBES,
    restrict_vocab: int | None = None,
) -> tuple[KeyedVectors, DebiasReport]:
    """Hard debiasing: neutralize every word that is not gender-specific, equalize the
    given pairs.

    Args:
        kv: the vectors.
        gender_specific_words: words left alone (their case is ignored); everything
            else is neutralized.
        equalize_pairs: pairs made symmetric about g⊥ (pairs with an unknown word are
            skipped).
        definitional_pairs: pairs that define g.
        method: ``bias_direction`` method.
        variant: ``equalize`` formula.
        normalize: scale every vector to unit length first (the paper does; the
            ``"bolukbasi"`` formula assumes it) and again after neutralizing.
        profession_words, neutral_probes: words the report measures.
        restrict_vocab: neutralize only the first words (the rest are copied as is).

    Returns:
        ``(new KeyedVectors, DebiasReport)``; ``kv`` is not modified.
    """
    vectors = np.array(kv.vectors, dtype=np.float64)
    if normalize:
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-300)
    working = KeyedVectors(kv.index_to_key, vectors)
    g = bias_direction(working, definitional_pairs, method)
    specific = {w.lower() for w in gender_specific_words}
    limit = len(kv) if restrict_vocab is None else min(int(restrict_vocab), len(kv))
    neutral_rows = np.array(
        [i for i, w in enumerate(kv.index_to_key[:limit]) if w.lower() not in specific],
        dtype=np.int64,
    )
    professions = [w for w in profession_words if w in kv and w.lower() not in specific]
    before = {w: float(_cosines(vectors[kv.index(w)], g)) for w in professions}
    probes = [w for w in neutral_probes if w in kv and w.lower() not in specific]
    pairs = [(a, b) for a, b in equalize_pairs if a in kv and b in kv]
    probe_before = {
        (a, b, p): (float(_cosines(vectors[kv.index(a)], vectors[kv.index(p)])),
                    float(_cosines(vectors[kv.index(b)], vectors[kv.index(p)])))
        for a, b in pairs for p in probes
    }  # fmt: skip

    if len(neutral_rows):
        vectors[neutral_rows] = neutralize(vectors[neutral_rows], g)
        if normalize:
            norms = np.linalg.norm(vectors[neutral_rows], axis=1, keepdims=True)
            vectors[neutral_rows] /= np.maximum(norms, 1e-300)
    for a, b in pairs:
        i, j = kv.index(a), kv.index(b)
        vectors[i], vectors[j] = equalize(vectors[i], vectors[j], g, variant)
    result = KeyedVectors(kv.index_to_key, vectors.astype(np.float32))

    final = result.vectors.astype(np.float64)
    after = {w: float(_cosines(final[result.index(w)], g)) for w in professions}
    equalized, gap = [], 0.0
    for (a, b, p), cos_before in probe_before.items():
        cos_after = (
            float(_cosines(final[result.index(a)], final[result.index(p)])),
            float(_cosines(final[result.index(b)], final[result.index(p)])),
        )
        gap = max(gap, abs(cos_after[0] - cos_after[1]))
        equalized.append(
            {"pair": [a, b], "probe": p, "before": list(cos_before), "after": list(cos_after)}
        )
    largest = float(np.abs(_cosines(final[neutral_rows], g)).max()) if len(neutral_rows) else 0.0
    report = DebiasReport(
        method, variant, [(a, b) for a, b in definitional_pairs if a in kv and b in kv], before, after,
        equalized, len(neutral_rows), largest, gap,
    )  # fmt: skip
    return result, report
