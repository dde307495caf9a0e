"""Importing historical measurements from a file: planning, committing and the preview.

An import is planned first (every row parsed and checked, nothing written) and committed after
the user has seen the plan: all rows or none. A cell is read by :mod:`learnnet.imports.cells`; the
files a team or network exports are :mod:`learnnet.imports.export`'s. The rows are checked by :func:`recording.check`, the
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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from learnnet.extensions import db
from learnnet.imports.cells import cell_text, is_blank, parse_count, parse_decimal, parse_month
from learnnet.imports.tables import COLUMNS, Table
from learnnet.measurements import recording
from learnnet.models import (
    MeasureDefinition,
    Measurement,
    Network,
    Team,
    User,
)

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
        if is_blank(cell):
            if self.scope.team is not None:
                return self.scope.team
            raise ValueError(str(_l("Enter the team (its name or number).")))
        text = cell_text(cell)
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
        text = cell_text(cell)
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
        comment = cell_text(cells.get("comment"))
        if all(is_blank(c) for c in numbers):
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
    if is_blank(cell):
        raise ValueError(str(_l("Enter the month as YYYY-MM.")))
    period = parse_month(cell)
    if period is None:
        raise ValueError(
            str(_l("%(text)s is not a month; write it as YYYY-MM, e.g. 2025-03.", text=cell_text(cell)))
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
