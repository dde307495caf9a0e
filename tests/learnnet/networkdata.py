"""A network with months of data for the network and county tests: three wards in two
municipalities, a proportion and a rate, three learning sessions, and one tiny ward whose counts
are below the small-number threshold."""

from __future__ import annotations

import random
from types import SimpleNamespace

from learnnet.measurements.periods import months_between
from learnnet.models import LearningSession, Measurement, UnitMembership
from tests.clock import END, day, month
from tests.learnnet import factories as f

START = month(0)
FIRST = month(-18)
LAST = month(21)


def build(world, *, seed: int = 7) -> SimpleNamespace:
    """Add to ``world`` (the conftest's small county) a network with data and sessions."""
    rng = random.Random(seed)
    region = world.region
    horten = world.own_team.unit.municipality
    faerder = f.MunicipalityFactory(region=region, name="Færder")
    network = f.NetworkFactory(region=region, name="Ernæring i Vestfold", start_date=START, end_date=END)
    network.facilitators.append(world.users["facilitator"])
    units = [
        f.UnitFactory(municipality=horten, name="Åsgårdstrand, avd. A"),
        f.UnitFactory(municipality=horten, name="Borre, avd. B"),
        f.UnitFactory(municipality=faerder, name="Tjøme omsorgssenter"),
        f.UnitFactory(municipality=faerder, name="Smidsrød, liten avd.", size=4),
    ]
    teams = [f.TeamFactory(network=network, unit=u, name=u.name) for u in units]
    screening = f.MeasureFactory(
        network=network,
        code="malnutrition.screened",
        name="Beboere screenet",
        short_name="Screening",
        target=90.0,
        position=0,
    )
    falls = f.MeasureFactory(
        network=network,
        code="falls.rate",
        name="Fall per 1000 liggedøgn",
        short_name="Fall",
        value_kind="rate",
        multiplier=1000.0,
        unit_label="per 1000 liggedøgn",
        direction="down",
        position=1,
    )
    improving = {teams[0].id: 0.35, teams[1].id: 0.25, teams[2].id: 0.0, teams[3].id: 0.0}
    for team in teams:
        residents = 4 if team is teams[3] else rng.randint(14, 24)
        for period in months_between(FIRST, LAST):
            p = 0.5 + (improving[team.id] if period >= START else 0.0)
            screened = sum(rng.random() < p for _ in range(residents))
            f.MeasurementFactory(
                team=team, measure=screening, period=period, numerator=screened, denominator=residents
            )
            bed_days = residents * 30
            f.MeasurementFactory(
                team=team, measure=falls, period=period, numerator=rng.randint(0, 6), denominator=bed_days
            )
    session = f.RegionFactory._meta.sqlalchemy_session
    sessions = [
        LearningSession(network_id=network.id, number=1, date=day(2, 10), title="Oppstart"),
        LearningSession(network_id=network.id, number=2, date=day(9, 15), title="Midtveis"),
        LearningSession(network_id=network.id, number=3, date=day(22, 20), title="Avslutning"),
    ]
    session.add_all(sessions)
    f.InterventionFactory(team=teams[0], title="Vekt første mandag", short_label="Vekt", start_date=day(4, 4))
    member = f.UserFactory(role="team_member", email="tjome@example.no")
    member.memberships.append(UnitMembership(unit=units[3]))
    viewer = f.UserFactory(role="viewer", email="tjome-viewer@example.no")
    viewer.memberships.append(UnitMembership(unit=units[3]))
    session.flush()
    session.expire(network, ["sessions"])
    return SimpleNamespace(
        network=network,
        teams=teams,
        units=units,
        screening=screening,
        falls=falls,
        sessions=sessions,
        tiny=teams[3],
        tiny_member=member,
        tiny_viewer=viewer,
        faerder=faerder,
        horten=horten,
    )


__all__ = ["build", "Measurement"]
