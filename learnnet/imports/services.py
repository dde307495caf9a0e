"""Importing historical measurements from a file, and exporting them again.

An import is planned first (every row parsed and checked, nothing written) and committed after
the user has seen the plan: all rows or none. The rows are checked by :func:`recording.check`, the
same rules as the monthly entry form, with each team's earlier months preloaded instead of read
per row, and written in bulk, with a history row per measurement and one audit event per import.
Rows whose numbers are already saved are skipped, so importing the same file twice changes nothing;
a blank comment cell keeps the comment saved for that month.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from charts.pack import slug
from learnnet.extensions import db
from learnnet.imports.tables import COLUMNS, Table, month_text
from learnnet.measurements import recording
from learnnet.measurements.periods import add_months, months_between, parse_period
from learnnet.models import (
    MeasureDefinition,
    Measurement,
    Network,
    Team,
    User,
)

log = logging.getLogger(__name__)
# Uploads are refused above this size; 50,000 rows of CSV are about 3 MB.
# Rows checked between two reports of progress.
CHUNK = 2000
# Told (rows done, rows total) after each chunk of rows is checked.
Progress = Callable[[int, int], None]
# The field names recording uses, as the file's column names.
_COLUMN_OF_FIELD = {"period": "month"}

Action = Literal["create", "update", "restore", "unchanged"]


@dataclass(frozen=True)
class Scope:
    """What a file is imported into or exported from: a whole network, or one team of it."""

    network: Network
    team: Team | None = None

    @property
    def teams(self) -> list[Team]:
        return [self.team] if self.team is not None else list(self.network.teams)

    @property
    def owner(self) -> Network | Team:
        return self.team if self.team is not None else self.network

    @property
    def name(self) -> str:
        return self.team.name if self.team is not None else self.network.name


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class Existing:
    """A saved measurement as the import reads it (a plain row: fast to load by the thousand)."""

    id: int
    period: dt.date
    numerator: int | None
    denominator: int | None
    value: float | None
    comment: str
    version: int
    deleted: bool


@dataclass(frozen=True)
class PlannedRow:
    row: int
    team: Team
    measure: MeasureDefinition
    period: dt.date
    values: recording.Values
    action: Action
    existing: Existing | None = None


@dataclass(frozen=True)
class ImportPlan:
    rows: tuple[PlannedRow, ...]
    problems: tuple[RowProblem, ...]
    blank: int = 0

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def changes(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action != "unchanged"]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "restore": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def digest(self) -> str:
        """A fingerprint of the changes, to tell whether a commit would do what the preview showed."""
        h = hashlib.sha256()
        for r in self.changes:
            v = r.values
            key = [
                r.team.id,
                r.measure.id,
                r.period.isoformat(),
                v.numerator,
                v.denominator,
                v.value,
                v.comment,
                r.action,
                r.existing.version if r.existing else 0,
            ]
            h.update(json.dumps(key).encode())
        for p in self.problems:
            h.update(json.dumps([p.row, p.column, p.severity]).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class CommitResult:
    status: Literal["done", "invalid", "conflict"]
    counts: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- cells
def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _number_text(cell: Any) -> str:
    # Spaces (also no-break and narrow no-break) group thousands in Norwegian; a comma is decimal.
    return re.sub(r"[\s\u00a0\u202f]", "", str(cell)).replace(",", ".")


_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")


def parse_count(cell: Any) -> int | None:
    """A whole number from a cell; None when blank. Raises ValueError with a message."""
    if _blank(cell):
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
    if _blank(cell):
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


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


# --------------------------------------------------------------------------- planning
@dataclass
class _Parsed:
    row: int
    team: Team
    measure: MeasureDefinition
    period: dt.date
    numerator: int | None
    denominator: int | None
    value: float | None
    # None: the file has no comment, in this row or at all; what is saved is kept. A blank cell
    # is how a filled-in template leaves comments entered by hand, not a wish to remove them.
    comment: str | None


class _Lookup:
    """The scope's teams and measures by what a file may call them."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.all_teams = list(scope.network.teams)
        self.by_id = {t.id: t for t in self.all_teams}
        self.by_name: dict[str, list[Team]] = defaultdict(list)
        for team in self.all_teams:
            self.by_name[team.name.strip().casefold()].append(team)
        self.measures = {m.code.strip().casefold(): m for m in scope.network.measures}
        self._seen: dict[tuple[str, Any], Any] = {}

    def team(self, cell: Any) -> Team:
        # A file names the same few teams, measures and months thousands of times.
        return self._memo(self._team, ("team", cell))

    def measure(self, cell: Any) -> MeasureDefinition:
        return self._memo(self._measure, ("measure", cell))

    def month(self, cell: Any) -> dt.date:
        return self._memo(_month, ("month", cell))

    def _memo(self, read, key):
        try:
            found = self._seen[key]
        except KeyError:
            try:
                found = read(key[1])
            except ValueError as error:
                found = error
            except TypeError:  # an unhashable cell cannot be a key; it is simply read
                return read(key[1])
            self._seen[key] = found
        if isinstance(found, ValueError):
            raise found
        return found

    def _team(self, cell: Any) -> Team:
        if _blank(cell):
            if self.scope.team is not None:
                return self.scope.team
            raise ValueError(str(_l("Enter the team (its name or number).")))
        text = _text(cell)
        team = self.by_id.get(int(text)) if text.isascii() and text.isdigit() and len(text) < 19 else None
        if team is None:
            named = self.by_name.get(text.casefold(), [])
            if len(named) > 1:
                raise ValueError(
                    str(_l("Several teams are called %(name)s; use the team's number.", name=text))
                )
            team = named[0] if named else None
        if team is None:
            raise ValueError(str(_l("There is no team %(name)s in this network.", name=text)))
        if self.scope.team is not None and team.id != self.scope.team.id:
            raise ValueError(
                str(
                    _l(
                        "This file is imported for %(team)s only; the row names another team.",
                        team=self.scope.team.name,
                    )
                )
            )
        return team

    def _measure(self, cell: Any) -> MeasureDefinition:
        text = _text(cell)
        if not text:
            raise ValueError(str(_l("Enter the measure code.")))
        measure = self.measures.get(text.casefold())
        if measure is None:
            raise ValueError(
                str(_l("There is no measure with the code %(code)s in this network.", code=text))
            )
        return measure


def _parse_rows(table: Table, lookup: _Lookup) -> tuple[list[_Parsed], list[RowProblem], int]:
    parsed: list[_Parsed] = []
    problems: list[RowProblem] = []
    blank = 0
    seen: dict[tuple[int, int, dt.date], int] = {}
    for raw in table.rows:
        cells = raw.cells
        numbers = [cells.get(c) for c in ("numerator", "denominator", "value")]
        comment = _text(cells.get("comment"))
        if all(_blank(c) for c in numbers):
            if comment:
                message = str(_l("Enter the numbers that the comment belongs to."))
                problems.append(RowProblem(raw.number, "comment", message))
            else:
                # An unfilled template row, or an empty line: left as it is, as in the entry form.
                blank += 1
            continue
        row_problems = []
        found: dict[str, Any] = {}
        for column, read in (
            ("team", lookup.team),
            ("measure_code", lookup.measure),
            ("month", lookup.month),
            ("numerator", parse_count),
            ("denominator", parse_count),
            ("value", parse_decimal),
        ):
            try:
                found[column] = read(cells.get(column))
            except ValueError as error:
                row_problems.append(RowProblem(raw.number, column, str(error)))
        if row_problems:
            problems += row_problems
            continue
        key = (found["team"].id, found["measure_code"].id, found["month"])
        if key in seen:
            problems.append(
                RowProblem(
                    raw.number,
                    "month",
                    str(_l("The same team, measure and month as row %(row)d.", row=seen[key])),
                )
            )
            continue
        seen[key] = raw.number
        parsed.append(
            _Parsed(
                raw.number,
                found["team"],
                found["measure_code"],
                found["month"],
                found["numerator"],
                found["denominator"],
                found["value"],
                comment or None,
            )
        )
    return parsed, problems, blank


def _month(cell: Any) -> dt.date:
    if _blank(cell):
        raise ValueError(str(_l("Enter the month as YYYY-MM.")))
    period = parse_month(cell)
    if period is None:
        raise ValueError(
            str(_l("%(text)s is not a month; write it as YYYY-MM, e.g. 2025-03.", text=_text(cell)))
        )
    return period


def _load_existing(
    teams: list[Team], measures: Iterable[MeasureDefinition]
) -> dict[tuple[int, int, dt.date], Existing]:
    team_ids = [t.id for t in teams]
    measure_ids = [m.id for m in measures]
    if not team_ids or not measure_ids:
        return {}
    m = Measurement
    rows = db.session.execute(
        select(
            m.id,
            m.team_id,
            m.measure_id,
            m.period,
            m.numerator,
            m.denominator,
            m.value,
            m.comment,
            m.version,
            m.deleted_at,
        ).where(m.team_id.in_(team_ids), m.measure_id.in_(measure_ids))
    )
    return {
        (r.team_id, r.measure_id, r.period): Existing(
            r.id,
            r.period,
            r.numerator,
            r.denominator,
            r.value,
            r.comment,
            r.version,
            r.deleted_at is not None,
        )
        for r in rows
    }


class _Series:
    """Each team's months of each measure as they will be after the import, for the history rule."""

    def __init__(self, existing: dict, parsed: list[_Parsed]):
        points: dict[tuple[int, int], dict[dt.date, Any]] = defaultdict(dict)
        for (team_id, measure_id, period), e in existing.items():
            if not e.deleted:
                points[(team_id, measure_id)][period] = e
        for p in parsed:
            points[(p.team.id, p.measure.id)][p.period] = p
        self._periods = {key: sorted(by_period) for key, by_period in points.items()}
        self._points = points

    def earlier(self, team_id: int, measure_id: int, period: dt.date, months: int = 24) -> list:
        periods = self._periods.get((team_id, measure_id), [])
        points = self._points.get((team_id, measure_id), {})
        end = bisect.bisect_left(periods, period)
        return [points[p] for p in reversed(periods[max(0, end - months) : end])]


def plan_import(scope: Scope, table: Table, progress: Progress | None = None) -> ImportPlan:
    """Check every row of ``table`` and say what committing it would do; nothing is written.

    The rows are checked in chunks of :data:`CHUNK`; ``progress`` is told how many are done.
    """
    lookup = _Lookup(scope)
    parsed, problems, blank = _parse_rows(table, lookup)
    total = len(table.rows)
    # Blank rows and rows with problems in their cells need no further check.
    settled = total - len(parsed)
    if progress is not None:
        progress(settled, total)
    existing = _load_existing(scope.teams, scope.network.measures)
    series = _Series(existing, parsed)
    earliest = recording.earliest_month(scope.network)
    planned = []
    for index, p in enumerate(parsed):
        if progress is not None and index and index % CHUNK == 0:
            progress(settled + index, total)
        current = existing.get((p.team.id, p.measure.id, p.period))
        comment = p.comment if p.comment is not None else (current.comment if current else "")
        values = recording.Values(p.numerator, p.denominator, p.value, comment)
        if current is None:
            action: Action = "create"
        elif current.deleted:
            action = "restore"
        elif (current.numerator, current.denominator, current.value, current.comment) == (
            values.numerator,
            values.denominator,
            values.value,
            values.comment,
        ):
            action = "unchanged"
        else:
            action = "update"
        if action != "unchanged":
            # Rows that change nothing are not checked again: re-importing is always harmless.
            found = recording.check(
                p.team,
                p.measure,
                p.period,
                values,
                earliest=earliest,
                history=series.earlier(p.team.id, p.measure.id, p.period),
            )
            if found:
                problems += [
                    RowProblem(p.row, _COLUMN_OF_FIELD.get(f.field, f.field), f.message, f.severity)
                    for f in found
                ]
                if any(f.severity == "error" for f in found):
                    continue
        planned.append(PlannedRow(p.row, p.team, p.measure, p.period, values, action, current))
    problems.sort(key=lambda q: (q.row, COLUMNS.index(q.column) if q.column in COLUMNS else 99))
    if progress is not None:
        progress(total, total)
    return ImportPlan(tuple(planned), tuple(problems), blank)


# --------------------------------------------------------------------------- committing
def commit_import(scope: Scope, plan: ImportPlan, user: User, *, filename: str = "") -> CommitResult:
    """Write every change of ``plan``, or nothing, through the one write path; warnings count as
    confirmed. One audit event tells of the whole import.

    Flushes and leaves the commit to the caller, as every service does.
    """
    if plan.errors:
        return CommitResult("invalid", plan.counts)
    counts = plan.counts
    changes = [
        recording.Change(
            r.team.id,
            r.measure.id,
            r.period,
            r.values,
            recording.Base(r.existing.id, r.existing.version, r.existing.deleted) if r.existing else None,
        )
        for r in plan.changes
    ]
    summary = recording.Summary(
        "measurement.import", scope.owner, {"file": filename, "rows": len(plan.rows), **counts}
    )
    try:
        recording.save_many(changes, user, summary=summary)
    except recording.LostRace:
        return CommitResult("conflict", counts)
    return CommitResult("done", counts)


# --------------------------------------------------------------------------- the preview
def _numbers_text(measure: MeasureDefinition, numerator, denominator, value) -> str:
    return f"{numerator}/{denominator}" if measure.is_ratio else f"{value}"


def plan_summary(plan: ImportPlan, shown: int = 500) -> dict:
    """What the preview page shows of a plan, as JSON kept on the upload (the first ``shown``
    problems and changed rows; the rest are counted)."""
    changes = plan.changes
    updates = [r for r in changes if r.action != "create"][:shown]
    return {
        "counts": plan.counts,
        "blank": plan.blank,
        "errors": len(plan.errors),
        "warnings": len(plan.warnings),
        "changes": len(changes),
        "problems_total": len(plan.problems),
        "problems": [
            {"row": p.row, "column": p.column, "message": p.message, "severity": p.severity}
            for p in plan.problems[:shown]
        ],
        "updates": [
            {
                "row": r.row,
                "team": r.team.name,
                "measure": r.measure.code,
                "measure_name": r.measure.name,
                "period": r.period.isoformat(),
                "action": r.action,
                "saved": None
                if r.action == "restore"
                else _numbers_text(r.measure, r.existing.numerator, r.existing.denominator, r.existing.value),
                "new": _numbers_text(r.measure, r.values.numerator, r.values.denominator, r.values.value),
                # A changed comment is shown too: a row whose numbers stay would seem to change nothing.
                **(
                    {"saved_comment": r.existing.comment, "new_comment": r.values.comment}
                    if r.values.comment != r.existing.comment
                    else {}
                ),
            }
            for r in updates
        ],
    }


# --------------------------------------------------------------------------- exporting
def team_labels(network: Network) -> dict[int, str | int]:
    """How a file names each team: by name, or by number where two teams share a name."""
    names = defaultdict(list)
    for team in network.teams:
        names[team.name.strip().casefold()].append(team)
    return {t.id: (t.name if len(names[t.name.strip().casefold()]) == 1 else t.id) for t in network.teams}


def export_rows(scope: Scope) -> list[list[Any]]:
    """The scope's saved (not deleted) measurements as rows under the template's heading."""
    labels = team_labels(scope.network)
    team_ids = [t.id for t in scope.teams]
    m, d = Measurement, MeasureDefinition
    result = db.session.execute(
        select(m.team_id, d.code, m.period, m.numerator, m.denominator, m.value, m.comment)
        .join(d, d.id == m.measure_id)
        .where(m.team_id.in_(team_ids), m.deleted_at.is_(None), d.network_id == scope.network.id)
        .order_by(m.team_id, d.position, d.id, m.period)
    )
    order = {t.id: i for i, t in enumerate(scope.teams)}
    rows = sorted(result, key=lambda r: order.get(r.team_id, 0))
    body = [
        [
            labels[r.team_id],
            r.code,
            month_text(r.period),
            r.numerator,
            r.denominator,
            r.value,
            r.comment or None,
        ]
        for r in rows
    ]
    return [list(COLUMNS), *body]


def template_rows(scope: Scope, today: dt.date) -> list[list[Any]]:
    """The heading and a row to fill in for each team, measure and month of the network so far."""
    network = scope.network
    last = min(add_months(today.replace(day=1), -1), network.end_date.replace(day=1))
    months = months_between(network.start_date, last) or [network.start_date.replace(day=1)]
    labels = team_labels(network)
    body = [
        [labels[team.id], measure.code, month_text(month), None, None, None, None]
        for team in scope.teams
        for measure in network.measures
        for month in months
    ]
    return [list(COLUMNS), *body]


def reference_sheets(scope: Scope) -> list[tuple[str, list[list[Any]]]]:
    """Sheets that explain the template: the network's teams and its measures."""
    teams = [[str(_l("Number")), str(_l("Team"))]] + [[t.id, t.name] for t in scope.teams]
    measures = [[str(_l("Code")), str(_l("Measure")), str(_l("Fill in"))]] + [
        [m.code, m.name, str(_l("numerator and denominator")) if m.is_ratio else str(_l("value"))]
        for m in scope.network.measures
    ]
    return [(str(_l("Teams")), teams), (str(_l("Measures")), measures)]


def file_stem(scope: Scope, today: dt.date) -> str:
    return f"{slug(scope.name)}-{today.isoformat()}"
