"""An app of its own over a database with committed data, for tests whose requests must meet the
database as a real server does (their own connections and transactions, not one test transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

from learnnet import create_app
from learnnet.extensions import db
from learnnet.models import UnitMembership
from tests.conftest import app_config
from tests.learnnet import factories as f


def team_app(url: str, *, members: int = 1, measures: int = 1) -> Iterator[SimpleNamespace]:
    """Yield the app with one team of a running network, its measures and member log-ins; the
    tables are dropped afterwards."""
    app = create_app(app_config(url, SERVER_NAME=None))
    with app.app_context():
        db.create_all()
        f.configure_factories(db.session)
        network = f.NetworkFactory()
        unit = f.UnitFactory()
        team = f.TeamFactory(network=network, unit=unit)
        definitions = [f.MeasureFactory(network=network) for _ in range(measures)]
        emails = []
        for _ in range(members):
            user = f.UserFactory(role="team_member")
            user.memberships.append(UnitMembership(unit=unit))
            emails.append(user.email)
        db.session.commit()
        served = SimpleNamespace(
            app=app, team_id=team.id, measure_ids=[m.id for m in definitions], emails=emails
        )
        db.session.remove()
    yield served
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
