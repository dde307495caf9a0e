"""The demo county: ``flask demo load`` fills an empty database with Vestfold.

A new user, a facilitator preparing a learning session or a developer running ``make run`` should
meet a county that looks real: six municipalities, their wards and home-care districts, two active
learning networks and a closed one, two to three years of monthly numbers with gaps where teams
forgot a month, teams that improved and teams that did not, change ideas with PDSA cycles, and a
login for every role. The content is in :mod:`learnnet.demo.county`, the drawing of numbers in
:mod:`learnnet.demo.series`; this module turns them into rows.

Loading is deterministic: the same ``seed`` and ``today`` give the same content (ids and password
hashes aside), so charts of the demo can be compared between runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnnet import clock
from learnnet.demo.county import (
    ABANDONED_CYCLE,
    CORRECTION_COMMENT,
    DEMO_USERS,
    EXCLUSION_REASON,
    MUNICIPALITIES,
    NETWORKS,
    REGION,
    SEASON_COMMENTS,
    SPREAD_CYCLE,
    TEAM_MEMBER_UNIT,
    UNITS,
    ChangeIdea,
    CyclePlan,
    DemoUser,
    NetworkPlan,
    month_name_nb,
)
from learnnet.demo.series import TeamCourse, draw_series, month_counts
from learnnet.library import definition_from_template, load_templates
from learnnet.measurements import recording
from learnnet.measurements.periods import add_months, default_entry_period, months_between
from learnnet.models import (
    ChartExclusion,
    ChartPhase,
    ChartSettings,
    Intervention,
    LearningSession,
    MeasureTemplate,
    Municipality,
    Network,
    PdsaCycle,
    Region,
    Team,
    Unit,
    UnitMembership,
    User,
)

__all__ = ["DEMO_USERS", "DemoError", "DemoSummary", "DemoUser", "database_is_empty", "load_demo"]

UTC = dt.UTC
# Each team has 27–34 months of data before gaps, so every series keeps 24–36 after them.
SERIES_MONTHS = (27, 34)
# The reference calendar in county.py fits a last entry period from March 2026 to February 2027.
REFERENCE_FIRST_PERIOD = dt.date(2026, 3, 1)
# In each active network this many teams have not entered last month yet; one has entered a part.
LATE_TEAMS = 2
# Per network: teams that forgot one whole month, teams that skipped one measure for a month,
# and measurements corrected after they were first saved.
FORGOTTEN_MONTHS, SKIPPED_MEASURES, CORRECTIONS = 3, 3, 3


class DemoError(RuntimeError):
    """The demo cannot be loaded (the database already has data)."""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` created."""

    municipalities: int
    units: int
    users: int
    networks: int
    teams: int
    measures: int
    measurements: int
    corrected: int
    interventions: int
    pdsa_cycles: int
    chart_settings: int
    templates: int
    first_period: dt.date
    last_period: dt.date

    def describe(self) -> str:
        return (
            f"Demo county {REGION}: {self.municipalities} municipalities, {self.units} units, "
            f"{self.networks} networks with {self.teams} teams and {self.measures} measures; "
            f"{self.measurements:,} measurements from {self.first_period:%Y-%m} to "
            f"{self.last_period:%Y-%m} ({self.corrected} corrected), {self.interventions} "
            f"interventions with {self.pdsa_cycles} PDSA cycles, {self.chart_settings} chart "
            f"settings, {self.templates} measure templates, {self.users} users."
        )


def database_is_empty(session: Session) -> bool:
    """True when there is no organisation, network or user yet.

    The measure templates do not count: they ship with the app, ``flask templates load`` may have
    loaded them already, and the demo loads them itself.
    """
    for model in (Region, Municipality, Unit, Network, User):
        if session.scalar(select(model.id).limit(1)) is not None:
            return False
    return True


def load_demo(session: Session, seed: int = 2026, today: dt.date | None = None) -> DemoSummary:
    """Build the demo county in ``session`` (flushed, not committed) and say what it holds.

    The last month with data is the month before ``today`` (default: the real today). The county's
    calendar is moved by whole years when ``today`` falls outside April 2026–March 2027, so the
    active networks stay active whenever the demo is loaded.
    """
    if not database_is_empty(session):
        raise DemoError("the database already has data; load the demo into an empty one")
    today = today or clock.today()
    templates = load_templates(session)
    builder = _CountyBuilder(session, seed, today)
    builder.build()
    return DemoSummary(
        municipalities=len(MUNICIPALITIES),
        units=len(UNITS),
        users=len(DEMO_USERS),
        networks=len(NETWORKS),
        teams=builder.teams,
        measures=builder.measures,
        measurements=builder.measurements,
        corrected=builder.corrected,
        interventions=builder.interventions,
        pdsa_cycles=builder.cycles,
        chart_settings=builder.chart_settings,
        templates=templates,
        first_period=builder.first_period,
        last_period=builder.last_period,
    )


def calendar_shift(last_period: dt.date) -> int:
    """Whole years to move the reference calendar so that ``last_period`` falls inside it."""
    months = (last_period.year - REFERENCE_FIRST_PERIOD.year) * 12 + (
        last_period.month - REFERENCE_FIRST_PERIOD.month
    )
    return months // 12


@dataclass
class _Row:
    """A measurement before it is inserted: its final state, and its first one if corrected."""

    team: Team
    measure_id: int
    period: dt.date
    numerator: int
    denominator: int
    comment: str
    entered_at: dt.datetime
    entered_by: int | None
    first_numerator: int | None = None
    corrected_at: dt.datetime | None = None
    corrected_by: int | None = None


class _CountyBuilder:
    """Builds the county step by step; counts what it made for the summary."""

    def __init__(self, session: Session, seed: int, today: dt.date):
        self.session = session
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.today = today
        self.latest_period = default_entry_period(today)
        self.years = calendar_shift(self.latest_period)
        self.rows: list[_Row] = []
        self.teams = self.measures = self.measurements = self.corrected = 0
        self.interventions = self.cycles = self.chart_settings = 0
        self.first_period = self.last_period = self.latest_period

    # -- the whole county ---------------------------------------------------------------------

    def build(self) -> None:
        region = Region(name=REGION)
        self.session.add(region)
        self.units = self._organisation(region)
        self.users = self._users()
        self.session.flush()
        self.member_ids = [
            self.users[u.email].id
            for u in DEMO_USERS
            if TEAM_MEMBER_UNIT in u.units and u.role == "team_member"
        ]
        for position, plan in enumerate(NETWORKS, start=1):
            # Each network draws from a stream of its own: how many months the others have so far
            # (which depends on the day) changes nothing in it, and a closed network is the same
            # whenever the demo is loaded.
            self.rng = np.random.default_rng([self.seed, position])
            self._network(plan, region)
        self._insert_measurements(region)
        self.first_period = min(row.period for row in self.rows)
        self.last_period = max(row.period for row in self.rows)

    def _organisation(self, region: Region) -> dict[str, Unit]:
        municipalities = {
            name: Municipality(region=region, name=name, number=number) for name, number in MUNICIPALITIES
        }
        units = {}
        for plan in UNITS:
            units[plan.name] = Unit(
                municipality=municipalities[plan.municipality],
                name=plan.name,
                kind=plan.kind,
                size=plan.size,
                size_kind=plan.size_kind,
            )
        self.session.add_all([*municipalities.values(), *units.values()])
        return units

    def _users(self) -> dict[str, User]:
        users = {}
        for demo_user in DEMO_USERS:
            user = User(email=demo_user.email, name=demo_user.name, role=demo_user.role, language="nb")
            user.set_password(demo_user.password)
            for unit_name in demo_user.units:
                user.memberships.append(UnitMembership(unit=self.units[unit_name], is_lead=demo_user.is_lead))
            self.session.add(user)
            users[demo_user.email] = user
        return users

    def _facilitator(self) -> User:
        return next(self.users[u.email] for u in DEMO_USERS if u.role == "facilitator")

    def _shifted(self, day: dt.date) -> dt.date:
        return day.replace(year=day.year + self.years)

    # -- one network ----------------------------------------------------------------------------

    def _network(self, plan: NetworkPlan, region: Region) -> None:
        start, end = self._shifted(plan.start), self._shifted(plan.end)
        network = Network(
            region=region,
            name=f"{plan.name} {start.year}–{end.year % 100:02d}",
            topic=plan.topic,
            description=plan.description,
            start_date=start,
            end_date=end,
            status=plan.status,
            language="nb",
        )
        self.session.add(network)
        for number, session_plan in enumerate(plan.sessions, start=1):
            network.sessions.append(
                LearningSession(
                    number=number, date=self._shifted(session_plan.date), title=session_plan.title
                )
            )
        if plan.facilitated:
            network.facilitators.append(self._facilitator())
        templates = {
            t.code: t
            for t in self.session.scalars(
                select(MeasureTemplate).where(MeasureTemplate.code.in_([m.code for m in plan.measures]))
            )
        }
        for position, measure_plan in enumerate(plan.measures):
            network.measures.append(
                definition_from_template(
                    templates[measure_plan.code],
                    "nb",
                    position=position,
                    target=measure_plan.target,
                )
            )
        aim = plan.aim.format(end=month_name_nb(end))
        teams = [Team(network=network, unit=self.units[name], name=name, aim=aim) for name in plan.units]
        self.session.add_all(teams)
        self.session.flush()
        self.teams += len(teams)
        self.measures += len(plan.measures)

        network_start = start.replace(day=1)
        last = end.replace(day=1)
        if plan.status == "active":
            last = min(last, self.latest_period)
        courses = self._courses(plan, teams, network_start, last)
        rows = self._measurements(plan, network, teams, courses, last)
        if plan.status == "active":
            self._leave_last_month_open(plan, teams, rows, last)
        self._leave_gaps(plan, teams, rows, network, last)
        self._correct_some(rows, network_start)
        self.rows.extend(rows)
        self._interventions_and_charts(plan, network, teams, courses, last)

    def _courses(
        self, plan: NetworkPlan, teams: list[Team], network_start: dt.date, last: dt.date
    ) -> dict[int, TeamCourse]:
        """Which teams improve, and the month each team starts its first change."""
        others = [t for t in teams if t.name not in plan.sure_improvers]
        extra = plan.improvers - len(plan.sure_improvers)
        picked = {others[i].name for i in self.rng.choice(len(others), size=extra, replace=False)}
        improvers = set(plan.sure_improvers) | picked
        courses = {}
        for team in teams:
            improves = team.name in improvers
            offset = int(self.rng.integers(1, 4)) if improves else int(self.rng.integers(1, 6))
            change = add_months(network_start, offset)
            courses[team.id] = TeamCourse(
                improves=improves,
                change=change if change <= last else None,
                ramp_months=int(self.rng.integers(2, 5)),
            )
        return courses

    def _measurements(
        self,
        plan: NetworkPlan,
        network: Network,
        teams: list[Team],
        courses: dict[int, TeamCourse],
        last: dt.date,
    ) -> list[_Row]:
        rows = []
        measures = {m.code: m for m in network.measures}
        for team in teams:
            length = int(self.rng.integers(SERIES_MONTHS[0], SERIES_MONTHS[1] + 1))
            periods = months_between(add_months(last, -(length - 1)), last)
            unit_plan = next(u for u in UNITS if u.name == team.unit.name)
            counts = {period: month_counts(unit_plan, period, self.rng) for period in periods}
            entries = {period: self._entered_at(period) for period in periods}
            comments = {
                period: SEASON_COMMENTS[period.month]
                for period in periods
                if period.month in SEASON_COMMENTS and self.rng.random() < 0.2
            }
            for position, measure_plan in enumerate(plan.measures):
                measure = measures[measure_plan.code]
                draws = draw_series(
                    periods,
                    counts,
                    measure_plan.model,
                    measure.value_kind,
                    measure.multiplier,
                    courses[team.id],
                    self.rng,
                )
                for draw in draws:
                    rows.append(
                        _Row(
                            team=team,
                            measure_id=measure.id,
                            period=draw.period,
                            numerator=draw.numerator,
                            denominator=draw.denominator,
                            comment=comments.get(draw.period, "") if position == 0 else "",
                            entered_at=entries[draw.period],
                            entered_by=self._member_for(team, draw.period),
                        )
                    )
        return rows

    def _member_for(self, team: Team, period: dt.date) -> int | None:
        """The team member's ward has two demo users who take turns; other teams have none."""
        if team.unit.name != TEAM_MEMBER_UNIT:
            return None
        return self.member_ids[period.month % len(self.member_ids)]

    def _entered_at(self, period: dt.date) -> dt.datetime:
        """Teams enter a month's numbers during the first days of the next month."""
        day = add_months(period, 1) + dt.timedelta(days=int(self.rng.integers(1, 12)))
        moment = dt.datetime.combine(
            day, dt.time(int(self.rng.integers(7, 15)), int(self.rng.integers(0, 60))), tzinfo=UTC
        )
        return min(moment, dt.datetime.combine(self.today, dt.time(6, 0), tzinfo=UTC))

    def _leave_last_month_open(
        self, plan: NetworkPlan, teams: list[Team], rows: list[_Row], last: dt.date
    ) -> None:
        """A few teams have not entered last month yet, and one has entered only part of it."""
        candidates = [t for t in teams if t.unit.name != TEAM_MEMBER_UNIT]
        order = self.rng.permutation(len(candidates))
        late = {candidates[i].id for i in order[:LATE_TEAMS]}
        partial = candidates[order[LATE_TEAMS]].id
        half = {m.code for m in plan.measures[len(plan.measures) // 2 :]}
        code_of = {m.id: m.code for m in teams[0].network.measures}
        rows[:] = [
            row
            for row in rows
            if not (
                row.period == last
                and (row.team.id in late or (row.team.id == partial and code_of[row.measure_id] in half))
            )
        ]

    def _leave_gaps(
        self,
        plan: NetworkPlan,
        teams: list[Team],
        rows: list[_Row],
        network: Network,
        last: dt.date,
    ) -> None:
        """Months a team forgot, and single measures a team skipped, so completeness shows gaps.

        Each team loses at most one whole month and one single value, so every series keeps at least
        24 months.
        """
        order = self.rng.permutation(len(teams))
        forgot = [teams[i] for i in order[:FORGOTTEN_MONTHS]]
        skipped = [teams[i] for i in order[FORGOTTEN_MONTHS : FORGOTTEN_MONTHS + SKIPPED_MEASURES]]
        drop: set[tuple[int, int | None, dt.date]] = set()
        for team in forgot:
            periods = sorted(
                {r.period for r in rows if r.team.id == team.id and r.period < add_months(last, -1)}
            )
            drop.add((team.id, None, periods[int(self.rng.integers(1, len(periods)))]))
        for team in skipped:
            periods = sorted(
                {r.period for r in rows if r.team.id == team.id and r.period < add_months(last, -1)}
            )
            measure = network.measures[int(self.rng.integers(0, len(network.measures)))]
            drop.add((team.id, measure.id, periods[int(self.rng.integers(1, len(periods)))]))
        rows[:] = [
            row
            for row in rows
            if (row.team.id, None, row.period) not in drop
            and (row.team.id, row.measure_id, row.period) not in drop
        ]

    def _correct_some(self, rows: list[_Row], network_start: dt.date) -> None:
        """A few numbers were first saved wrong and corrected a few days later."""
        candidates = [r for r in rows if r.period >= network_start and r.numerator >= 2]
        for index in self.rng.choice(len(candidates), size=CORRECTIONS, replace=False):
            row = candidates[int(index)]
            first = row.numerator + int(self.rng.choice([-2, -1, 1, 2]))
            if first > row.denominator or first == row.numerator:
                first = row.numerator - 1
            row.first_numerator = first
            later = row.entered_at + dt.timedelta(days=int(self.rng.integers(2, 20)), hours=3)
            row.corrected_at = min(later, dt.datetime.combine(self.today, dt.time(6, 30), tzinfo=UTC))
            row.corrected_at = max(row.corrected_at, row.entered_at + dt.timedelta(minutes=5))
            row.corrected_by = row.entered_by
            row.comment = CORRECTION_COMMENT
            self.corrected += 1

    # -- interventions, PDSA cycles and chart settings --------------------------------------------

    def _interventions_and_charts(
        self,
        plan: NetworkPlan,
        network: Network,
        teams: list[Team],
        courses: dict[int, TeamCourse],
        last: dt.date,
    ) -> None:
        first_measure = network.measures[0]
        froze = excluded = False
        for team in teams:
            course = courses[team.id]
            if course.change is None:
                continue
            by = self.member_ids[0] if team.unit.name == TEAM_MEMBER_UNIT else None
            choices = plan.primary_ideas if course.improves else len(plan.ideas)
            idea = plan.ideas[int(self.rng.integers(0, choices))]
            first = self._intervention(team, idea, course.change, course.improves, by)
            if course.improves and self.rng.random() < 0.6:
                second_month = add_months(course.change, int(self.rng.integers(2, 6)))
                others = [i for i in plan.ideas if i is not idea]
                second = others[int(self.rng.integers(0, len(others)))]
                if second_month <= last:
                    self._intervention(team, second, second_month, True, by, cycles=1)
            settings = None
            if course.improves and plan.status == "closed" and not froze:
                # The closed network's first improving team froze its baseline at the network start.
                settings = ChartSettings(team_id=team.id, measure_id=first_measure.id)
                settings.freeze_period = add_months(network.start_date.replace(day=1), -1)
                froze = True
            elif course.improves:
                settings = ChartSettings(team_id=team.id, measure_id=first_measure.id)
                settings.phases.append(ChartPhase(start_period=course.change, label=first.short_label))
                if team.unit.kind == "home_care_district":
                    # Large denominators make p chart limits too narrow; Laney's p' allows for it.
                    settings.chart_kind = "pp"
            elif plan.status == "active" and not excluded:
                settings = ChartSettings(team_id=team.id, measure_id=first_measure.id)
                settings.exclusions.append(
                    ChartExclusion(period=add_months(course.change, -1), reason=EXCLUSION_REASON)
                )
                excluded = True
            if settings is not None:
                self.session.add(settings)
                self.chart_settings += 1
        self.session.flush()

    def _intervention(
        self,
        team: Team,
        idea: ChangeIdea,
        month: dt.date,
        works: bool,
        created_by: int | None,
        cycles: int | None = None,
    ) -> Intervention:
        """The change with its PDSA cycles; a working change is adopted, the others abandoned."""
        start = month + dt.timedelta(days=int(self.rng.integers(2, 15)))
        intervention = Intervention(
            team=team,
            title=idea.title,
            short_label=idea.short_label,
            description=idea.description,
            start_date=start,
            created_at=dt.datetime.combine(start, dt.time(9, 0), tzinfo=UTC),
            created_by_id=created_by,
        )
        if works:
            # An idea's first cycle ends in "adapt" (its act says what to change), the later ones in
            # "adopt"; a one-cycle idea that works always gets a spreading cycle after it.
            plans: list[CyclePlan] = list(idea.cycles)
            if len(plans) == 1 or (len(plans) < 3 and self.rng.random() < 0.5):
                plans.append(SPREAD_CYCLE)
            outcomes = ["adapt"] + ["adopt"] * (len(plans) - 1)
        else:
            plans = [idea.cycles[0], ABANDONED_CYCLE]
            outcomes = ["adapt", "abandon"]
        if cycles is not None:
            plans, outcomes = plans[:cycles], outcomes[:cycles]
        for number, (cycle_plan, outcome) in enumerate(zip(plans, outcomes, strict=True), start=1):
            cycle_start = start + dt.timedelta(days=21 * (number - 1))
            if cycle_start > self.today:
                break
            cycle_end = cycle_start + dt.timedelta(days=14)
            finished = cycle_end < self.today
            intervention.cycles.append(
                PdsaCycle(
                    number=number,
                    plan=cycle_plan.plan,
                    do=cycle_plan.do,
                    study=cycle_plan.study if finished else "",
                    act=cycle_plan.act if finished else "",
                    start_date=cycle_start,
                    end_date=cycle_end if finished else None,
                    outcome=outcome if finished else None,
                )
            )
            if finished and outcome == "abandon":
                intervention.end_date = cycle_end
        self.session.add(intervention)
        self.interventions += 1
        self.cycles += len(intervention.cycles)
        return intervention

    # -- bulk insert -------------------------------------------------------------------------------

    def _insert_measurements(self, region: Region) -> None:
        """Every month through the one write path, as if entered over the months: first as each was
        entered, then the corrections a few days later."""
        self.rows.sort(key=lambda r: (r.team.id, r.measure_id, r.period))
        entered = [
            recording.Change(
                row.team.id,
                row.measure_id,
                row.period,
                recording.Values(
                    row.first_numerator if row.first_numerator is not None else row.numerator,
                    row.denominator,
                    None,
                    "" if row.first_numerator is not None else row.comment,
                ),
                by=row.entered_by,
                at=row.entered_at,
            )
            for row in self.rows
        ]
        summary = recording.Summary("demo.load", region, {"measurements": len(entered)})
        ids = recording.save_many(entered, None, summary=summary)
        # The corrections are audited one by one, as a team's own corrections are.
        corrected = [
            recording.Change(
                row.team.id,
                row.measure_id,
                row.period,
                recording.Values(row.numerator, row.denominator, None, row.comment),
                recording.Base(ids[(row.team.id, row.measure_id, row.period)], 1),
                by=row.corrected_by,
                at=row.corrected_at,
            )
            for row in self.rows
            if row.first_numerator is not None
        ]
        recording.save_many(corrected, None)
        self.measurements = len(ids)
