"""A network's dashboard (teams × measures) and its set-up: measures from templates, targets,
teams and learning sessions, and a measure's definition edited with its history kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from learnnet import audit, clock
from learnnet.analysis import Analysis, analyse_all
from learnnet.analysis.series import analyse_network_measure
from learnnet.extensions import db
from learnnet.library import definition_from_template
from learnnet.measurements.periods import add_months, month_start
from learnnet.models import (
    AuditEvent,
    LearningSession,
    MeasureDefinition,
    MeasureTemplate,
    Municipality,
    Network,
    Team,
    Unit,
    User,
)
from learnnet.suppression import Suppression, counts_of, entered, is_hidden
from measures.network import SignalCounts, variation_at
from measures.network import signal_counts as count_signals

# Variation and assurance as the icons show them.
VARIATION_ICONS = {
    "common_cause": "common",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral": "neutral",
}


@dataclass(frozen=True)
class Cell:
    team: Team
    measure: MeasureDefinition
    period: dt.date | None  # the latest month with a value
    value: float | None  # on the measure's scale; None when missing or suppressed
    variation: str | None  # common, improvement, concern, neutral
    assurance: str | None  # pass, fail, hit_and_miss
    hidden: bool
    analysis: Analysis


@dataclass(frozen=True)
class Dashboard:
    network: Network
    teams: tuple[Team, ...]
    measures: tuple[MeasureDefinition, ...]
    cells: dict[tuple[int, int], Cell]
    until: dt.date | None

    def cell(self, team: Team, measure: MeasureDefinition) -> Cell:
        return self.cells[(team.id, measure.id)]

    @property
    def hidden_count(self) -> int:
        return sum(1 for c in self.cells.values() if c.hidden)


def latest(analysis: Analysis) -> tuple[int | None, float | None]:
    """The position and value (on the measure's scale) of the latest month with a value."""
    y = analysis.series.y
    for k in range(len(y) - 1, -1, -1):
        if y[k] is None:
            continue
        if analysis.series.measure.is_ratio:
            n = analysis.series.denominators[k]
            if not n:
                continue
            return k, y[k] / n * analysis.scale
        return k, y[k]
    return None, None


def cell_of(team: Team, measure: MeasureDefinition, analysis: Analysis, suppression: Suppression) -> Cell:
    k, value = latest(analysis)
    series = analysis.series
    counts = () if k is None else counts_of(series, k)
    hidden = k is not None and is_hidden(suppression, team, *counts)
    reading = analysis.reading
    variation = VARIATION_ICONS.get(reading.variation) if reading is not None else None
    assurance = None
    if reading is not None and reading.assurance is not None and reading.assurance.status != "no_limits":
        assurance = reading.assurance.status
    return Cell(
        team,
        measure,
        None if k is None else series.periods[k],
        None if hidden else value,
        None if hidden else variation,
        None if hidden else assurance,
        hidden,
        analysis,
    )


def dashboard(
    network: Network,
    suppression: Suppression,
    *,
    municipality_id: int | None = None,
    until: dt.date | None = None,
) -> Dashboard:
    """Every team × measure of the network (of one municipality, when given), read up to ``until``."""
    teams = [
        t
        for t in sorted(network.teams, key=lambda t: (t.name, t.id))
        if municipality_id is None or t.unit.municipality_id == municipality_id
    ]
    measures = list(network.measures)
    analyses = analyse_all(teams, measures, until)
    cells = {}
    for team in teams:
        for measure in measures:
            key = (team.id, measure.id)
            cells[key] = cell_of(team, measure, analyses[key], suppression)
    return Dashboard(network, tuple(teams), tuple(measures), cells, until)


def municipalities_of(network: Network) -> list[tuple[int, str]]:
    found = {t.unit.municipality_id: t.unit.municipality.name for t in network.teams}
    return sorted(found.items(), key=lambda item: item[1])


def data_until(session: LearningSession, today: dt.date | None = None) -> dt.date:
    """A learning session's charts hold the data up to the month before the session — or up to
    last month, when the pack is made earlier than that."""
    today = today or clock.today()
    return min(add_months(month_start(session.date), -1), add_months(month_start(today), -1))


def session_topic(session: LearningSession, languages: Iterable[str]) -> str:
    """The session's title without the session's name it often begins with, in any of
    ``languages`` ("Samling 2: Hva forteller diagrammene?" → "Hva forteller diagrammene?")."""
    title = (session.title or "").strip()
    for language in languages:
        with force_locale(language):
            name = _("Learning session %(number)d", number=session.number)
        rest = title[len(name) :]
        # "Samling 20" does not begin with "Samling 2"
        if title.lower().startswith(name.lower()) and not rest[:1].isalnum():
            return rest.lstrip(" :.,;–—-")
    return title


def session_heading(session: LearningSession, languages: Iterable[str]) -> str:
    """The session's name and topic in the current language ("Learning session 2: Midtveis")."""
    name = _("Learning session %(number)d", number=session.number)
    topic = session_topic(session, languages)
    return f"{name}: {topic}" if topic else name


def next_session(network: Network, today: dt.date) -> LearningSession | None:
    """The first session on or after today, else the last one."""
    upcoming = [s for s in network.sessions if s.date >= today]
    if upcoming:
        return upcoming[0]
    return network.sessions[-1] if network.sessions else None


# --- the network as one ----------------------------------------------------------------------


@dataclass(frozen=True)
class PooledMonth:
    """One month of the network's pooled chart, as its table shows it."""

    period: dt.date
    numerator: float | None  # proportions and rates: the teams' numerators summed
    denominator: float | None
    value: float | None  # on the measure's scale; None when nothing is entered or it is hidden
    teams: int  # how many teams the month holds
    hidden: bool  # could give away a small count of a team the viewer may not open


@dataclass(frozen=True)
class PooledChart:
    network: Network
    measure: MeasureDefinition
    analysis: Analysis
    months: tuple[PooledMonth, ...]
    team_count: int  # the teams pooled: those that have entered the measure

    @property
    def hidden_count(self) -> int:
        return sum(1 for m in self.months if m.hidden)

    @property
    def partial_count(self) -> int:
        return sum(1 for m in self.months if 0 < m.teams < self.team_count)


@dataclass(frozen=True)
class SignalChart:
    network: Network
    measure: MeasureDefinition
    periods: tuple[dt.date, ...]
    counts: SignalCounts
    team_count: int
    # True when some teams' months are counted as "no value" because the viewer may not see them.
    suppressed: bool


def _hidden_months(
    network: Network, measure: MeasureDefinition, suppression: Suppression, until: dt.date | None
) -> frozenset[dt.date]:
    """The months whose pooled numbers could be subtracted back to a small count of teams the
    viewer may not open: the viewer knows the teams they may open, so the pooled month gives away
    the sum of the others; that month is hidden when the sum is below the threshold."""
    closed = [t for t in network.teams if suppression.applies_to(t)]
    if not closed:
        return frozenset()
    analyses = analyse_all(closed, [measure], until)
    sums: dict[dt.date, list] = {}
    for team in closed:
        series = analyses[(team.id, measure.id)].series
        for k, period in enumerate(series.periods):
            if not entered(series, k):
                continue
            counts = counts_of(series, k)
            held = sums.setdefault(period, [[], [0.0] * len(counts)])
            held[0].append(team)
            held[1] = [a + (b or 0.0) for a, b in zip(held[1], counts, strict=True)]
    return frozenset(p for p, (teams, total) in sums.items() if is_hidden(suppression, teams, *total))


def pooled_chart(
    network: Network,
    measure: MeasureDefinition,
    suppression: Suppression,
    until: dt.date | None = None,
    *,
    hidden: frozenset[dt.date] | None = None,
) -> PooledChart:
    """The network's pooled chart of ``measure`` up to ``until``, as ``suppression``'s viewer may see
    it: computed from every month, with the months that could give away a small count of a team
    they may not open left blank (``hidden`` when the caller has decided them for a whole page)."""
    if hidden is None:
        hidden = _hidden_months(network, measure, suppression, until)
    analysis = analyse_network_measure(network, measure, until)
    series = analysis.series
    months = []
    for k, period in enumerate(series.periods):
        y = None if period in hidden else series.y[k]
        n = None if period in hidden or not measure.is_ratio else series.denominators[k]
        value = None
        if y is not None:
            value = y / n * analysis.scale if measure.is_ratio else y
            if measure.is_ratio and not n:
                value = None
        months.append(
            PooledMonth(
                period,
                y if measure.is_ratio else None,
                n,
                value,
                series.teams_per_month[k],
                period in hidden,
            )
        )
    return PooledChart(network, measure, analysis, tuple(months), series.team_count)


def signal_counts(
    network: Network,
    measure: MeasureDefinition,
    suppression: Suppression,
    until: dt.date | None = None,
    *,
    periods: tuple[dt.date, ...] | None = None,
) -> SignalChart:
    """Per month (``periods``, by default the pooled chart's), how many of the network's teams show
    special-cause improvement, special-cause concern, neither, or have no value: each team's own
    chart (its settings, the network's rule set, the measure's direction), read at that month as
    the dashboard reads it at the latest (:func:`measures.network.variation_at`), from the signals
    of the chart's reading (the months before a shift the other way are the level before that
    change, neither better nor worse). A month whose
    counts ``suppression`` hides from the viewer counts as no value."""
    teams = sorted(network.teams, key=lambda t: (t.name, t.id))
    if periods is None:
        periods = analyse_network_measure(network, measure, until).series.periods
    analyses = analyse_all(teams, [measure], until)
    variations = []
    suppressed = False
    for team in teams:
        analysis = analyses[(team.id, measure.id)]
        series = analysis.series
        # The reading's signals: a level before a change the other way is no concern of its own.
        findings = (
            [st for st in analysis.reading.statements if st.code == "signal"]
            if analysis.reading is not None
            else ()
        )
        chart = analysis.chart
        row: list[str | None] = []
        for period in periods:
            k = series.index(period)
            if k is None or not entered(series, k) or (chart is not None and not chart.include[k]):
                row.append(None)
            elif is_hidden(suppression, team, *counts_of(series, k)):
                suppressed = True
                row.append(None)
            else:
                row.append(variation_at(findings, k))
        variations.append(row)
    counts = count_signals(variations) if teams else SignalCounts(*((0,) * len(periods),) * 4)
    return SignalChart(network, measure, tuple(periods), counts, len(teams), suppressed)


# --- set-up ---------------------------------------------------------------------------------

# What a facilitator may change in a measure's definition; each change leaves an audit event.
DEFINITION_FIELDS = (
    "name",
    "short_name",
    "numerator",
    "denominator",
    "inclusions",
    "exclusions",
    "notes",
    "unit_label",
    "target",
    "direction",
    "default_chart",
)


def definition_snapshot(measure: MeasureDefinition) -> dict[str, Any]:
    return {name: getattr(measure, name) for name in DEFINITION_FIELDS} | {"version": measure.version}


def create_network(
    user: User,
    *,
    region_id: int,
    name: str,
    topic: str,
    description: str,
    start_date: dt.date,
    end_date: dt.date,
    rule_set: str,
    language: str,
    templates: list[MeasureTemplate],
    status: str = "planned",
) -> Network:
    """A network (planned, unless ``status`` says otherwise) with its measures copied from
    ``templates``; ``user`` facilitates it when they are a facilitator."""
    network = Network(
        region_id=region_id,
        name=name,
        topic=topic,
        description=description,
        start_date=start_date,
        end_date=end_date,
        status=status,
        rule_set=rule_set,
        language=language,
    )
    for position, template in enumerate(templates):
        network.measures.append(definition_from_template(template, language, position=position, target=None))
    if user.role == "facilitator":
        network.facilitators.append(user)
    db.session.add(network)
    db.session.flush()
    audit.record(user, "network.create", network, after=network_snapshot(network))
    return network


def facilitator_candidates(network: Network) -> list[User]:
    """Active facilitators who do not yet facilitate ``network``, by name."""
    current = {user.id for user in network.facilitators}
    people = db.session.scalars(
        select(User).where(User.role == "facilitator", User.active.is_(True)).order_by(User.name)
    )
    return [person for person in people if person.id not in current]


def add_facilitator(user: User, network: Network, person: User) -> None:
    network.facilitators.append(person)
    db.session.flush()
    audit.record(user, "network.add_facilitator", network, after={"facilitator": person.name})


def remove_facilitator(user: User, network: Network, person: User) -> None:
    network.facilitators.remove(person)
    db.session.flush()
    audit.record(user, "network.remove_facilitator", network, before={"facilitator": person.name})


def network_snapshot(network: Network) -> dict[str, Any]:
    return {
        "name": network.name,
        "topic": network.topic,
        "status": network.status,
        "start_date": network.start_date.isoformat(),
        "end_date": network.end_date.isoformat(),
        "rule_set": network.rule_set,
        "language": network.language,
        "reminder_day": network.reminder_day,
        "measures": [m.code for m in network.measures],
    }


def update_network(user: User, network: Network, **values: Any) -> None:
    before = network_snapshot(network)
    for name, value in values.items():
        setattr(network, name, value)
    db.session.flush()
    audit.record(user, "network.update", network, before=before, after=network_snapshot(network))


def add_measure(
    user: User, network: Network, template: MeasureTemplate, target: float | None
) -> MeasureDefinition:
    position = max((m.position for m in network.measures), default=-1) + 1
    measure = definition_from_template(template, network.language, position=position, target=target)
    network.measures.append(measure)
    db.session.flush()
    audit.record(user, "measure.create", measure, after=definition_snapshot(measure))
    return measure


def change_definition(user: User, measure: MeasureDefinition, values: dict[str, Any]) -> bool:
    """Change a measure's definition; the audit event keeps the values before and after.

    Returns False (and records nothing) when nothing changed.
    """
    before = definition_snapshot(measure)
    changed = {k: v for k, v in values.items() if k in DEFINITION_FIELDS and before[k] != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(measure, name, value)
    measure.version += 1
    db.session.flush()
    audit.record(
        user,
        "measure.change",
        measure,
        before={k: before[k] for k in changed} | {"version": before["version"]},
        after={k: getattr(measure, k) for k in changed} | {"version": measure.version},
    )
    return True


def definition_history(measure: MeasureDefinition) -> list[AuditEvent]:
    """The measure's audit events, newest first: its history."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == MeasureDefinition.__tablename__, AuditEvent.object_id == measure.id
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


def add_team(user: User, network: Network, unit: Unit, name: str) -> Team:
    team = Team(network=network, unit=unit, name=name or unit.name)
    db.session.add(team)
    db.session.flush()
    audit.record(user, "team.create", team, after={"network": network.id, "unit": unit.id, "name": team.name})
    return team


def add_session(user: User, network: Network, date: dt.date, title: str) -> LearningSession:
    """Add a learning session; the network's sessions are numbered again in date order (a session
    on the same day as another comes after it). The audit event names the sessions renumbered."""
    existing = sorted(network.sessions, key=lambda s: (s.date, s.number))
    position = sum(1 for s in existing if s.date <= date)
    ordered = existing[:position] + [None] + existing[position:]
    moved = {s.number: k + 1 for k, s in enumerate(ordered) if s is not None and s.number != k + 1}
    if moved:
        # Numbers are unique per network: the moved sessions step aside first, then take theirs.
        top = max(s.number for s in existing) + len(ordered)
        for s in existing:
            if s.number in moved:
                s.number += top
        db.session.flush()
        for k, s in enumerate(ordered):
            if s is not None:
                s.number = k + 1
    number = position + 1
    session = LearningSession(network=network, number=number, date=date, title=title)
    db.session.add(session)
    db.session.flush()
    db.session.refresh(network, ["sessions"])
    after = {"network": network.id, "number": number, "date": date.isoformat(), "title": title}
    if moved:
        after["renumbered"] = {str(old): new for old, new in sorted(moved.items())}
    audit.record(user, "learning_session.create", session, after=after)
    return session


def units_outside(network: Network) -> list[Unit]:
    """Units of the network's region not yet in it, by municipality and name."""
    enrolled = {t.unit_id for t in network.teams}
    units = db.session.scalars(
        select(Unit)
        .join(Unit.municipality)
        .where(Municipality.region_id == network.region_id)
        .order_by(Municipality.name, Unit.name)
    )
    return [u for u in units if u.id not in enrolled]
