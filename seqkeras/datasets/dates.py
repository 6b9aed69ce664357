"""Human-readable dates → ISO ``YYYY-MM-DD`` pairs, generated with Faker and babel.

Dates are drawn uniformly (Faker) between :data:`START` and :data:`END` and written
by ``babel.dates.format_date`` in several locales and patterns (course 3.8's date
normalization). Every pattern uses ``y`` for the year: babel's ``YYY`` is the
*week-based* year (2018-12-31 → "2019"). Two-digit years and locale-dependent
numeric orders (``01/02/2024``) are left out on purpose: they make the target
ambiguous, so no model could reach 100%.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from ._errors import missing_package

START = datetime.date(1900, 1, 1)
END = datetime.date(2099, 12, 31)
LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT")
# babel named formats (their CLDR patterns all spell the year with four digits).
NAMED_FORMATS = ("medium", "long", "full")
# Extra patterns: (locale or None for every locale, pattern). Numeric orders are tied to
# their separator — slashes are month/day/year, dots day.month.year — so a string has
# exactly one reading.
EXTRA_PATTERNS: tuple[tuple[str | None, str], ...] = (
    ("en_US", "M/d/y"),
    ("en_US", "MM/dd/y"),
    ("de_DE", "d.M.y"),
    ("de_DE", "dd.MM.y"),
    (None, "d MMM y"),
    (None, "d MMMM y"),
    ("en_US", "MMMM d y"),
    ("en_US", "EEE, MMM d, y"),
    (None, "y-MM-dd"),
)
ISO_FORMAT = "%Y-%m-%d"
TARGET_CHARACTERS = "0123456789-"


def _require() -> tuple:
    try:
        import babel.dates
        from faker import Faker
    except ImportError:  # pragma: no cover - depends on the environment
        raise missing_package(
            "faker or babel (date generation)", "pip install faker babel"
        ) from None
    return babel.dates, Faker


def date_styles(locales: Sequence[str] = LOCALES) -> list[tuple[str, str]]:
    """Every ``(locale, pattern or named format)`` the generator draws from."""
    styles = [(loc, fmt) for loc in locales for fmt in NAMED_FORMATS]
    for loc, pattern in EXTRA_PATTERNS:
        if loc is None:
            styles.extend((each, pattern) for each in locales)
        elif loc in locales:
            styles.append((loc, pattern))
    return styles


def format_human(date: datetime.date, locale: str, style: str) -> str:
    """``date`` written in ``locale`` with a babel named format or pattern."""
    babel_dates, _ = _require()
    if "Y" in style:
        raise ValueError(f"date pattern {style!r} uses 'Y' (week-based year); use 'y'")
    if "y" not in style and style not in NAMED_FORMATS:
        raise ValueError(f"date pattern {style!r} has no year field 'y'")
    return babel_dates.format_date(date, style, locale=locale)


def generate_dates(
    count: int,
    seed: int = 0,
    locales: Sequence[str] = LOCALES,
    exclude: set[str] | frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """``count`` pairs ``(human-readable date, "YYYY-MM-DD")``.

    Args:
        count: number of pairs.
        seed: seeds both the dates (Faker) and the choice of locale/pattern.
        locales: babel locales to write the dates in.
        exclude: human-readable strings to skip (e.g. the training set, for a
            held-out set with no overlap).
    """
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a non-negative int, got {count!r}")
    if not locales:
        raise ValueError("locales must not be empty")
    _, Faker = _require()
    fake = Faker()
    fake.seed_instance(seed)
    rng = random.Random(seed)
    styles = date_styles(locales)
    pairs: list[tuple[str, str]] = []
    attempts = 0
    while len(pairs) < count:
        attempts += 1
        if attempts > 20 * count + 1000:
            raise ValueError(f"could not generate {count} dates outside `exclude`")
        date = fake.date_between_dates(date_start=START, date_end=END)
        locale, style = rng.choice(styles)
        human = format_human(date, locale, style)
        if human in exclude:
            continue
        pairs.append((human, date.strftime(ISO_FORMAT)))
    return pairs
