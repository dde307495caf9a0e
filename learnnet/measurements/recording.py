"""Recording measurements: validation, saving with history, optimistic locking, delete and restore.

Every change of a measurement — the entry form, the API, an import, a delete or restore, the demo
county — is written by :func:`save_many`: the row, its history line, the audit event and the
series' version, in one place. :func:`check` holds the rules a change must pass first, the same
everywhere. Functions add to the session and flush; the caller commits once at its boundary.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from learnnet import audit, clock
from learnnet.extensions import db
from learnnet.measurements.periods import add_months
from learnnet.models import (
    MeasureDefinition,
    Measurement,
    MeasurementHistory,
    Network,
    SeriesVersion,
    Team,
    User,
)
from learnnet.models.types import MAX_INTEGER

# Far outside the team's own history: more than this many standard errors from its mean.
OUTLIER_Z = 4.0
# A denominator this many times larger or smaller than the team's usual one looks like a typo.
DENOMINATOR_RATIO = 3.0
# At least this many earlier months before a value can be called unusual.
MIN_HISTORY = 6
# The latest months, whose level a new month is compared with.
RECENT_MONTHS = 6
# The largest count the database's integer columns hold.
MAX_COUNT = MAX_INTEGER
# Months before a network's start (baseline and earlier history) may go back this far.
HISTORY_MONTHS = 60


def earliest_month(network: Network) -> dt.date:
    """The first month that may hold numbers for ``network``: HISTORY_MONTHS before its start."""
    return add_months(network.start_date.replace(day=1), -HISTORY_MONTHS)


@dataclass(frozen=True)
class Values:
    """What a user gives for one measure and month."""

    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None
    comment: str = ""

    @property
    def is_blank(self) -> bool:
        return self.numerator is None and self.denominator is None and self.value is None


@dataclass(frozen=True)
class Problem:
    """A reason not to save as given. ``field`` is numerator, denominator, value, comment or period."""

    field: str
    message: str
    # A warning may be saved once the user confirms; an error never.
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class SaveResult:
    status: Literal["created", "updated", "unchanged", "conflict", "invalid"]
    measurement: Measurement | None = None
    problems: tuple[Problem, ...] = field(default=())


class Earlier(Protocol):
    """What the unusual-value rule reads of an earlier month: a Measurement or a plain row."""

    period: dt.date
    numerator: int | None
    denominator: int | None
    value: float | None


def history_values(team: Team, measure: MeasureDefinition, before: dt.date, months: int = 24):
    """The team's live measurements of this measure before ``before``, newest first."""
    return list(
        db.session.scalars(
            select(Measurement)
            .where(
                Measurement.team_id == team.id,
                Measurement.measure_id == measure.id,
                Measurement.period < before,
                Measurement.deleted_at.is_(None),
            )
            .order_by(Measurement.period.desc())
            .limit(months)
        )
    )


def check(
    team: Team,
    measure: MeasureDefinition,
    period: dt.date,
    values: Values,
    *,
    earliest: dt.date | None = None,
    history: Sequence[Earlier] | None = None,
) -> list[Problem]:
    """Everything wrong or unusual with ``values``; an empty list when they may be saved.

    ``earliest`` allows months before the network's start (historical baseline data); months
    after the network's end and months in the future are refused.

    ``history`` is the team's live months of this measure before ``period``, newest first (at
    most 24 are read); when None it is read from the database. Bulk imports preload it, so a
    file of many rows is checked by the same rules without a query per row.
    """
    problems: list[Problem] = []
    network = team.network
    first = (earliest or network.start_date).replace(day=1)
    if period > network.end_date.replace(day=1) or period < first:
        problems.append(Problem("period", str(_l("The month is outside the network's period."))))
    if period > clock.this_month():
        problems.append(Problem("period", str(_l("You cannot enter numbers for a future month."))))

    if measure.is_ratio:
        problems += _check_ratio(measure, values)
    else:
        problems += _check_value(measure, values)
    problems += _check_comment(values.comment)
    if any(p.severity == "error" for p in problems):
        return problems
    if history is None:
        history = history_values(team, measure, period)
    return problems + _unusual(measure, period, values, history)


# What identifies a person beyond doubt: a national identity number or D-number (11 digits, written
# with or without spaces or dashes, whose two check digits agree), or a birth date given as one
# ("f. 01.02.1940", "født 12. mars 1938", "fdt 010240").
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d(?:[ .-]?\d){10}(?!\d)")
_MONTH = r"(?:jan|feb|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|des|dec)[a-zæøå]*\.?"
_DATE = (
    r"(?:\d{1,2}\s*[./-]\s*\d{1,2}\s*[./-]\s*(?P<y1>\d{4}|\d{2})"
    rf"|\d{{1,2}}\.?\s*{_MONTH}\s*(?P<y2>\d{{4}}|\d{{2}})"
    r"|(?P<y3>\d{4})-\d{2}-\d{2}"
    r"|\d{4}(?P<y4>\d{4}|\d{2}))(?!\d)"
)
_BIRTH_KEY = r"(?P<key>født|fødd|fdt\.?|fd\.|fødselsdato|f\.\s*dato|born|dob|d\.o\.b\.|f\.?)"
_BIRTH_DATE = re.compile(rf"(?<!\w){_BIRTH_KEY}\s*:?\s*{_DATE}", re.IGNORECASE)


def _identity_number(digits: str) -> bool:
    """Whether 11 digits pass a Norwegian national identity number's two check digits."""
    d = [int(c) for c in digits]
    k1 = (11 - sum(w * x for w, x in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), d)) % 11) % 11
    k2 = (11 - sum(w * x for w, x in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), d)) % 11) % 11
    return k1 == d[9] and k2 == d[10]


def _identifies_someone(comment: str) -> bool:
    for match in _ELEVEN_DIGITS.finditer(comment):
        if _identity_number(re.sub(r"\D", "", match.group())):
            return True
    for match in _BIRTH_DATE.finditer(comment):
        year = next(y for y in (match["y1"], match["y2"], match["y3"], match["y4"]) if y)
        # A bare "f." may also mean "from" ("f. 01.03.2026"): a birth date only with a year of
        # the last century or two digits.
        if match["key"].lower().rstrip(".") != "f" or len(year) == 2 or year < "2000":
            return True
    return False


def _check_comment(comment: str) -> list[Problem]:
    """Comments are about the month's work: one that holds a national identity number or a birth
    date is refused (names cannot be told from other words; the form warns about them)."""
    if comment and _identifies_someone(comment):
        return [
            Problem(
                "comment",
                str(
                    _l(
                        "The comment seems to hold a birth date or a national identity number. "
                        "Comments are about the month's work: never write anything that could "
                        "identify a resident."
                    )
                ),
            )
        ]
    return []


def _check_ratio(measure: MeasureDefinition, values: Values) -> list[Problem]:
    problems = []
    if values.value is not None:
        problems.append(Problem("value", str(_l("This measure takes a numerator and a denominator."))))
    if values.numerator is None:
        problems.append(Problem("numerator", str(_l("Enter the numerator."))))
    elif values.numerator < 0:
        problems.append(Problem("numerator", str(_l("The count cannot be negative."))))
    elif values.numerator > MAX_COUNT:
        problems.append(Problem("numerator", str(_l("The number is too large."))))
    if values.denominator is None:
        problems.append(Problem("denominator", str(_l("Enter the denominator as well."))))
    elif values.denominator <= 0:
        problems.append(Problem("denominator", str(_l("The denominator must be more than 0."))))
    elif values.denominator > MAX_COUNT:
        problems.append(Problem("denominator", str(_l("The number is too large."))))
    if not problems and measure.value_kind == "proportion" and values.numerator > values.denominator:
        problems.append(
            Problem(
                "numerator",
                str(
                    _l(
                        "The numerator (%(num)d) cannot be larger than the denominator (%(den)d).",
                        num=values.numerator,
                        den=values.denominator,
                    )
                ),
            )
        )
    return problems


def _check_value(measure: MeasureDefinition, values: Values) -> list[Problem]:
    if values.numerator is not None or values.denominator is not None:
        return [Problem("value", str(_l("This measure takes a single value.")))]
    if values.value is None:
        return [Problem("value", str(_l("Enter a value.")))]
    if not math.isfinite(values.value):
        return [Problem("value", str(_l("Enter a number.")))]
    if measure.value_kind in ("count", "cases_between") and values.value != int(values.value):
        return [Problem("value", str(_l("Enter a whole number.")))]
    if values.value < 0:
        return [Problem("value", str(_l("The value cannot be negative.")))]
    if measure.value_kind == "days_between" and values.value <= 0:
        return [Problem("value", str(_l("The number of days must be more than 0.")))]
    return []


def _unusual(
    measure: MeasureDefinition, period: dt.date, values: Values, history: Sequence[Earlier]
) -> list[Problem]:
    """Warnings for values far outside the team's own history (asked to confirm, not refused)."""
    earlier = [m for m in history if m.period < period][:24]
    if len(earlier) < MIN_HISTORY:
        return []
    problems = []
    if measure.is_ratio:
        denominators = [m.denominator for m in earlier if m.denominator]
        usual = statistics.median(denominators)
        if values.denominator > usual * DENOMINATOR_RATIO or values.denominator * DENOMINATOR_RATIO < usual:
            problems.append(
                Problem(
                    "denominator",
                    str(
                        _l(
                            "The denominator %(den)d is far from the usual %(usual)d. Please check it.",
                            den=values.denominator,
                            usual=round(usual),
                        )
                    ),
                    "warning",
                )
            )
        counted = [m for m in earlier if m.denominator and m.numerator is not None]
        if len(counted) < MIN_HISTORY:
            return problems
        # Compared with where the team is now (its latest months), not with the average of two
        # years: after an improvement, the new level is not unusual.
        recent = counted[:RECENT_MONTHS]
        mean = sum(m.numerator for m in recent) / sum(m.denominator for m in recent)
        if measure.value_kind == "proportion":
            sd = math.sqrt(max(mean * (1 - mean), 1e-12) / values.denominator)
        else:
            sd = math.sqrt(max(mean, 1e-12) / values.denominator)
        # Months often vary more than chance alone would have it (large denominators): the team's
        # own month-to-month variation counts too, as an XmR chart measures it (the average moving
        # range ÷ 1.128), which a trend does not inflate.
        ratios = [m.numerator / m.denominator for m in reversed(counted)]
        moving = [abs(b - a) for a, b in zip(ratios, ratios[1:])]
        sd = max(sd, statistics.fmean(moving) / 1.128)
        observed = values.numerator / values.denominator
        unusual = abs(observed - mean) > OUTLIER_Z * sd and abs(observed - mean) > 0.05 * max(mean, 1e-9)
    else:
        history = [m.value for m in earlier if m.value is not None]
        if len(history) < MIN_HISTORY:
            return problems
        mean = statistics.fmean(history)
        sd = _pstdev(history, mean) or abs(mean) * 0.1 or 1.0
        unusual = abs(values.value - mean) > OUTLIER_Z * sd
    if unusual:
        problems.append(
            Problem(
                "numerator" if measure.is_ratio else "value",
                str(
                    _l(
                        "This is far outside the team's earlier months. Check the numbers and confirm to save."
                    )
                ),
                "warning",
            )
        )
    return problems


def _pstdev(values: list[float], mean: float) -> float:
    """The population standard deviation, in floats.

    ``statistics.pstdev`` computes exactly in fractions, a hundred times slower, which matters when
    a file of many rows is checked; equal values still give exactly 0.
    """
    if max(values) == min(values):
        return 0.0
    return math.sqrt(math.fsum((x - mean) ** 2 for x in values) / len(values))


def find(team: Team, measure: MeasureDefinition, period: dt.date) -> Measurement | None:
    return db.session.scalar(
        select(Measurement).where(
            Measurement.team_id == team.id,
            Measurement.measure_id == measure.id,
            Measurement.period == period,
        )
    )


# --------------------------------------------------------------------------- the write path
@dataclass(frozen=True)
class Base:
    """The saved row a change starts from: its id, the version the writer saw, and whether deleted."""

    id: int
    version: int
    deleted: bool = False


@dataclass(frozen=True)
class Change:
    """One month's measurement as :func:`save_many` writes it.

    Without ``base`` the month is new; with it, the row is updated (a deleted one restored), or
    marked deleted when ``delete`` (``values`` are then the ones it keeps, for its history). ``by``
    (a user id) and ``at`` default to the writer and now; the demo county gives its own, so that
    its months look entered over the months.
    """

    team_id: int
    measure_id: int
    period: dt.date
    values: Values = Values()
    base: Base | None = None
    delete: bool = False
    by: int | None = None
    at: dt.datetime | None = None

    @property
    def action(self) -> str:
        if self.base is None:
            return "create"
        if self.delete:
            return "delete"
        return "restore" if self.base.deleted else "update"

    @property
    def key(self) -> tuple[int, int, dt.date]:
        return (self.team_id, self.measure_id, self.period)


@dataclass(frozen=True)
class Summary:
    """One audit event for a whole batch (an import), instead of one per change."""

    action: str
    owner: object
    after: dict


class LostRace(Exception):
    """Another save changed one of the months between reading and writing: nothing was written."""


def save_many(
    changes: Sequence[Change], user: User | None, *, summary: Summary | None = None
) -> dict[tuple[int, int, dt.date], int]:
    """Write every change, or none: the rows, a history line each, the audit and the series' versions.

    Optimistic locking holds for every row: an update names the version it started from, and the
    database refuses it when that version has moved on, as the unique (team, measure, month) key
    refuses a second insert. Then nothing is written and :class:`LostRace` is raised. Each change
    gets its own audit event with the values before and after, unless ``summary`` names one event
    for the batch. Returns the measurements' ids by (team, measure, month). Flushes; the caller
    commits.
    """
    before = _snapshots([c.base.id for c in changes if c.base is not None]) if summary is None else {}
    ids = _write(changes, user.id if user is not None else None) if changes else {}
    if summary is not None:
        audit.record(user, summary.action, summary.owner, after=summary.after)
    else:
        after = _snapshots(list(ids.values()))
        for c in changes:
            measurement_id = ids[c.key]
            audit.record(
                user,
                f"measurement.{c.action}",
                object_type=Measurement.__tablename__,
                object_id=measurement_id,
                before=before.get(measurement_id),
                after=after[measurement_id],
            )
    db.session.flush()
    return ids


def _write(changes: Sequence[Change], user_id: int | None) -> dict[tuple[int, int, dt.date], int]:
    now = clock.now()
    creates = [c for c in changes if c.base is None]
    updates = [c for c in changes if c.base is not None]
    try:
        with db.session.begin_nested():
            if creates:
                # executemany without RETURNING (returned ids in parameter order cost a round trip
                # per row on SQLite); the new ids are read back by their keys in one query.
                db.session.execute(
                    insert(Measurement.__table__), [_new_row(c, user_id, now) for c in creates]
                )
            if updates:
                _update(updates, user_id, now)
            ids = _ids(creates) | {c.key: c.base.id for c in updates}
            db.session.execute(
                insert(MeasurementHistory.__table__),
                [_history_row(c, ids[c.key], user_id, now) for c in changes],
            )
            _bump_series({(c.team_id, c.measure_id) for c in changes})
    except IntegrityError as error:
        raise LostRace() from error
    # Measurements loaded before may hold old numbers (and history); read them again when next used.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, (Measurement, SeriesVersion)):
            db.session.expire(obj)
    return ids


def _new_row(c: Change, user_id: int | None, now: dt.datetime) -> dict:
    by = c.by if c.by is not None else user_id
    return {
        "team_id": c.team_id,
        "measure_id": c.measure_id,
        "period": c.period,
        "numerator": c.values.numerator,
        "denominator": c.values.denominator,
        "value": c.values.value,
        "comment": c.values.comment,
        "version": 1,
        "created_at": c.at or now,
        "updated_at": c.at or now,
        "created_by_id": by,
        "updated_by_id": by,
    }


def _update(changes: list[Change], user_id: int | None, now: dt.datetime) -> None:
    """Every update, restore and delete in one statement, each only if its row is at its base version."""
    table = Measurement.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(
            numerator=bindparam("b_numerator"),
            denominator=bindparam("b_denominator"),
            value=bindparam("b_value"),
            comment=bindparam("b_comment"),
            version=bindparam("b_new_version"),
            deleted_at=bindparam("b_deleted_at"),
            updated_by_id=bindparam("b_user"),
            updated_at=bindparam("b_at"),
        )
    )
    parameters = []
    for c in changes:
        values, at = c.values, c.at or now
        parameters.append(
            {
                "b_id": c.base.id,
                "b_version": c.base.version,
                "b_new_version": c.base.version + 1,
                "b_numerator": values.numerator,
                "b_denominator": values.denominator,
                "b_value": values.value,
                "b_comment": values.comment,
                "b_deleted_at": at if c.delete else None,
                "b_user": c.by if c.by is not None else user_id,
                "b_at": at,
            }
        )
    result = db.session.execute(statement, parameters)
    # Fewer rows than changes: someone else saved one of these months in the meantime.
    if result.rowcount != len(changes):
        raise LostRace()


def _ids(creates: list[Change]) -> dict[tuple[int, int, dt.date], int]:
    if not creates:
        return {}
    m = Measurement
    wanted = {c.key for c in creates}
    found = db.session.execute(
        select(m.id, m.team_id, m.measure_id, m.period).where(
            m.team_id.in_({c.team_id for c in creates}),
            m.measure_id.in_({c.measure_id for c in creates}),
            m.period.between(min(c.period for c in creates), max(c.period for c in creates)),
        )
    )
    return {key: row.id for row in found if (key := (row.team_id, row.measure_id, row.period)) in wanted}


def _history_row(c: Change, measurement_id: int, user_id: int | None, now: dt.datetime) -> dict:
    values = c.values
    return {
        "measurement_id": measurement_id,
        "action": c.action,
        "version": c.base.version + 1 if c.base is not None else 1,
        "numerator": values.numerator,
        "denominator": values.denominator,
        "value": values.value,
        "comment": values.comment,
        "changed_at": c.at or now,
        "changed_by_id": c.by if c.by is not None else user_id,
    }


def _bump_series(pairs: set[tuple[int, int]]) -> None:
    """Raise the version of each (team, measure) series, making its row on its first change."""
    table = SeriesVersion.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(table).on_conflict_do_update(
        index_elements=[table.c.team_id, table.c.measure_id], set_={"version": table.c.version + 1}
    )
    now = clock.now()
    db.session.execute(
        statement,
        [{"team_id": t, "measure_id": m, "version": 1, "started_at": now} for t, m in sorted(pairs)],
    )


def _snapshots(ids: list[int]) -> dict[int, dict]:
    """The audit snapshot of each measurement, read as it stands in the database."""
    if not ids:
        return {}
    rows = db.session.execute(select(Measurement.__table__).where(Measurement.__table__.c.id.in_(ids)))
    return {
        row.id: {
            "period": row.period.isoformat(),
            "numerator": row.numerator,
            "denominator": row.denominator,
            "value": row.value,
            "comment": row.comment,
            "version": row.version,
            "deleted": row.deleted_at is not None,
        }
        for row in rows
    }


def as_saved(m: Measurement | None, values: Values) -> bool:
    """Whether ``m`` is a live measurement that holds exactly ``values`` (numbers and comment)."""
    return (
        m is not None
        and not m.is_deleted
        and (m.numerator, m.denominator, m.value, m.comment)
        == (values.numerator, values.denominator, values.value, values.comment)
    )


def prepare(
    team: Team,
    measure: MeasureDefinition,
    period: dt.date,
    values: Values,
    *,
    base_version: int | None,
    confirmed: bool = False,
    earliest: dt.date | None = None,
) -> SaveResult | Change:
    """What saving one month's values would do: the :class:`Change` to write, or why there is none
    (a :class:`SaveResult`: unchanged, invalid or conflict).

    ``base_version`` is the version the user saw (None or 0 when there was none). When the row
    changed since, the result is ``conflict`` with the current row, so the user can choose.
    Warnings (unusual values) pass only when ``confirmed``.
    """
    current = find(team, measure, period)
    seen = base_version or 0
    unchanged = as_saved(current, values)
    if unchanged and current.version == seen:
        # Saved before, as it stands: nothing to save, and its warnings were answered then (a
        # month's form sends every row back, also those the user did not touch).
        return SaveResult("unchanged", current)

    problems = check(team, measure, period, values, earliest=earliest)
    if any(p.severity == "error" for p in problems) or (problems and not confirmed):
        return SaveResult("invalid", current, tuple(problems))
    if current is not None and current.version != seen:
        return SaveResult("conflict", current)
    if unchanged:
        return SaveResult("unchanged", current)
    base = Base(current.id, current.version, current.is_deleted) if current is not None else None
    return Change(team.id, measure.id, period, values, base)


def save(
    team: Team,
    measure: MeasureDefinition,
    period: dt.date,
    values: Values,
    user: User | None,
    *,
    base_version: int | None,
    confirmed: bool = False,
    earliest: dt.date | None = None,
) -> SaveResult:
    """Save one month's values (see :func:`prepare`), refusing a save that started from an
    outdated version."""
    change = prepare(
        team, measure, period, values, base_version=base_version, confirmed=confirmed, earliest=earliest
    )
    if isinstance(change, SaveResult):
        return change
    try:
        save_many([change], user)
    except LostRace:
        return SaveResult("conflict", find(team, measure, period))
    return SaveResult("created" if change.base is None else "updated", find(team, measure, period))


def delete(m: Measurement, user: User | None, *, base_version: int) -> SaveResult:
    """Mark a measurement deleted; its row and history stay so it can be restored."""
    if m.version != base_version:
        return SaveResult("conflict", m)
    if m.is_deleted:
        return SaveResult("unchanged", m)
    kept = Values(m.numerator, m.denominator, m.value, m.comment)
    change = Change(m.team_id, m.measure_id, m.period, kept, Base(m.id, m.version), delete=True)
    try:
        save_many([change], user)
    except LostRace:
        return SaveResult("conflict", db.session.get(Measurement, m.id))
    return SaveResult("updated", db.session.get(Measurement, m.id))


def restore(
    m: Measurement, history: MeasurementHistory, user: User | None, *, base_version: int
) -> SaveResult:
    """Bring back the values of an earlier saved state (also undoes a delete).

    A restore is a save even when it brings back the values already there: a new version, time and
    history line."""
    if m.version != base_version:
        return SaveResult("conflict", m)
    if history.measurement_id != m.id:
        raise ValueError("that history row belongs to another measurement")
    values = Values(history.numerator, history.denominator, history.value, history.comment)
    change = Change(m.team_id, m.measure_id, m.period, values, Base(m.id, m.version, m.is_deleted))
    try:
        save_many([change], user)
    except LostRace:
        return SaveResult("conflict", db.session.get(Measurement, m.id))
    return SaveResult("updated", db.session.get(Measurement, m.id))
