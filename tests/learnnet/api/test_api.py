"""The JSON API: tokens, access to every object, validation, locking, errors as JSON."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from learnnet import analysis, clock
from learnnet.models import ApiToken, ChartSettings, Measurement
from tests.clock import month, ym
from tests.learnnet import factories as f


def url(world, team=None, measure=None, period=None) -> str:
    team = team or world.own_team
    measure = measure or world.measure
    period = period or ym(2)
    return f"/api/v1/teams/{team.id}/measures/{measure.id}/measurements/{period}"


# --------------------------------------------------------------------------- authentication
def test_no_token_is_401_in_json(client, world):
    response = client.get("/api/v1/networks")
    assert response.status_code == 401
    assert response.is_json and response.json["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic dXNlcjpwdw==", "Bearer ", "lnt_abc"])
def test_a_bad_token_is_401(client, world, header):
    response = client.get("/api/v1/networks", headers={"Authorization": header})
    assert response.status_code == 401 and response.is_json


def test_a_revoked_token_is_401(client, auth, world, token_for, db_session):
    headers = token_for(world.users["admin"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    auth.login(world.users["admin"])
    token = db_session.scalar(select(ApiToken))
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 302
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json["message"] or "trukket tilbake" in response.json["message"]


def test_the_tokens_page_shows_the_header_to_send(client, auth, world):
    auth.login(world.users["team_member"])
    page = client.get("/account/api-tokens/").get_data(as_text=True)
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in page


def test_a_session_cookie_is_not_enough(client, auth, world):
    auth.login(world.users["admin"])
    assert client.get("/api/v1/networks").status_code == 401


def test_a_token_of_a_deactivated_user_is_401(client, world, token_for, db_session):
    headers = token_for(world.users["facilitator"])
    world.users["facilitator"].active = False
    db_session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_only_the_hash_is_stored_and_use_is_recorded(client, world, token_for, db_session):
    headers = token_for(world.users["viewer"])
    secret = headers["Authorization"].split()[1]
    token = db_session.scalar(select(ApiToken))
    assert secret not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    assert token.last_used_at is None
    assert client.get("/api/v1/me", headers=headers).json["role"] == "viewer"
    db_session.expire_all()
    assert db_session.scalar(select(ApiToken)).last_used_at is not None


def test_messages_follow_the_users_language(client, world, token_for, db_session):
    world.users["admin"].language = "en"
    headers = token_for(world.users["admin"])
    response = client.get("/api/v1/networks/999999", headers=headers)
    assert response.json["message"] == "Not found."
    world.users["admin"].language = None
    db_session.commit()
    assert client.get("/api/v1/networks/999999", headers=headers).json["message"] == "Ikke funnet."


# --------------------------------------------------------------------------- reading and access
def test_lists_show_what_the_user_may_see(client, world, token_for):
    member = token_for(world.users["team_member"])
    assert client.get("/api/v1/networks", headers=member).json == {"networks": []}
    teams = client.get("/api/v1/teams", headers=member).json["teams"]
    assert [t["id"] for t in teams] == [world.own_team.id]
    admin = token_for(world.users["admin"])
    assert len(client.get("/api/v1/networks", headers=admin).json["networks"]) == 2
    only = client.get(f"/api/v1/teams?network_id={world.network.id}", headers=admin).json["teams"]
    assert {t["id"] for t in only} == {world.own_team.id, world.other_team.id}
    assert client.get("/api/v1/teams?network_id=abc", headers=admin).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/teams/{other}",
        "/api/v1/teams/{other}/measures",
        "/api/v1/teams/{other}/measures/{measure}/series",
        "/api/v1/teams/{other}/measures/{measure}/measurements/" + ym(2),
        "/api/v1/networks/{network}",
    ],
)
def test_objects_the_user_may_not_see_are_403(client, world, token_for, path):
    headers = token_for(world.users["team_member"])
    path = path.format(other=world.other_team.id, measure=world.measure.id, network=world.network.id)
    response = client.get(path, headers=headers)
    assert response.status_code == 403 and response.is_json


def test_missing_objects_are_404_in_json(client, world, token_for):
    headers = token_for(world.users["admin"])
    for path in (
        "/api/v1/teams/999999",
        "/api/v1/teams/99999999999999999999",
        "/api/v1/nothing-here",
        f"/api/v1/teams/{world.own_team.id}/measures/{world.other_network.id + 1000}/series",
        url(world),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.is_json, path


def test_a_measure_of_another_network_is_404(client, world, token_for):
    elsewhere = f.MeasureFactory(network=world.other_network)
    headers = token_for(world.users["admin"])
    assert (
        client.get(
            f"/api/v1/teams/{world.own_team.id}/measures/{elsewhere.id}/series", headers=headers
        ).status_code
        == 404
    )


def test_wrong_method_is_405_in_json_with_allow(client, world, token_for):
    response = client.delete("/api/v1/networks", headers=token_for(world.users["admin"]))
    assert response.status_code == 405 and response.is_json
    assert "GET" in response.headers["Allow"]


def test_series_has_points_and_the_computed_chart(client, world, token_for, db_session):
    for k in range(14):
        f.MeasurementFactory(
            team=world.own_team,
            measure=world.measure,
            period=month(k),
            numerator=6 + k % 4,
            denominator=16,
        )
    settings = ChartSettings(team_id=world.own_team.id, measure_id=world.measure.id, chart_kind="p")
    db_session.add(settings)
    db_session.flush()
    response = client.get(
        f"/api/v1/teams/{world.own_team.id}/measures/{world.measure.id}/series",
        headers=token_for(world.users["team_member"]),
    )
    assert response.status_code == 200
    body = response.json
    points = {p["period"]: p for p in body["points"]}
    assert points[ym(0)]["plotted_value"] == pytest.approx(6 / 16 * 100)
    assert points[ym(21)]["numerator"] is None
    chart = body["chart"]
    assert chart["available"] and chart["kind"] == "p" and chart["multiplier"] == 100.0
    assert len(chart["records"]) == len(body["points"])
    assert chart["records"][0]["y"] == pytest.approx(6 / 16)
    assert {"cl", "ucl", "lcl", "runs_signal", "sigma_signal"} <= set(chart["records"][0])
    assert chart["variation"] and isinstance(chart["findings"], list)


def test_the_series_chart_is_the_one_the_measure_page_draws(client, world, token_for, db_session):
    # The measure's own default (a run chart) and a frozen baseline hold in the API as on the page.
    world.measure.default_chart = "run"
    for k in range(14):
        f.MeasurementFactory(
            team=world.own_team,
            measure=world.measure,
            period=month(k),
            numerator=6 + k % 4,
            denominator=16,
        )
    db_session.flush()
    body = client.get(
        f"/api/v1/teams/{world.own_team.id}/measures/{world.measure.id}/series",
        headers=token_for(world.users["team_member"]),
    ).json
    page = analysis.analyse_team_measure(world.own_team, world.measure)
    assert body["chart"]["kind"] == page.chart.kind == "run"
    assert [r["period"] for r in body["chart"]["records"]] == [
        p.strftime("%Y-%m") for p in page.series.periods
    ]
    assert body["chart"]["variation"] == page.reading.variation


def test_series_without_data_says_why_there_is_no_chart(client, world, token_for):
    response = client.get(
        f"/api/v1/teams/{world.own_team.id}/measures/{world.measure.id}/series",
        headers=token_for(world.users["admin"]),
    )
    assert response.status_code == 200
    assert response.json["chart"]["available"] is False and response.json["chart"]["reason"]


# --------------------------------------------------------------------------- writing
def test_write_creates_then_updates_with_the_version(client, world, token_for, db_session):
    headers = token_for(world.users["team_member"])
    response = client.put(
        url(world), json={"numerator": 8, "denominator": 16, "comment": "via API"}, headers=headers
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "created" and response.json["measurement"]["version"] == 1
    response = client.put(url(world), json={"numerator": 9, "denominator": 16, "version": 1}, headers=headers)
    assert response.status_code == 200 and response.json["measurement"]["version"] == 2
    response = client.put(url(world), json={"numerator": 9, "denominator": 16, "version": 2}, headers=headers)
    assert response.json["status"] == "unchanged"
    m = db_session.scalar(select(Measurement))
    assert [h.action for h in m.history] == ["update", "create"]
    assert client.get(url(world), headers=headers).json["numerator"] == 9


def test_write_on_an_outdated_version_is_409_with_the_current_value(client, world, token_for):
    f.MeasurementFactory(
        team=world.own_team, measure=world.measure, period=month(2), numerator=8, denominator=16
    )
    headers = token_for(world.users["team_member"])
    response = client.put(url(world), json={"numerator": 9, "denominator": 16, "version": 0}, headers=headers)
    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert response.json["current"]["numerator"] == 8 and response.json["current"]["version"] == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"numerator": 20, "denominator": 16}, ["numerator"]),
        ({"numerator": 2}, ["denominator"]),
        ({"numerator": "8", "denominator": 16.5, "extra": 1}, ["extra", "numerator", "denominator"]),
        ({"numerator": True, "denominator": 16, "confirm": "yes"}, ["numerator", "confirm"]),
        ({"value": 2.5}, ["value", "numerator", "denominator"]),
        ({"numerator": 8, "denominator": 3_000_000_000}, ["denominator"]),
        ({"numerator": 8, "denominator": 16, "comment": 5}, ["comment"]),
        ({"numerator": 8, "denominator": 16, "comment": []}, ["comment"]),
        ({"numerator": 8, "denominator": 16, "comment": False}, ["comment"]),
        ({"numerator": 8, "denominator": 16, "comment": "x" * 2001}, ["comment"]),
        ([1, 2], ["body"]),
        ({}, ["numerator", "denominator"]),
    ],
)
def test_validation_problems_are_422_with_field_and_message(
    client, world, token_for, db_session, body, fields
):
    response = client.put(url(world), json=body, headers=token_for(world.users["team_member"]))
    assert response.status_code == 422, response.json
    assert response.json["error"] == "invalid"
    assert sorted(p["field"] for p in response.json["problems"]) == sorted(fields)
    assert all(p["message"] for p in response.json["problems"])
    assert db_session.scalar(select(Measurement)) is None


def test_months_before_the_start_may_be_sent_as_history(client, world, token_for, db_session):
    # History may go back five years before the network's start.
    headers = token_for(world.users["team_member"])
    body = {"numerator": 8, "denominator": 16}
    assert client.put(url(world, period=ym(-7)), json=body, headers=headers).status_code == 201
    assert client.put(url(world, period=ym(-60)), json=body, headers=headers).status_code == 201
    refused = client.put(url(world, period=ym(-61)), json=body, headers=headers)
    assert refused.status_code == 422 and refused.json["problems"][0]["field"] == "period"
    saved = db_session.scalars(select(Measurement.period).order_by(Measurement.period)).all()
    assert saved == [month(-60), month(-7)]


@pytest.mark.parametrize("period", ["2025-13", "march", "2025-3", ym(60)])
def test_bad_or_impossible_months_are_422(client, world, token_for, period):
    response = client.put(
        url(world, period=period),
        json={"numerator": 1, "denominator": 2},
        headers=token_for(world.users["admin"]),
    )
    assert response.status_code == 422
    assert response.json["problems"][0]["field"] == "period"


def test_unusual_values_need_confirm(client, world, token_for, db_session):
    for k in range(8):
        f.MeasurementFactory(
            team=world.own_team,
            measure=world.measure,
            period=month(k),
            numerator=8,
            denominator=16,
        )
    headers = token_for(world.users["admin"])
    body = {"numerator": 1, "denominator": 400}
    response = client.put(url(world, period=ym(8)), json=body, headers=headers)
    assert response.status_code == 422
    assert {p["severity"] for p in response.json["problems"]} == {"warning"}
    response = client.put(url(world, period=ym(8)), json={**body, "confirm": True}, headers=headers)
    assert response.status_code == 201


@pytest.mark.parametrize("data", [b"{not json", b"\xff\xfe", b"[" * 100_000])
def test_malformed_json_is_400(client, world, token_for, data):
    response = client.put(
        url(world), data=data, content_type="application/json", headers=token_for(world.users["admin"])
    )
    assert response.status_code == 400 and response.json["error"] == "malformed_json"


def test_writing_needs_the_right_to_enter_data(client, world, token_for):
    body = {"numerator": 1, "denominator": 2}
    assert (
        client.put(
            url(world, team=world.other_team), json=body, headers=token_for(world.users["team_member"])
        ).status_code
        == 403
    )
    assert client.put(url(world), json=body, headers=token_for(world.users["centre"])).status_code == 403
    assert client.put(url(world), json=body, headers=token_for(world.users["facilitator"])).status_code == 201


def test_no_csrf_token_is_needed_with_a_bearer_token(app, client, world, token_for):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.put(
            url(world), json={"numerator": 1, "denominator": 2}, headers=token_for(world.users["admin"])
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 201


def test_openapi_document_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.")
    assert "/teams/{team_id}/measures/{measure_id}/measurements/{period}" in response.json["paths"]


# --------------------------------------------------------------------------- the token page
def test_token_page_creates_shows_once_lists_and_revokes(client, auth, world, db_session):
    auth.login(world.users["team_member"])
    assert "/account/api-tokens/" in client.get(f"/teams/{world.own_team.id}").get_data(as_text=True)
    response = client.post("/account/api-tokens/", data={"name": "Kommunens fagsystem"})
    html = response.get_data(as_text=True)
    assert 'data-testid="token-secret"' in html
    assert response.headers["Cache-Control"] == "no-store"
    secret = html.split('data-testid="token-secret">')[1].split("<")[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = client.get("/account/api-tokens/").get_data(as_text=True)
    assert "Kommunens fagsystem" in listing and secret not in listing


def test_a_user_cannot_revoke_someone_elses_token(client, auth, world, token_for, db_session):
    token_for(world.users["admin"])
    token = db_session.scalar(select(ApiToken))
    auth.login(world.users["team_member"])
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    db_session.expire_all()
    assert db_session.scalar(select(ApiToken)).revoked_at is None


def test_a_comment_that_is_not_text_is_named_as_such(client, world, token_for):
    body = {"numerator": 8, "denominator": 16, "comment": 5}
    response = client.put(url(world), json=body, headers=token_for(world.users["team_member"]))
    [problem] = response.json["problems"]
    assert problem["message"] == "Skriv kommentaren som tekst."


def test_a_write_without_a_comment_keeps_the_saved_comment(client, world, token_for, db_session):
    f.MeasurementFactory(
        team=world.own_team,
        measure=world.measure,
        period=month(2),
        numerator=8,
        denominator=16,
        comment="Ny rutine fra uke 6",
    )
    headers = token_for(world.users["team_member"])
    response = client.put(url(world), json={"numerator": 9, "denominator": 16, "version": 1}, headers=headers)
    assert response.status_code == 200
    assert response.json["measurement"]["comment"] == "Ny rutine fra uke 6"
    body = {"numerator": 9, "denominator": 16, "version": 2, "comment": ""}
    response = client.put(url(world), json=body, headers=headers)
    assert response.json["measurement"]["comment"] == ""


def test_a_body_too_large_is_a_json_413_and_nothing_is_saved(client, world, token_for, db_session):
    response = client.put(
        url(world),
        data=b"x" * (22 * 2**20),
        content_type="application/json",
        headers=token_for(world.users["team_member"]),
    )
    assert response.status_code == 413
    assert response.json["error"] == "too_large" and response.json["message"]
    assert db_session.scalar(select(Measurement)) is None


def test_a_program_without_a_language_of_its_own_may_ask_by_accept_language(client, world, token_for):
    missing = client.get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert missing.status_code == 401 and missing.json["message"].startswith("Send your API token")
    assert client.get("/api/v1/me").json["message"].startswith("Send API-tokenet")  # bokmål unless asked
    headers = {**token_for(world.users["team_member"]), "Accept-Language": "en"}
    bad = client.put(url(world), json={"numerator": 20, "denominator": 16}, headers=headers)
    assert bad.json["message"] == "Some values cannot be saved."


def test_a_token_needs_a_name_that_is_more_than_spaces(client, auth, world, db_session):
    auth.login(world.users["team_member"])
    response = client.post("/account/api-tokens/", data={"name": "   "})
    assert response.status_code == 200 and "Dette feltet er påkrevd." in response.get_data(as_text=True)
    assert db_session.scalar(select(ApiToken)) is None


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
def test_a_json_body_with_nul_is_refused_by_the_api(client, world, token_for, db_session, content_type):
    response = client.put(
        f"/api/v1/teams/{world.own_team.id}/measures/{world.measure.id}/measurements/{ym(2)}",
        data='{"numerator": 8, "denominator": 16, "comment": "a\\u0000b"}',
        content_type=content_type,
        headers=token_for(world.users["team_member"]),
    )
    assert response.status_code == 400 and response.is_json
    assert "NUL" in response.json["message"]
    assert db_session.scalar(select(Measurement)) is None


def test_a_token_works_for_the_time_chosen_and_then_says_it_has_expired(client, auth, world, db_session):
    auth.login(world.users["team_member"])
    page = client.get("/account/api-tokens/").get_data(as_text=True)
    assert '<option selected value="365">ett år</option>' in page
    response = client.post("/account/api-tokens/", data={"name": "Fagsystem", "days": "90"})
    secret = response.get_data(as_text=True).split('data-testid="token-secret">')[1].split("<")[0]
    token = db_session.scalar(select(ApiToken))
    assert (token.expires_at - token.created_at).days == 90
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token.expires_at = clock.now() - dt.timedelta(minutes=1)
    db_session.commit()
    expired = client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and "utløpt" in expired.json["message"]
    assert "Utløpt" in client.get("/account/api-tokens/").get_data(as_text=True)


def test_a_token_made_before_tokens_had_an_end_keeps_working(client, world, token_for, db_session):
    headers = token_for(world.users["team_member"])
    token = db_session.scalar(select(ApiToken))
    token.expires_at = None
    db_session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_a_token_cannot_be_made_to_work_for_ever(client, auth, world, db_session):
    auth.login(world.users["team_member"])
    response = client.post("/account/api-tokens/", data={"name": "Fagsystem", "days": "100000"})
    assert 'data-testid="token-secret"' not in response.get_data(as_text=True)
    assert db_session.scalar(select(ApiToken)) is None
