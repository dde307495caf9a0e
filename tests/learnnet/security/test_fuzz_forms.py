"""Arbitrary data posted to every form: never a 500, and nothing stored breaks a constraint."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.learnnet.security.conftest import routes, url_for_rule

FIELDS = [
    "confirm",
    "use_saved",
    "title",
    "short_label",
    "description",
    "start_date",
    "end_date",
    "plan",
    "do",
    "study",
    "act",
    "outcome",
    "chart_kind",
    "freeze_period",
    "start_period",
    "label",
    "period",
    "reason",
    "email",
    "password",
    "language",
    "next",
    "version",
    "remember",
    "name",
    "role",
    "units",
    "leads",
    "active",
    "repeat",
    "current",
    "action",
    "person",
    "facilitator-person",
    "address",
    "region",
    "municipality",
    "number",
    "kind",
    "size",
    "size_kind",
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "2025-13",
            "2025-02",
            "2025-02-30",
            "0",
            "-1",
            "1e309",
            "NaN",
            "adopt",
            "pp",
            "t",
            "nb",
            "xx",
            "\x00",
            "١٢",
            "12,5",
            "9" * 30,
            "<script>",
            "' OR 1=1 --",
            "3901",
            "nursing_home_ward",
            "beds",
        ]
    ),
)


def _fields(targets) -> list[str]:
    measure_ids = {targets.own["measure_id"], targets.other["measure_id"]}
    keyed = [
        f"{prefix}_{mid}" for mid in measure_ids for prefix in ("num", "den", "val", "comment", "version")
    ]
    return FIELDS + keyed


@pytest.fixture
def admin_client(client, auth, world):
    auth.login(world.users["admin"])
    return client


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_posting_anything_to_any_form(app, admin_client, db_session, targets, data):
    keys = st.sampled_from(_fields(targets)) | st.text(min_size=1, max_size=12)
    for rule, method in sorted(routes(app)):
        if method != "POST" or rule in ("/logout", "/login", "/language"):
            continue
        form = data.draw(st.dictionaries(keys, VALUES, max_size=8), label=rule)
        url = url_for_rule(rule, targets.own)
        response = admin_client.post(url, data=form)
        assert response.status_code < 500, (url, form, response.status_code)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6))
def test_posting_anything_to_the_login_and_language_forms(client, form):
    for url in ("/login", "/language"):
        assert client.post(url, data=form).status_code < 500
