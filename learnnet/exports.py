"""Tables as CSV and XLSX downloads: the same rows the page shows, nothing more."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# A fixed creation time keeps an export of the same data the same file.
FIXED_TIME = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class Table:
    """A titled table: headers, rows of plain values (None for an empty or suppressed cell), notes."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    notes: tuple[str, ...] = ()


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, as Norwegian Excel opens it directly."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    for note in table.notes:
        writer.writerow([note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(table.title)
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    if table.notes:
        sheet.append([])
        for note in table.notes:
            sheet.append([note])
    for k, header in enumerate(table.headers, start=1):
        width = max([len(str(header))] + [len(str(r[k - 1])) for r in table.rows if r[k - 1] is not None])
        sheet.column_dimensions[sheet.cell(row=1, column=k).column_letter].width = min(60, width + 2)
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return (cleaned or "Sheet")[:31]


def download(table: Table, fmt: str, filename: str) -> Response:
    """The table as a download in ``fmt`` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        body, mimetype = to_xlsx(table), XLSX_TYPE
    else:
        body, mimetype, fmt = to_csv(table), CSV_TYPE, "csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
