"""factory_boy factories for the domain model; each flushes into the test's session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from learnnet import clock as learnnet_clock
from learnnet import models
from learnnet.measurements import recording
from tests import clock

PASSWORD = "correct horse battery"

_factories: list[type[SQLAlchemyModelFactory]] = []


def configure_factories(session) -> None:
    for factory_class in _factories:
        factory_class._meta.sqlalchemy_session = session


def _register(cls):
    _factories.append(cls)
    return cls


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


@_register
class RegionFactory(_Base):
    class Meta:
        model = models.Region

    name = factory.Sequence(lambda k: f"Region {k}")


@_register
class MunicipalityFactory(_Base):
    class Meta:
        model = models.Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda k: f"Municipality {k}")


@_register
class UnitFactory(_Base):
    class Meta:
        model = models.Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda k: f"Ward {k}")
    kind = "nursing_home_ward"
    size = 16
    size_kind = "beds"


@_register
class NetworkFactory(_Base):
    class Meta:
        model = models.Network

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda k: f"Malnutrition network {k}")
    topic = "malnutrition"
    # Around the frozen clock's month (tests/clock.py): 22 months past, this month and the next.
    start_date = factory.LazyFunction(lambda: clock.network_period(learnnet_clock.this_month())[0])
    end_date = factory.LazyFunction(lambda: clock.network_period(learnnet_clock.this_month())[1])
    status = "active"
    rule_set = "anhoej"
    language = "nb"


@_register
class TeamFactory(_Base):
    class Meta:
        model = models.Team

    network = factory.SubFactory(NetworkFactory)
    unit = factory.SubFactory(UnitFactory)
    name = factory.LazyAttribute(lambda team: team.unit.name)


@_register
class MeasureFactory(_Base):
    class Meta:
        model = models.MeasureDefinition

    network = factory.SubFactory(NetworkFactory)
    code = factory.Sequence(lambda k: f"measure-{k}")
    name = "Residents screened for malnutrition risk"
    measure_type = "process"
    value_kind = "proportion"
    multiplier = 100.0
    unit_label = "%"
    direction = "up"
    position = factory.Sequence(int)


@_register
class RateMeasureFactory(MeasureFactory):
    name = "Fall per 1000 liggedøgn"
    value_kind = "rate"
    multiplier = 1000.0
    unit_label = "per 1000 liggedøgn"
    direction = "down"


@_register
class CountMeasureFactory(MeasureFactory):
    name = "Antall fall"
    value_kind = "count"
    multiplier = 1.0
    unit_label = ""
    direction = "down"


@_register
class MeasurementFactory(_Base):
    class Meta:
        model = models.Measurement

    team = factory.SubFactory(TeamFactory)
    measure = factory.SubFactory(MeasureFactory, network=factory.SelfAttribute("..team.network"))
    period = clock.month(2)
    numerator = 8
    denominator = 16

    @classmethod
    def _create(cls, model_class, team, measure, period, *, updated_by_id=None, **values):
        """Saved through learnnet's one write path, with its history line and series version."""
        cls._meta.sqlalchemy_session.flush()  # the team and measure may not have their ids yet
        fields = {"numerator": None, "denominator": None, "value": None, "comment": ""} | values
        change = recording.Change(team.id, measure.id, period, recording.Values(**fields), by=updated_by_id)
        ids = recording.save_many([change], None)
        return cls._meta.sqlalchemy_session.get(model_class, ids[change.key])


@_register
class UserFactory(_Base):
    class Meta:
        model = models.User

    email = factory.Sequence(lambda k: f"user{k}@example.no")
    name = factory.Sequence(lambda k: f"User {k}")
    role = "team_member"
    password_hash = "unset"

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            UserFactory._meta.sqlalchemy_session.flush()


@_register
class InterventionFactory(_Base):
    class Meta:
        model = models.Intervention

    team = factory.SubFactory(TeamFactory)
    title = "Weigh every resident on the first Monday of the month"
    start_date = clock.month(5)
