"""Reading one cell of an imported file: a count, a number with decimals, a month, a text.

A cell is what the CSV reader or openpyxl gives: a string, a number, a date, or nothing. Each
reader returns the value, or None for a blank cell, and raises ValueError with a message in the
user's language for a cell it cannot read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l

from learnnet.measurements.periods import parse_period


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _number_text(cell: Any) -> str:
    # Spaces (also no-break and narrow no-break) group thousands in Norwegian; a comma is decimal.
    return re.sub(r"[\s\u00a0\u202f]", "", str(cell)).replace(",", ".")


_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")


def parse_count(cell: Any) -> int | None:
    """A whole number from a cell; None when blank. Raises ValueError with a message."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool):
        raise ValueError(str(_l("Enter a whole number.")))
    if isinstance(cell, int):
        return cell
    if isinstance(cell, str) and cell.isascii() and cell.isdigit():
        return int(cell)
    if isinstance(cell, str) and _GROUPED.fullmatch(_number_text(cell)):
        # "1.000" is a thousand in Norwegian writing, "1,000" in English; a count is never 1.000.
        raise ValueError(str(_l("Write whole numbers without a separator: 1000, not 1.000 or 1,000.")))
    try:
        number = float(cell) if isinstance(cell, float) else float(_number_text(cell))
    except ValueError:
        raise ValueError(str(_l("Enter a whole number."))) from None
    if number != number or number in (float("inf"), float("-inf")) or not number.is_integer():
        raise ValueError(str(_l("Enter a whole number.")))
    return int(number)


def parse_decimal(cell: Any) -> float | None:
    """A number from a cell, with a decimal point or comma; None when blank."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool):
        raise ValueError(str(_l("Enter a number.")))
    if isinstance(cell, (int, float)):
        return float(cell)
    try:
        return float(cell.replace(",", ".")) if isinstance(cell, str) else float(cell)
    except ValueError:
        pass
    try:
        return float(_number_text(cell))
    except ValueError:
        raise ValueError(str(_l("Enter a number."))) from None


_DOTTED = re.compile(r"^(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})$")
# A month by name, as the app shows it ("jan. 2026", "januar 2026") and as Norwegian Excel writes a
# date cell to CSV ("jan.26"; English Excel: "Jan-26").
_NAMED = re.compile(r"^([a-zæøå]{3,9})\.?\s*[-.\s]?\s*(\d{4}|\d{2})$")
_MONTH_NAMES = (
    ("januar", "january"),
    ("februar", "february"),
    ("mars", "march"),
    ("april",),
    ("mai", "may"),
    ("juni", "june"),
    ("juli", "july"),
    ("august",),
    ("september",),
    ("oktober", "october"),
    ("november",),
    ("desember", "december"),
)


def _named_month(text: str) -> dt.date | None:
    named = _NAMED.match(text.casefold())
    if not named:
        return None
    word, year = named.group(1), named.group(2)
    for number, names in enumerate(_MONTH_NAMES, start=1):
        # The whole name or its first letters: "okt", "sept", "desember".
        if any(name.startswith(word) for name in names):
            return dt.date(int(year) + (2000 if len(year) == 2 else 0), number, 1)
    return None


def parse_month(cell: Any) -> dt.date | None:
    """The period of a cell: "2025-03", "2025-03-01", "03.2025", "01.03.2025", "mars 2025",
    "mar.25" or a date cell."""
    if isinstance(cell, dt.datetime):
        return cell.date().replace(day=1)
    if isinstance(cell, dt.date):
        return cell.replace(day=1)
    if isinstance(cell, (int, float)):
        return None
    text = str(cell or "").strip()
    named = _named_month(text)
    if named is not None:
        return named
    text = text.split(" ")[0].split("T")[0]
    period = parse_period(text)
    if period is not None:
        return period
    dotted = _DOTTED.match(text)
    if dotted:
        month, year = int(dotted.group(2)), int(dotted.group(3))
        if 1 <= month <= 12 and 1900 <= year <= 2200:
            return dt.date(year, month, 1)
    return None


def cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()
