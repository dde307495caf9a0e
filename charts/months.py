"""Month labels in Norwegian bokmål and English, without the system's locales.

Servers rarely have the ``nb_NO`` locale installed, and ``locale.setlocale`` is
process-global (not safe in a threaded web server), so the names are spelt out here.
Bokmål abbreviations follow the Unicode CLDR (``jan.``, ``feb.``, ``mai``, ``des.``).
"""

from __future__ import annotations

import datetime as _dt
from typing import Iterable

_NAMES = {
    "nb": (
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_ABBREVIATIONS = {
    "nb": ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "des."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_ALIASES = {
    "nb": "nb",
    "no": "nb",
    "nn": "nb",
    "nb_no": "nb",
    "nb-no": "nb",
    "en": "en",
    "en_gb": "en",
    "en-gb": "en",
    "en_us": "en",
    "en-us": "en",
}

STYLES = ("short", "long", "month", "month_long", "compact")


def _language(locale: str) -> str:
    key = (locale or "").strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    base = key.replace("-", "_").split("_")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    raise ValueError(f"unsupported locale {locale!r}; use 'nb' or 'en'")


def month_label(date: _dt.date, locale: str = "nb", style: str = "short") -> str:
    """The label of the month that ``date`` falls in.

    Styles: ``short`` "jan. 2026" / "Jan 2026"; ``long`` "januar 2026" / "January 2026";
    ``month`` "jan." / "Jan"; ``month_long`` "januar" / "January";
    ``compact`` "jan. 26" / "Jan 26".
    """
    lang = _language(locale)
    m = date.month - 1
    if style == "short":
        return f"{_ABBREVIATIONS[lang][m]} {date.year}"
    if style == "long":
        return f"{_NAMES[lang][m]} {date.year}"
    if style == "month":
        return _ABBREVIATIONS[lang][m]
    if style == "month_long":
        return _NAMES[lang][m]
    if style == "compact":
        return f"{_ABBREVIATIONS[lang][m]} {date.year % 100:02d}"
    raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")


def month_labels(dates: Iterable[_dt.date], locale: str = "nb", style: str = "short") -> tuple[str, ...]:
    """``month_label`` for each date."""
    return tuple(month_label(d, locale, style) for d in dates)


def period_range(start: _dt.date, count: int) -> tuple[_dt.date, ...]:
    """``count`` consecutive months, as first days, starting with the month of ``start``."""
    out = []
    y, m = start.year, start.month
    for _ in range(count):
        out.append(_dt.date(y, m, 1))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return tuple(out)
