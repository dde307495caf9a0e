"""The demo county: complete, plausible, deterministic, and usable by every role."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

import pytest
import time_machine
from sqlalchemy import func, select

from learnnet.accounts import check_password_policy
from learnnet.clock import ZONE
from learnnet.demo import DEMO_USERS, DemoError, calendar_shift, database_is_empty, load_demo
from learnnet.demo.county import NETWORKS, TEAM_MEMBER_UNIT
from learnnet.library import load_templates
from learnnet.measurements.periods import default_entry_period
from learnnet.models import (
    ROLES,
    ChartSettings,
    Intervention,
    LearningSession,
    MeasureDefinition,
    Measurement,
    MeasurementHistory,
    Municipality,
    Network,
    PdsaCycle,
    Region,
    Team,
    Unit,
    User,
)
from tests.clock import LAST_MONTH, TODAY, nb_month

# The demo's reference calendar (learnnet/demo/county.py), moved by whole years to the run's day.
YEARS = calendar_shift(LAST_MONTH)


def year(reference_year: int) -> int:
    return reference_year + YEARS


def named(name: str, first: int, last: int) -> str:
    """A demo network's name with its years: "Underernæring 2025–27" on the reference calendar."""
    return f"{name} {year(first)}–{year(last) % 100:02d}"


@pytest.fixture
def demo(db_session):
    return load_demo(db_session)  # today from the clock


def network_named(session, prefix: str) -> Network:
    return session.scalar(select(Network).where(Network.name.startswith(prefix)))


def series(session, network: Network) -> dict[tuple[str, str], list[Measurement]]:
    """Each (team name, measure code) of the network with its measurements in period order."""
    rows = session.execute(
        select(Team.name, MeasureDefinition.code, Measurement)
        .join(Measurement.team)
        .join(Measurement.measure)
        .where(Team.network_id == network.id)
        .order_by(Measurement.period)
    )
    found: dict[tuple[str, str], list[Measurement]] = defaultdict(list)
    for team_name, code, measurement in rows:
        found[(team_name, code)].append(measurement)
    return found


def ratio(measurements: list[Measurement], multiplier: float) -> float:
    return sum(m.numerator for m in measurements) / sum(m.denominator for m in measurements) * multiplier


def digest(session) -> str:
    """A fingerprint of the demo's content by natural keys (ids and password hashes left out)."""
    parts = []
    parts += session.execute(
        select(Municipality.name, Municipality.number, Unit.name, Unit.kind, Unit.size)
        .join(Unit.municipality)
        .order_by(Unit.name)
    ).all()
    parts += session.execute(
        select(Network.name, Network.start_date, Network.end_date, Network.status).order_by(Network.name)
    ).all()
    parts += session.execute(
        select(Network.name, LearningSession.number, LearningSession.date, LearningSession.title)
        .join(LearningSession.network)
        .order_by(Network.name, LearningSession.number)
    ).all()
    parts += session.execute(
        select(Network.name, MeasureDefinition.code, MeasureDefinition.name, MeasureDefinition.target)
        .join(MeasureDefinition.network)
        .order_by(Network.name, MeasureDefinition.position)
    ).all()
    team_key = (Network.name, Team.name)
    parts += session.execute(
        select(
            *team_key,
            MeasureDefinition.code,
            Measurement.period,
            Measurement.numerator,
            Measurement.denominator,
            Measurement.comment,
            Measurement.version,
            Measurement.created_at,
            Measurement.updated_at,
            User.email,
        )
        .join(Measurement.team)
        .join(Team.network)
        .join(Measurement.measure)
        .outerjoin(User, User.id == Measurement.created_by_id)
        .order_by(*team_key, MeasureDefinition.code, Measurement.period)
    ).all()
    parts += session.execute(
        select(
            *team_key,
            MeasureDefinition.code,
            Measurement.period,
            MeasurementHistory.action,
            MeasurementHistory.version,
            MeasurementHistory.numerator,
            MeasurementHistory.changed_at,
        )
        .join(MeasurementHistory.measurement)
        .join(Measurement.team)
        .join(Team.network)
        .join(Measurement.measure)
        .order_by(*team_key, MeasureDefinition.code, Measurement.period, MeasurementHistory.version)
    ).all()
    parts += session.execute(
        select(
            *team_key,
            Intervention.title,
            Intervention.start_date,
            Intervention.end_date,
            PdsaCycle.number,
            PdsaCycle.start_date,
            PdsaCycle.outcome,
            PdsaCycle.study,
        )
        .join(Intervention.team)
        .join(Team.network)
        .outerjoin(PdsaCycle, PdsaCycle.intervention_id == Intervention.id)
        .order_by(*team_key, Intervention.start_date, PdsaCycle.number)
    ).all()
    for settings in session.scalars(select(ChartSettings)):
        parts.append(
            (
                session.get(Team, settings.team_id).name,
                session.get(MeasureDefinition, settings.measure_id).code,
                settings.chart_kind,
                settings.freeze_period,
                [(p.start_period, p.label) for p in settings.phases],
                [(e.period, e.reason) for e in settings.exclusions],
            )
        )
    parts.sort(key=repr)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# -- the users -------------------------------------------------------------------------------------


def test_one_demo_user_per_role_with_a_valid_password():
    assert {user.role for user in DEMO_USERS} == set(ROLES)
    assert len({user.email for user in DEMO_USERS}) == len(DEMO_USERS)
    for user in DEMO_USERS:
        check_password_policy(user.password)
        assert user.email.endswith("@demo.learnnet.no")
    leads = [user for user in DEMO_USERS if user.is_lead]
    assert [user.role for user in leads] == ["team_member"]


# -- loading ---------------------------------------------------------------------------------------


def test_an_empty_database_is_empty_even_with_the_template_library(db_session):
    assert database_is_empty(db_session)
    load_templates(db_session)
    assert database_is_empty(db_session)


def test_load_demo_refuses_a_database_with_data(db_session, world):
    assert not database_is_empty(db_session)
    with pytest.raises(DemoError, match="already has data"):
        load_demo(db_session, today=TODAY)


def test_the_county_has_six_municipalities_and_about_twenty_units(demo, db_session):
    region = db_session.scalar(select(Region))
    assert region.name == "Vestfold"
    numbers = {m.name: m.number for m in region.municipalities}
    assert numbers == {
        "Horten": "3901",
        "Holmestrand": "3903",
        "Tønsberg": "3905",
        "Sandefjord": "3907",
        "Larvik": "3909",
        "Færder": "3911",
    }
    units = list(db_session.scalars(select(Unit)))
    assert 18 <= len(units) <= 25
    for unit in units:
        if unit.size_kind == "beds":
            assert 8 <= unit.size <= 25, unit.name
        else:
            assert unit.kind == "home_care_district"
            assert 40 <= unit.size <= 150, unit.name
    assert demo.units == len(units)
    assert not database_is_empty(db_session)


def test_three_networks_with_sessions_measures_and_teams(demo, db_session):
    networks = list(db_session.scalars(select(Network).order_by(Network.start_date)))
    assert [n.status for n in networks] == ["closed", "active", "active"]
    falls, malnutrition, early = networks
    assert falls.topic == "falls" and falls.end_date == dt.date(year(2025), 5, 31)
    assert malnutrition.topic == "malnutrition"
    assert malnutrition.start_date.year == year(2025) and malnutrition.start_date.month >= 8
    assert malnutrition.end_date >= dt.date(year(2026), 12, 1)
    assert early.topic == "early_detection"
    assert early.start_date.year == year(2026) and early.end_date.year == year(2027)
    for network in networks:
        assert [s.number for s in network.sessions] == [1, 2, 3]
        for learning_session in network.sessions:
            assert network.start_date <= learning_session.date <= network.end_date
            assert learning_session.title.startswith(f"Samling {learning_session.number}:")
        assert 4 <= len(network.measures) <= 6
        for measure in network.measures:
            assert measure.template is not None
            assert measure.name == measure.template.text("nb", "name")
        assert any(m.target is not None for m in network.measures)
        assert 6 <= len(network.teams) <= 8
        assert all(team.aim for team in network.teams)
    unit_networks = defaultdict(set)
    for team in db_session.scalars(select(Team)):
        unit_networks[team.unit.name].add(team.network_id)
    assert len(unit_networks[TEAM_MEMBER_UNIT]) == 3
    assert demo.networks == 3 and demo.teams == sum(len(n.teams) for n in networks)


def test_every_series_has_24_to_36_months_of_plausible_counts(demo, db_session):
    counted = {m.code: m.model.denominator for plan in NETWORKS for m in plan.measures}
    for network in db_session.scalars(select(Network)):
        units = {team.name: team.unit for team in network.teams}
        kinds = {m.code: m.value_kind for m in network.measures}
        for (team_name, code), measurements in series(db_session, network).items():
            assert 24 <= len(measurements) <= 36, (team_name, code)
            unit = units[team_name]
            for m in measurements:
                assert m.period.day == 1 and m.value is None
                assert m.numerator >= 0
                if kinds[code] == "proportion":
                    assert m.numerator <= m.denominator, (team_name, code, m.period)
                if counted[code] == "bed_days":
                    assert 240 <= m.denominator <= 750, (team_name, code, m.denominator)
                    assert m.denominator <= unit.size * 31
                    assert m.numerator < m.denominator / 20
                if counted[code] == "residents" and unit.size_kind == "beds":
                    assert unit.size - 2 <= m.denominator <= unit.size
                if counted[code] == "residents" and unit.size_kind == "service_users":
                    assert 0.93 * unit.size <= m.denominator <= 1.07 * unit.size
                    assert 40 <= m.denominator <= 150
    assert demo.measurements == db_session.scalar(select(func.count()).select_from(Measurement))


def test_active_networks_run_to_last_month_with_gaps_and_the_closed_one_to_its_end(demo, db_session):
    for network in db_session.scalars(select(Network)):
        found = series(db_session, network)
        last_periods = {key: ms[-1].period for key, ms in found.items()}
        if network.status == "active":
            assert max(last_periods.values()) == LAST_MONTH
            late_teams = {team for (team, _code), last in last_periods.items() if last < LAST_MONTH}
            assert 2 <= len(late_teams) < len(network.teams)
            assert TEAM_MEMBER_UNIT not in late_teams
        else:
            assert set(last_periods.values()) == {network.end_date.replace(day=1)}
        months_per_series = {key: {m.period for m in ms} for key, ms in found.items()}
        with_gaps = [
            key
            for key, months in months_per_series.items()
            if len(months)
            < (max(months).year - min(months).year) * 12 + max(months).month - min(months).month + 1
        ]
        assert with_gaps, network.name
        for measurements in found.values():
            assert measurements[0].period < network.start_date  # baseline before the network


def test_some_teams_improve_and_others_vary_around_a_stable_level(demo, db_session):
    malnutrition = network_named(db_session, "Underernæring")
    changes = {
        team: ratio(ms[-6:], 100) - ratio(ms[:6], 100)
        for (team, code), ms in series(db_session, malnutrition).items()
        if code == "malnutrition.screened"
    }
    improved = [team for team, change in changes.items() if change >= 25]
    stable = [team for team, change in changes.items() if abs(change) < 10]
    assert len(improved) >= 2 and len(stable) >= 2, changes
    assert TEAM_MEMBER_UNIT in improved
    falls = network_named(db_session, "Fallforebygging")
    factors = [
        ratio(ms[-6:], 1000) / ratio(ms[:6], 1000)
        for (_team, code), ms in series(db_session, falls).items()
        if code == "falls.rate"
    ]
    assert min(factors) <= 2 / 3 and any(abs(f - 1) < 0.1 for f in factors), factors


def test_every_measurement_has_history_and_some_were_corrected(demo, db_session):
    count = db_session.scalar(select(func.count()).select_from(Measurement))
    creates = db_session.scalar(
        select(func.count()).select_from(MeasurementHistory).where(MeasurementHistory.action == "create")
    )
    assert creates == count
    updates = list(
        db_session.scalars(select(MeasurementHistory).where(MeasurementHistory.action == "update"))
    )
    assert len(updates) == demo.corrected >= 3
    for update in updates:
        measurement = update.measurement
        create = next(h for h in measurement.history if h.action == "create")
        assert measurement.version == update.version == 2
        assert update.numerator == measurement.numerator != create.numerator
        assert create.changed_at < update.changed_at == measurement.updated_at
        assert measurement.comment


def test_the_team_members_ward_is_entered_by_them_and_no_one_else(demo, db_session):
    members = {u.id for u in db_session.scalars(select(User).where(User.role == "team_member"))}
    rows = db_session.execute(
        select(Unit.name, Measurement.created_by_id, Measurement.updated_by_id)
        .join(Measurement.team)
        .join(Team.unit)
    ).all()
    for unit_name, created_by, updated_by in rows:
        if unit_name == TEAM_MEMBER_UNIT:
            assert created_by in members and updated_by in members
        else:
            assert created_by is None
    assert {created_by for unit, created_by, _ in rows if unit == TEAM_MEMBER_UNIT} == members


def test_interventions_have_pdsa_cycles_and_some_charts_have_phases(demo, db_session):
    interventions = list(db_session.scalars(select(Intervention)))
    assert len(interventions) == demo.interventions >= 10
    outcomes = set()
    for intervention in interventions:
        assert 1 <= len(intervention.cycles) <= 3
        assert 0 < len(intervention.short_label) <= 25
        assert intervention.start_date <= TODAY
        for cycle in intervention.cycles:
            assert cycle.plan and cycle.do
            assert cycle.start_date >= intervention.start_date
            if cycle.outcome is not None:
                assert cycle.study and cycle.act and cycle.end_date <= TODAY
            outcomes.add(cycle.outcome)
    assert {"adopt", "adapt", "abandon"} <= outcomes
    settings = list(db_session.scalars(select(ChartSettings)))
    assert len(settings) == demo.chart_settings
    phases = [(s, p) for s in settings for p in s.phases]
    assert len(phases) >= 3
    for chart, phase in phases:
        labels = {
            i.short_label
            for i in db_session.scalars(select(Intervention).where(Intervention.team_id == chart.team_id))
        }
        assert phase.label in labels
    assert sum(1 for s in settings if s.freeze_period is not None) == 1
    assert any(s.exclusions for s in settings)


def test_the_same_seed_and_day_give_the_same_county(db_session):
    load_demo(db_session, seed=7, today=TODAY)
    first = digest(db_session)
    db_session.rollback()
    assert database_is_empty(db_session)
    load_demo(db_session, seed=7, today=TODAY)
    assert digest(db_session) == first
    db_session.rollback()
    load_demo(db_session, seed=8, today=TODAY)
    assert digest(db_session) != first


def test_the_calendar_moves_by_whole_years_to_stay_current():
    assert calendar_shift(dt.date(2026, 3, 1)) == 0
    assert calendar_shift(dt.date(2027, 2, 1)) == 0
    assert calendar_shift(dt.date(2027, 3, 1)) == 1
    assert calendar_shift(dt.date(2026, 2, 1)) == -1


def test_loaded_later_the_active_networks_are_still_running(db_session):
    load_demo(db_session, today=dt.date(2028, 8, 15))
    last = dt.date(2028, 7, 1)
    for network in db_session.scalars(select(Network).where(Network.status == "active")):
        assert network.start_date < last <= network.end_date
        latest = db_session.scalar(
            select(func.max(Measurement.period)).join(Measurement.team).where(Team.network_id == network.id)
        )
        assert latest == last


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2027, 1, 1),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 1),
        dt.date(2028, 2, 29),
        dt.date(2028, 3, 1),
    ],
    ids=str,
)
def test_on_the_edges_of_its_calendar_the_demo_loads_and_its_pages_work(db_session, client, auth, day):
    # Half past midnight in Norway: still the day before in UTC, and the day in Norway counts.
    with time_machine.travel(dt.datetime.combine(day, dt.time(0, 30), ZONE)):
        load_demo(db_session)
        last = default_entry_period(day)
        active = list(db_session.scalars(select(Network).where(Network.status == "active")))
        assert len(active) == 2
        for network in active:
            assert network.start_date < last <= network.end_date
            for learning_session in network.sessions:
                assert network.start_date <= learning_session.date <= network.end_date
            latest = db_session.scalar(
                select(func.max(Measurement.period))
                .join(Measurement.team)
                .where(Team.network_id == network.id)
            )
            assert latest == last
        facilitator = next(u for u in DEMO_USERS if u.role == "facilitator")
        auth.login(facilitator.email, facilitator.password)
        for network in active:
            assert client.get(f"/networks/{network.id}").status_code == 200
        auth.logout()
        member = next(u for u in DEMO_USERS if u.role == "team_member" and not u.is_lead)
        auth.login(member.email, member.password)
        team = db_session.scalar(
            select(Team).join(Team.unit).where(Unit.name == TEAM_MEMBER_UNIT, Team.network_id == active[0].id)
        )
        page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
        assert f"Tall for {nb_month(last)}" in page
        assert client.get(f"/teams/{team.id}").status_code == 200


# -- using it --------------------------------------------------------------------------------------

LANDING = {
    "admin": (
        "/county/",
        ["Vestfold", named("Underernæring", 2025, 2027), named("Fallforebygging", 2024, 2025)],
    ),
    "centre": ("/county/", ["Vestfold", named("Tidlig oppdagelse av forverret tilstand", 2026, 2027)]),
    "viewer": ("/county/", ["Vestfold", named("Underernæring", 2025, 2027)]),
    "facilitator": (
        "/networks/",
        [named("Underernæring", 2025, 2027), "Tidlig oppdagelse av forverret tilstand"],
    ),
    "team_member": ("/my-teams", [TEAM_MEMBER_UNIT, named("Underernæring", 2025, 2027)]),
}


def test_every_demo_user_logs_in_and_lands_on_a_page_with_data(demo, client, auth):
    # One load for all the users: the demo takes half a second to build.
    for user in DEMO_USERS:
        response = auth.login(user.email, user.password)
        assert response.status_code == 302, user.email
        home = client.get("/")
        assert home.status_code == 302
        path, texts = LANDING[user.role]
        assert home.headers["Location"].endswith(path), user.email
        page = client.get(home.headers["Location"])
        assert page.status_code == 200, user.email
        body = page.get_data(as_text=True)
        for text in texts:
            assert text in body, (user.email, text)
        if user.role == "facilitator":
            assert "Fallforebygging" not in body  # the facilitator does not run the closed network
        auth.logout()


def test_the_team_member_sees_only_their_teams(demo, db_session, client, auth):
    member = next(u for u in DEMO_USERS if u.role == "team_member" and not u.is_lead)
    auth.login(member.email, member.password)
    body = client.get("/my-teams").get_data(as_text=True)
    assert "Tjøme omsorgssenter" not in body
    for team in db_session.scalars(select(Team)):
        expected = 200 if team.unit.name == TEAM_MEMBER_UNIT else 403
        assert client.get(f"/teams/{team.id}").status_code == expected, team.name


def test_flask_demo_load_refuses_a_database_with_data(runner, world, db_session):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "already has data" in result.output


def test_flask_demo_load_if_empty_leaves_a_database_with_data_alone(runner, world, db_session):
    before = db_session.scalar(select(func.count()).select_from(Network))
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "was not loaded" in result.output
    assert db_session.scalar(select(func.count()).select_from(Network)) == before


def test_flask_demo_load_if_empty_loads_an_empty_database(runner, db_session):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Demo county Vestfold" in result.output
    assert "flask demo logins" in result.output
    assert db_session.scalar(select(func.count()).select_from(Network)) == 3


def test_flask_demo_logins_prints_one_login_per_line(runner):
    result = runner.invoke(args=["demo", "logins"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split() for line in lines] == [[u.role, u.email, u.password] for u in DEMO_USERS]
