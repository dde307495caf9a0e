import datetime as dt

import pytest

from charts.months import month_label, month_labels, period_range


@pytest.mark.parametrize(
    "locale,style,expected",
    [
        ("nb", "short", "jan. 2026"),
        ("en", "short", "Jan 2026"),
        ("nb", "long", "januar 2026"),
        ("en", "long", "January 2026"),
        ("nb", "month", "jan."),
        ("en", "month_long", "January"),
        ("nb", "compact", "jan. 26"),
        ("nb-NO", "short", "jan. 2026"),
        ("en_GB", "short", "Jan 2026"),
    ],
)
def test_month_label(locale, style, expected):
    assert month_label(dt.date(2026, 1, 15), locale, style) == expected


def test_bokmal_may_has_no_full_stop():
    assert month_labels(period_range(dt.date(2026, 4, 1), 3), "nb") == ("apr. 2026", "mai 2026", "jun. 2026")


def test_period_range_crosses_years():
    assert period_range(dt.date(2025, 11, 20), 3) == (
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    )


def test_all_months_differ():
    for loc in ("nb", "en"):
        labels = {month_label(dt.date(2026, m, 1), loc, "month") for m in range(1, 13)}
        assert len(labels) == 12


@pytest.mark.parametrize("locale,style", [("de", "short"), ("nb", "weird")])
def test_bad_arguments(locale, style):
    with pytest.raises(ValueError):
        month_label(dt.date(2026, 1, 1), locale, style)
