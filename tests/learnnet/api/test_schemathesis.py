"""Schemathesis checks every operation of /api/v1 against its OpenAPI document on a live server.

No response may be a server error (5xx) or differ from what the document says (status codes,
content type, body schema). A few examples per operation keep the run to seconds.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from learnnet.api import auth as api_auth
from learnnet.extensions import db
from learnnet.models import UnitMembership
from tests.clock import month
from tests.learnnet import factories as f

# Schemathesis's own checks, plus the ones its defaults leave out (5xx is `not_a_server_error`).
EXAMPLES = 10
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_world(live_app):
    """Committed data the live server sees: a network with teams, measures and months, and a token.

    Made in a POST's context: a GET's reads in autocommit on PostgreSQL, where the write path's
    savepoint has no transaction to live in."""
    with live_app.test_request_context(method="POST"):
        f.configure_factories(db.session)
        network = f.NetworkFactory()
        unit = f.UnitFactory()
        team = f.TeamFactory(network=network, unit=unit)
        proportion = f.MeasureFactory(network=network)
        f.MeasureFactory(network=network, value_kind="count", multiplier=1.0)
        for k in range(12):
            f.MeasurementFactory(
                team=team,
                measure=proportion,
                period=month(k),
                numerator=5 + k % 3,
                denominator=16,
            )
        user = f.UserFactory(role="team_member")
        user.memberships.append(UnitMembership(unit=unit))
        _token, secret = api_auth.create_token(user, "schemathesis")
        db.session.commit()
        world = SimpleNamespace(secret=secret, team_id=team.id)
        db.session.remove()
    return world


def test_api_matches_its_openapi_document(live_server, api_world):
    """Every operation, with valid and with invalid input, as the token's user.

    The operations are driven one by one from a plain test: schemathesis's pytest integration
    (``schemathesis.pytest.from_fixture``) does not run under pytest 9.2.
    """
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {api_world.secret}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
            )
            def check(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            check()
