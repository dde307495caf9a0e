"""Drawing a demo team's monthly numbers.

The numbers should look like a real ward's: denominators of the right size for the unit, binomial
and Poisson variation around a level, and in some teams a level that moves after the team's first
change (a special cause on the SPC chart) while others vary around a stable level (common cause
only). Everything is drawn from the one :class:`numpy.random.Generator` the caller passes, in a
fixed order, so the same seed gives the same numbers.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np

from learnnet.demo.county import SHORT_TERM, SeriesModel, UnitPlan
from learnnet.measurements.periods import add_months

# Occupancy of a nursing-home ward; with 10–25 beds it keeps bed-days within 240–750 a month.
OCCUPANCY = (0.90, 0.965)
# Home-care districts have 40–150 service users.
SERVICE_USERS = (40, 150)
# Month-to-month wobble of a proportion's level, on top of binomial variation: small enough that a
# stable team's p chart mostly shows common-cause variation.
LEVEL_WOBBLE = 0.02


@dataclass(frozen=True)
class TeamCourse:
    """Whether a team's change works, from which month (``change``), and how fast it takes hold."""

    improves: bool
    change: dt.date | None
    ramp_months: int


@dataclass(frozen=True)
class Draw:
    period: dt.date
    numerator: int
    denominator: int


def month_counts(unit: UnitPlan, period: dt.date, rng: np.random.Generator) -> dict[str, int]:
    """The month's denominators for a unit: residents, bed-days, admissions and the like.

    Every count is drawn for every unit, whether a measure uses it or not, so that adding a measure
    to a network does not shift the numbers of the others.
    """
    days = calendar.monthrange(period.year, period.month)[1]
    size = unit.size
    if unit.is_ward:
        residents = size - int(rng.integers(0, 3))
    else:
        residents = int(np.clip(round(size * rng.uniform(0.94, 1.06)), *SERVICE_USERS))
    bed_days = round(size * days * rng.uniform(*OCCUPANCY))
    admission_rate = size * 0.8 if unit.kind == SHORT_TERM else 1.5
    return {
        "residents": residents,
        "bed_days": bed_days,
        "admissions": int(rng.poisson(admission_rate)) + 1,
        "situations": int(rng.poisson(size * 0.5)) + 2,
        "calls": int(rng.poisson(size * 0.3)) + 2,
        "at_risk": max(2, int(rng.binomial(residents, 0.35))),
        "long_term_67": max(2, residents - int(rng.binomial(residents, 0.1))),
    }


def team_levels(model: SeriesModel, course: TeamCourse, rng: np.random.Generator) -> tuple[float, float]:
    """A team's level before its change and after it (the same when the change does not work)."""
    before = float(rng.uniform(*model.baseline))
    after = before
    if model.improved is not None:
        drawn = float(rng.uniform(*model.improved))
        if course.improves:
            after = before * drawn if model.relative else drawn
    return before, after


def level_in(period: dt.date, before: float, after: float, model: SeriesModel, course: TeamCourse) -> float:
    """The level in ``period``: ``before`` until the change (plus lag), then a ramp to ``after``."""
    if not course.improves or course.change is None or after == before:
        return before
    start = add_months(course.change, model.lag)
    if period < start:
        return before
    months_in = (period.year - start.year) * 12 + period.month - start.month + 1
    share = min(1.0, months_in / course.ramp_months)
    return before + (after - before) * share


def draw_series(
    periods: list[dt.date],
    counts: dict[dt.date, dict[str, int]],
    model: SeriesModel,
    value_kind: str,
    multiplier: float,
    course: TeamCourse,
    rng: np.random.Generator,
) -> list[Draw]:
    """One team's numerator and denominator of one measure for each period.

    With ``record_as`` each numerator is kept in ``counts`` for measures drawn later (the month's
    screened residents are the denominator of those at risk; the month's falls are thinned to the
    falls with injury).
    """
    before, after = team_levels(model, course, rng)
    draws = []
    for period in periods:
        month = counts[period]
        level = level_in(period, before, after, model, course)
        denominator = max(1, month[model.denominator])
        if model.thinned_from is not None:
            numerator = int(rng.binomial(month[model.thinned_from], level))
        elif value_kind == "proportion":
            p = float(np.clip(level + rng.normal(0.0, LEVEL_WOBBLE), 0.01, 0.99))
            numerator = int(rng.binomial(denominator, p))
        elif value_kind == "rate":
            numerator = int(rng.poisson(level / multiplier * denominator))
        else:
            raise ValueError(f"the demo draws proportions and rates, not {value_kind}")
        if model.record_as is not None:
            month[model.record_as] = numerator
        draws.append(Draw(period, numerator, denominator))
    return draws
