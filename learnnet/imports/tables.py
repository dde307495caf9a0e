"""Measurement tables as files: reading CSV and XLSX uploads, writing CSV and XLSX downloads.

Only the file formats live here; what the rows mean is decided in :mod:`learnnet.imports.services`.
CSV is read with the ``csv`` module: ``;`` or ``,`` as delimiter (Norwegian Excel writes ``;``),
UTF-8 with or without a byte-order mark (Windows-1252, which older Excel writes, as a fallback).
XLSX is read with openpyxl in read-only mode and written in write-only mode, so a file of 50,000
rows never holds a whole workbook of cell objects in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

log = logging.getLogger(__name__)

# The template's columns, in order.
COLUMNS = ("team", "measure_code", "month", "numerator", "denominator", "value", "comment")
REQUIRED = ("measure_code", "month")
# What the pages call each column (a row's problems name the column they are in).
COLUMN_LABELS = {
    "team": _l("Team"),
    "measure_code": _l("Measure code"),
    "month": _l("Month"),
    "numerator": _l("Numerator"),
    "denominator": _l("Denominator"),
    "value": _l("Value"),
    "comment": _l("Comment"),
}
# Headings accepted for each column (compared in lower case), so a sheet with Norwegian
# headings is read as well.
ALIASES = {
    "team": ("team", "team_id", "lag"),
    "measure_code": ("measure_code", "measure", "code", "kode", "målekode", "indikator"),
    "month": ("month", "period", "måned", "periode"),
    "numerator": ("numerator", "teller"),
    "denominator": ("denominator", "nevner"),
    "value": ("value", "verdi"),
    "comment": ("comment", "kommentar"),
}
_HEADING = {alias: column for column, names in ALIASES.items() for alias in names}

XLSX_MAGIC = b"PK\x03\x04"
# Rows above the heading (a title, a note) looked through for it.
TITLE_ROWS = 5


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class RawRow:
    """One data row: its number as a spreadsheet shows it (the heading is row 1) and its cells."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[RawRow]
    # The heading's row number (blank rows above it count, as a spreadsheet counts them).
    heading_row: int = 1


def read_table(filename: str, content: bytes) -> Table:
    """Read an uploaded CSV or XLSX file into rows keyed by column name."""
    if content.startswith(XLSX_MAGIC):
        lines = _xlsx_lines(content)
    elif filename.lower().endswith(".xlsx"):
        raise FileProblem(str(_l("The file is not a readable Excel (XLSX) file.")))
    else:
        lines = _csv_lines(content)
    return _table(lines)


def to_csv(table: Table) -> bytes:
    """The table as CSV that :func:`read_table` reads back to the same cells and row numbers.

    An upload is kept in this form between preview and commit, so an XLSX file is parsed once.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for _ in range(table.heading_row - 1):
        writer.writerow([])
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_kept(row.cells[c]) for c in table.columns])
    return out.getvalue().encode("utf-8")


def _kept(cell: Any) -> str:
    # Written as the readers of cells would see them: whole floats as whole numbers, dates as text.
    if cell is None:
        return ""
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return str(cell)


def _positions(heading: Sequence[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(heading):
        name = _HEADING.get(str(cell or "").strip().lstrip("\ufeff").lower())
        if name and name not in positions:
            positions[name] = index
    return positions


def _table(lines: _Numbered) -> Table:
    # The heading is the first row that names the columns; a sheet often has a title above it
    # (a merged cell in Excel), which is passed over as a spreadsheet's blank rows are.
    first: dict[str, int] | None = None
    passed = 0
    for line in lines:
        if all(_blank(cell) for cell in line):
            continue
        positions = _positions(line)
        if all(column in positions for column in REQUIRED):
            break
        if first is None:
            first = positions
        passed += 1
        if passed == TITLE_ROWS:
            positions = first
            break
    else:
        if first is None:
            raise FileProblem(str(_l("The file is empty.")))
        positions = first
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise FileProblem(
            str(
                _l(
                    "The first row must name the columns; missing: %(columns)s. Download the template to see them.",
                    columns=", ".join(missing),
                )
            )
        )
    rows = []
    # Empty rows are kept only between rows with something in them. Excel often saves a sheet
    # down to its last formatted row: a million empty lines after the data are not the file's.
    first_empty = None  # the first of the empty rows since the last row with something in it
    heading_row = lines.heading_number
    for number, line in enumerate(lines, start=heading_row + 1):
        cells = {name: (line[i] if i < len(line) else None) for name, i in positions.items()}
        if all(_blank(cell) for cell in cells.values()):
            if first_empty is None:
                first_empty = number
            continue
        if first_empty is not None:
            rows += [RawRow(n, dict.fromkeys(positions)) for n in range(first_empty, number)]
            first_empty = None
        rows.append(RawRow(number, cells))
    return Table(tuple(positions), rows, heading_row)


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class _Numbered:
    """Iterates lines and remembers the number of the last line given out."""

    def __init__(self, lines: Iterable[Sequence[Any]]):
        self._lines = iter(lines)
        self.heading_number = 0

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self._lines)
        self.heading_number += 1
        return line


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise FileProblem(
            str(_l("The file is not a readable text (CSV) file. Save it as CSV UTF-8 or XLSX."))
        ) from None


def _csv_lines(content: bytes) -> _Numbered:
    text = _decode(content)
    if "\x00" in text:
        raise FileProblem(
            str(_l("The file is not a readable text (CSV) file. Save it as CSV UTF-8 or XLSX."))
        )
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _Numbered(_guard_csv(reader))


def _guard_csv(reader) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as error:
        raise FileProblem(str(_l("The CSV file could not be read: %(error)s", error=str(error)))) from error


_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError)


def _unreadable_xlsx(error: Exception) -> FileProblem:
    log.info("unreadable xlsx upload: %r", error)
    return FileProblem(str(_l("The file is not a readable Excel (XLSX) file.")))


def _xlsx_lines(content: bytes) -> _Numbered:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not keep; the data is unaffected.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook["Data"] if "Data" in workbook.sheetnames else workbook.worksheets[0]
    except _XLSX_ERRORS as error:
        raise _unreadable_xlsx(error) from error
    return _Numbered(_xlsx_rows(workbook, sheet))


def _xlsx_rows(workbook, sheet) -> Iterator[tuple]:
    """The sheet's rows one by one, as they are read: a sheet formatted down to its last row is
    never held in memory whole."""
    try:
        for row in sheet.iter_rows(values_only=True):
            yield tuple(row)
    except _XLSX_ERRORS as error:
        raise _unreadable_xlsx(error) from error
    finally:
        workbook.close()


# --------------------------------------------------------------------------- writing
def write_csv(rows: Iterable[Sequence[Any]], *, excel_nb: bool = False) -> bytes:
    """CSV of ``rows`` (heading first): plain ``,`` and ``.``; or, for Norwegian Excel, ``;``,
    decimal commas and a byte-order mark so Excel reads it as UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if excel_nb else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(cell, excel_nb) for cell in row])
    text = out.getvalue()
    return (("\ufeff" + text) if excel_nb else text).encode("utf-8")


def _csv_cell(cell: Any, excel_nb: bool) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, float):
        text = repr(cell)
        return text.replace(".", ",") if excel_nb else text
    return cell


def write_xlsx(sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """An XLSX workbook with one sheet per ``(title, rows)``; each sheet's first row in bold."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for index, row in enumerate(rows):
            if index == 0:
                heading = []
                for name in row:
                    cell = WriteOnlyCell(sheet, value=name)
                    cell.font = bold
                    heading.append(cell)
                sheet.append(heading)
            else:
                sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def month_text(period: dt.date) -> str:
    return period.strftime("%Y-%m")
