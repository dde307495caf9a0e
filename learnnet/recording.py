"""Recording measurements: validation, saving with history, optimistic locking, delete and restore.

Forms, imports and the API all save through here, so the same rules hold everywhere. Functions
add to the session and flush; the caller commits once at the request's boundary.
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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from learnnet import audit, clock
from learnnet.extensions import db
from learnnet.models import MeasureDefinition, Measurement, MeasurementHistory, Network, Team, User
from learnnet.periods import add_months

# Far outside the team's own history: more than this many standard errors from its mean.
OUTLIER_Z = 4.0
# A denominator this many times larger or smaller than the team's usual one looks like a typo.
DENOMINATOR_RATIO = 3.0
# At least this many earlier months before a value can be called unusual.
MIN_HISTORY = 6
# The latest months, whose level a new month is compared with.
RECENT_MONTHS = 6
# The largest count the database's integer columns hold.
MAX_COUNT = 2_147_483_647
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


def snapshot(m: Measurement) -> dict:
    return {
        "period": m.period.isoformat(),
        "numerator": m.numerator,
        "denominator": m.denominator,
        "value": m.value,
        "comment": m.comment,
        "version": m.version,
        "deleted": m.is_deleted,
    }


def _history(m: Measurement, action: str, user: User | None) -> None:
    db.session.add(
        MeasurementHistory(
            measurement=m,
            action=action,
            version=m.version,
            numerator=m.numerator,
            denominator=m.denominator,
            value=m.value,
            comment=m.comment,
            changed_by_id=user.id if user else None,
            changed_at=clock.now(),
        )
    )


def _flush_or_lost_race(change) -> bool:
    """Apply ``change`` and flush in a savepoint; False when another save got there first.

    The version check above can pass in two requests at once; the database then decides: the
    unique (team, measure, period) key refuses the second insert, and the version column refuses
    the second update.
    """
    try:
        with db.session.begin_nested():
            change()
            db.session.flush()
    except (IntegrityError, StaleDataError):
        return False
    return True


def as_saved(m: Measurement | None, values: Values) -> bool:
    """Whether ``m`` is a live measurement that holds exactly ``values`` (numbers and comment)."""
    return (
        m is not None
        and not m.is_deleted
        and (m.numerator, m.denominator, m.value, m.comment)
        == (values.numerator, values.denominator, values.value, values.comment)
    )


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
    """Save one month's values, refusing a save that started from an outdated version.

    ``base_version`` is the version the user saw (None or 0 when there was none). When the row
    changed since, nothing is saved and the result is ``conflict`` with the current row, so the
    user can choose. Warnings (unusual values) are saved only when ``confirmed``.
    """
    current = find(team, measure, period)
    seen = base_version or 0
    fields = {
        "numerator": values.numerator,
        "denominator": values.denominator,
        "value": values.value,
        "comment": values.comment,
    }
    unchanged = as_saved(current, values)
    if unchanged and current.version == seen:
        # Saved before, as it stands: nothing to save, and its warnings were answered then (a
        # month's form sends every row back, also those the user did not touch).
        return SaveResult("unchanged", current)

    problems = check(team, measure, period, values, earliest=earliest)
    if any(p.severity == "error" for p in problems) or (problems and not confirmed):
        return SaveResult("invalid", current, tuple(problems))

    live_version = current.version if current is not None else 0
    if current is not None and live_version != seen:
        return SaveResult("conflict", current)

    if current is None:
        m = Measurement(
            team_id=team.id,
            measure_id=measure.id,
            period=period,
            created_by_id=user.id if user else None,
            updated_by_id=user.id if user else None,
            **fields,
        )
        if not _flush_or_lost_race(lambda: db.session.add(m)):
            return SaveResult("conflict", find(team, measure, period))
        _history(m, "create", user)
        audit.record(user, "measurement.create", m, after=snapshot(m))
        return SaveResult("created", m)

    if unchanged:
        return SaveResult("unchanged", current)
    before = snapshot(current)
    action = "restore" if current.is_deleted else "update"

    def apply() -> None:
        for key, value in fields.items():
            setattr(current, key, value)
        current.deleted_at = None
        current.updated_by_id = user.id if user else None

    if not _flush_or_lost_race(apply):
        db.session.refresh(current)
        return SaveResult("conflict", current)
    _history(current, action, user)
    audit.record(user, f"measurement.{action}", current, before=before, after=snapshot(current))
    return SaveResult("updated", current)


def delete(m: Measurement, user: User | None, *, base_version: int) -> SaveResult:
    """Mark a measurement deleted; its row and history stay so it can be restored."""
    if m.version != base_version:
        return SaveResult("conflict", m)
    if m.is_deleted:
        return SaveResult("unchanged", m)
    before = snapshot(m)
    m.deleted_at = clock.now()
    m.updated_by_id = user.id if user else None
    db.session.flush()
    _history(m, "delete", user)
    audit.record(user, "measurement.delete", m, before=before, after=snapshot(m))
    return SaveResult("updated", m)


def restore(
    m: Measurement, history: MeasurementHistory, user: User | None, *, base_version: int
) -> SaveResult:
    """Bring back the values of an earlier saved state (also undoes a delete)."""
    if m.version != base_version:
        return SaveResult("conflict", m)
    if history.measurement_id != m.id:
        raise ValueError("that history row belongs to another measurement")
    before = snapshot(m)
    m.numerator, m.denominator, m.value = history.numerator, history.denominator, history.value
    m.comment = history.comment
    m.deleted_at = None
    m.updated_by_id = user.id if user else None
    # A restore is a save even when it brings back the values already there: a new version and time.
    m.updated_at = clock.now()
    db.session.flush()
    _history(m, "restore", user)
    audit.record(user, "measurement.restore", m, before=before, after=snapshot(m))
    return SaveResult("updated", m)
