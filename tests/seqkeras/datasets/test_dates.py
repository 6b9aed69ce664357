"""Generated date pairs: every human string is a true rendering of its ISO date."""

import datetime

import babel.dates as babel_dates
import faker  # noqa: F401
import pytest

from seqkeras.datasets.dates import (  # noqa: E402
    END,
    START,
    date_styles,
    format_human,
    generate_dates,
)


def test_week_based_year_trap_is_avoided():
    # babel's YYY would say 2019 for this date; the dataset uses y.
    assert format_human(datetime.date(2018, 12, 31), "en_US", "d MMMM y") == "31 December 2018"
    assert babel_dates.format_date(datetime.date(2018, 12, 31), "YYYY", locale="en_US") == "2019"
    with pytest.raises(ValueError, match="week-based"):
        format_human(datetime.date(2018, 12, 31), "en_US", "d MMMM YYYY")
    assert not any("Y" in style for _, style in date_styles())


def test_pairs_are_consistent_with_an_independent_rendering():
    pairs = generate_dates(300, seed=5)
    styles = date_styles()
    assert len({loc for loc, _ in styles}) >= 6
    for human, iso in pairs:
        date = datetime.date.fromisoformat(iso)
        assert START <= date <= END
        # some (locale, style) renders exactly this string
        renders = {babel_dates.format_date(date, style, locale=loc) for loc, style in styles}
        assert human in renders, (human, iso)
        assert str(date.year) in human  # four-digit year, never two digits


def test_seeded_and_held_out_sets_do_not_overlap():
    a = generate_dates(200, seed=1)
    assert a == generate_dates(200, seed=1)
    b = generate_dates(200, seed=2, exclude={h for h, _ in a})
    assert not {h for h, _ in a} & {h for h, _ in b}
    with pytest.raises(ValueError, match="count"):
        generate_dates(-1)
