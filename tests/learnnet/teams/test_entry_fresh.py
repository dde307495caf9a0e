"""The entry page is never stale: whatever changes what it shows, and whoever changes it, shows at
the next open, and each session's page carries a CSRF token of its own."""

import re

import pytest
from sqlalchemy import select

from learnnet.measurements.periods import default_entry_period
from learnnet.models import Measurement
from tests.clock import TODAY
from tests.learnnet import factories as f

PERIOD = default_entry_period(TODAY)
URL = "/teams/{}/entry?period=" + PERIOD.strftime("%Y-%m")


@pytest.fixture
def member(world, client, auth):
    auth.login(world.users["team_member"])
    return client


def _field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    return match.group(1) if match else ""


def test_a_month_saved_by_someone_else_shows_at_the_next_open(member, world, app):
    url = URL.format(world.own_team.id)
    measure = world.measure
    assert _field(member.get(url).get_data(as_text=True), f"num_{measure.id}") == ""

    facilitator = app.test_client()
    facilitator.post("/login", data={"email": world.users["facilitator"].email, "password": f.PASSWORD})
    saved = facilitator.post(
        url,
        data={f"num_{measure.id}": "11", f"den_{measure.id}": "17", f"version_{measure.id}": "0"},
    )
    assert saved.status_code == 302

    page = member.get(url).get_data(as_text=True)
    assert _field(page, f"num_{measure.id}") == "11"
    assert _field(page, f"den_{measure.id}") == "17"


def test_a_change_made_in_the_database_shows_at_the_next_open(member, world, db_session):
    url = URL.format(world.own_team.id)
    measure = world.measure
    m = f.MeasurementFactory(team=world.own_team, measure=measure, period=PERIOD, numerator=5, denominator=9)
    db_session.commit()
    assert _field(member.get(url).get_data(as_text=True), f"num_{measure.id}") == "5"

    m.numerator = 6
    db_session.commit()
    assert _field(member.get(url).get_data(as_text=True), f"num_{measure.id}") == "6"

    db_session.delete(m)
    db_session.commit()
    assert db_session.get(Measurement, m.id) is None
    assert _field(member.get(url).get_data(as_text=True), f"num_{measure.id}") == ""


def test_a_new_definition_shows_at_the_next_open(member, world, db_session):
    url = URL.format(world.own_team.id)
    assert "Matvaner i endring" not in member.get(url).get_data(as_text=True)
    world.measure.name = "Matvaner i endring"
    db_session.commit()
    assert "Matvaner i endring" in member.get(url).get_data(as_text=True)


def test_each_user_sees_their_own_name_and_language(member, world, app):
    url = URL.format(world.own_team.id)
    assert world.users["team_member"].name in member.get(url).get_data(as_text=True)

    admin = app.test_client()
    admin.post("/login", data={"email": world.users["admin"].email, "password": f.PASSWORD})
    page = admin.get(url).get_data(as_text=True)
    assert world.users["admin"].name in page
    assert world.users["team_member"].name not in page

    member.post("/language", data={"language": "en", "next": url})
    english = member.get(url).get_data(as_text=True)
    assert "Save" in english and 'lang="en"' in english


def test_a_message_shows_once_and_is_never_kept(member, world):
    url = URL.format(world.own_team.id)
    member.get(url)
    measure = world.measure
    saved = member.post(
        url, data={f"num_{measure.id}": "3", f"den_{measure.id}": "4", f"version_{measure.id}": "0"}
    )
    after_save = member.get(saved.headers["Location"]).get_data(as_text=True)
    assert "alert-success" in after_save
    again = member.get(saved.headers["Location"]).get_data(as_text=True)
    assert "alert-success" not in again
    assert _field(again, f"num_{measure.id}") == "3"


def test_each_session_gets_a_page_with_its_own_working_csrf_token(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    url = URL.format(world.own_team.id)
    measure = world.measure

    def logged_in():
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        client.post(
            "/login",
            data={
                "csrf_token": _field(page, "csrf_token"),
                "email": world.users["team_member"].email,
                "password": f.PASSWORD,
            },
        )
        return client

    tablet, laptop = logged_in(), logged_in()
    on_tablet = tablet.get(url).get_data(as_text=True)
    on_laptop = laptop.get(url).get_data(as_text=True)
    tablet_token, laptop_token = _field(on_tablet, "csrf_token"), _field(on_laptop, "csrf_token")
    assert tablet_token and laptop_token and tablet_token != laptop_token
    assert tablet_token not in on_laptop

    saved = laptop.post(
        url,
        data={
            "csrf_token": laptop_token,
            f"num_{measure.id}": "2",
            f"den_{measure.id}": "5",
            f"version_{measure.id}": "0",
        },
    )
    assert saved.status_code == 302


def test_a_restore_that_changes_no_value_still_shows_in_the_history(member, world, db_session):
    url = URL.format(world.own_team.id)
    measure = world.measure

    def save(num, den, version):
        data = {f"num_{measure.id}": num, f"den_{measure.id}": den, f"version_{measure.id}": version}
        assert member.post(url, data=data).status_code == 302

    save("3", "4", "0")
    save("5", "6", "1")
    m = db_session.scalars(select(Measurement).where(Measurement.team_id == world.own_team.id)).one()
    first = min(m.history, key=lambda h: h.id)
    restore = f"/teams/{world.own_team.id}/measurements/{m.id}/restore/{first.id}"
    assert member.post(restore, data={"version": "2"}).status_code == 302
    member.get(url)  # shows the message "restored"; pages with a message are not kept
    lines = member.get(url).get_data(as_text=True).count('id="restore-')  # kept
    # the same earlier value again: no value changes, but it is a save of its own
    assert member.post(restore, data={"version": "3"}).status_code == 302
    db_session.expire_all()
    again = db_session.get(Measurement, m.id)
    assert (again.numerator, again.denominator, again.version, len(again.history)) == (3, 4, 4, 4)
    member.get(url)
    assert member.get(url).get_data(as_text=True).count('id="restore-') == lines + 1


def test_a_renamed_user_shows_by_the_new_name_in_the_history(member, world, app):
    url = URL.format(world.own_team.id)
    measure = world.measure
    facilitator = world.users["facilitator"]
    other = app.test_client()
    other.post("/login", data={"email": facilitator.email, "password": f.PASSWORD})
    data = {f"num_{measure.id}": "11", f"den_{measure.id}": "17", f"version_{measure.id}": "0"}
    assert other.post(url, data=data).status_code == 302
    assert facilitator.name in member.get(url).get_data(as_text=True)

    admin = app.test_client()
    admin.post("/login", data={"email": world.users["admin"].email, "password": f.PASSWORD})
    form = {
        "name": "Nytt Navn",
        "email": facilitator.email,
        "role": "facilitator",
        "language": "",
        "active": "y",
    }
    assert admin.post(f"/admin/users/{facilitator.id}", data=form).status_code == 302
    page = member.get(url).get_data(as_text=True)
    assert "Nytt Navn" in page
