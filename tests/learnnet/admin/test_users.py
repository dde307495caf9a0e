"""User administration: adding people, their roles and units, stopping accounts, passwords."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from learnnet import clock
from learnnet.admin import users
from learnnet.models import AuditEvent, FailedLogin, User
from tests.conftest import PASSWORD
from tests.learnnet import factories as f

NEW_PASSWORD = "bytt-meg-i-morgen"


@pytest.fixture
def admin(client, auth, world):
    assert auth.login(world.users["admin"]).status_code == 302
    return world.users["admin"]


def _units(world):
    return world.own_team.unit, world.other_team.unit


def _new_user_form(world, **overrides):
    own_unit, other_unit = _units(world)
    data = {
        "name": "Kari Nordmann",
        "email": "Kari.Nordmann@Horten.kommune.no",
        "role": "team_member",
        "language": "",
        "units": [str(own_unit.id), str(other_unit.id)],
        "leads": [str(other_unit.id)],
        "password": NEW_PASSWORD,
        "repeat": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def _seen(client, user) -> str:
    """The change time the user's form carries (what a browser sends back)."""
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    return re.search(r'id="seen" name="seen" type="hidden" value="([^"]*)"', page).group(1)


def _user(db_session, email):
    db_session.expire_all()
    return db_session.scalar(select(User).where(User.email == email))


def test_the_list_shows_everyone_with_role_units_and_last_log_in(client, admin, world):
    page = client.get("/admin/users").get_data(as_text=True)
    for user in world.users.values():
        assert user.name in page and user.email in page
    assert "Teammedlem" in page and "Administrator" in page
    assert "Borre sykehjem, avd. 1" in page
    assert "aldri" in page  # users who never logged in
    only_viewers = client.get("/admin/users?role=viewer").get_data(as_text=True)
    assert world.users["viewer"].email in only_viewers
    assert world.users["team_member"].email not in only_viewers
    found = client.get("/admin/users?q=MEMBER@").get_data(as_text=True)
    assert world.users["team_member"].email in found and world.users["viewer"].email not in found


def test_an_admin_adds_a_user_who_can_then_log_in(client, admin, world, db_session, auth):
    response = client.post("/admin/users/new", data=_new_user_form(world))
    assert response.status_code == 302
    user = _user(db_session, "kari.nordmann@horten.kommune.no")
    own_unit, other_unit = _units(world)
    assert user.role == "team_member" and user.active and user.language is None
    assert {(m.unit_id, m.is_lead) for m in user.memberships} == {(own_unit.id, False), (other_unit.id, True)}
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.user_id == admin.id and event.object_id == user.id
    assert event.after["units"] == sorted([own_unit.name, other_unit.name])
    assert event.after["leads"] == [other_unit.name]
    assert "password" not in str(event.after) and NEW_PASSWORD not in str(event.after)
    auth.logout()
    assert auth.login("kari.nordmann@horten.kommune.no", NEW_PASSWORD).status_code == 302
    assert "Borre sykehjem" in client.get("/my-teams").get_data(as_text=True)


def test_a_team_lead_works_in_the_unit_too(client, admin, world, db_session):
    own_unit, _other = _units(world)
    form = _new_user_form(world, units=[], leads=[str(own_unit.id)])
    assert client.post("/admin/users/new", data=form).status_code == 302
    user = _user(db_session, "kari.nordmann@horten.kommune.no")
    assert [(m.unit_id, m.is_lead) for m in user.memberships] == [(own_unit.id, True)]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "MEMBER@example.no"}, "En annen bruker har allerede denne e-postadressen."),
        ({"email": "kari.horten.no"}, "Skriv en e-postadresse som navn@kommune.no."),
        ({"name": "  "}, "Dette feltet er påkrevd."),
        ({"password": "kort", "repeat": "kort"}, "Bruk minst 10 tegn."),
        ({"password": "1234567890", "repeat": "1234567890"}, "Passordet er for enkelt"),
        ({"repeat": "noe-annet-helt"}, "De to passordene er ikke like."),
        # Only a tampered form sends these; the field still says what is wrong.
        ({"role": "superuser"}, "Ikke et gyldig valg"),
        ({"units": ["999999"]}, "En enhet som er krysset av her, finnes ikke lenger"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_created(
    client, admin, world, db_session, overrides, message
):
    count = len(db_session.scalars(select(User)).all())
    response = client.post("/admin/users/new", data=_new_user_form(world, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message.lower() in page.lower()
    # What was typed is still there.
    assert ("Kari.Nordmann@Horten.kommune.no" if "name" in overrides else "Kari Nordmann") in page
    db_session.expire_all()
    assert len(db_session.scalars(select(User)).all()) == count


def test_editing_changes_role_and_units_and_logs_only_what_changed(client, admin, world, db_session):
    member = world.users["team_member"]
    own_unit, other_unit = _units(world)
    page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert f'value="{member.email}"' in page
    assert f'name="units" value="{own_unit.id}" id="unit-{own_unit.id}" checked' in page
    form = {
        "name": member.name,
        "email": member.email,
        "role": "facilitator",
        "language": "en",
        "units": [str(other_unit.id)],
        "leads": [],
        "active": "y",
    }
    assert client.post(f"/admin/users/{member.id}", data=form).status_code == 302
    db_session.expire_all()
    assert member.role == "facilitator" and member.language == "en"
    assert [m.unit_id for m in member.memberships] == [other_unit.id]
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.before == {"role": "team_member", "language": None, "units": [own_unit.name]}
    assert event.after == {"role": "facilitator", "language": "en", "units": [other_unit.name]}
    form["seen"] = _seen(client, member)
    again = client.post(f"/admin/users/{member.id}", data=form, follow_redirects=True)
    assert "Nothing had changed" not in again.get_data(as_text=True)
    assert "Ingenting var endret; ingenting ble lagret." in again.get_data(as_text=True)
    assert len(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).all()) == 1


def test_an_admin_cannot_lock_themself_out(client, admin, db_session):
    form = {"name": admin.name, "email": admin.email, "role": "centre", "language": ""}
    page = client.post(f"/admin/users/{admin.id}", data=form).get_data(as_text=True)
    assert "Du kan ikke fjerne din egen administratorrolle." in page
    assert "Du kan ikke stenge din egen konto." in page
    db_session.expire_all()
    assert admin.role == "admin" and admin.active


def test_a_stopped_account_cannot_log_in_and_its_open_session_ends(app, client, admin, world, db_session):
    member = world.users["team_member"]
    other = app.test_client()
    assert other.post("/login", data={"email": member.email, "password": PASSWORD}).status_code == 302
    assert other.get("/my-teams").status_code == 200
    form = {"name": member.name, "email": member.email, "role": member.role, "language": ""}
    form["units"] = [str(m.unit_id) for m in member.memberships]
    assert client.post(f"/admin/users/{member.id}", data=form).status_code == 302  # "active" unticked
    db_session.expire_all()
    assert member.active is False
    response = other.get("/my-teams")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    refused = other.post("/login", data={"email": member.email, "password": PASSWORD})
    assert "Feil e-post eller passord" in refused.get_data(as_text=True)
    assert "Kan ikke logge inn" in client.get("/admin/users").get_data(as_text=True)


def test_an_admin_sets_a_new_password_which_also_lifts_a_login_block(client, admin, world, db_session, app):
    member = world.users["team_member"]
    now = clock.now()
    for k in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"]):
        db_session.add(FailedLogin(at=now - dt.timedelta(seconds=k), email=member.email, address="10.0.0.9"))
    db_session.flush()
    page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert 'data-testid="login-block"' in page and "For mange mislykkede innlogginger" in page
    weak = client.post(f"/admin/users/{member.id}/password", data={"password": "kort", "repeat": "kort"})
    assert weak.status_code == 422 and "Bruk minst 10 tegn." in weak.get_data(as_text=True)
    data = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post(f"/admin/users/{member.id}/password", data=data).status_code == 302
    db_session.expire_all()
    assert member.check_password(NEW_PASSWORD)
    assert db_session.scalars(select(FailedLogin).where(FailedLogin.email == member.email)).all() == []
    assert 'data-testid="login-block"' not in client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.set_password")) is not None


def test_an_admin_lets_a_blocked_user_in_again(client, admin, world, db_session, app):
    member = world.users["team_member"]
    now = clock.now()
    for k in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"]):
        db_session.add(FailedLogin(at=now - dt.timedelta(seconds=k), email=member.email, address="10.0.0.9"))
    db_session.flush()
    assert client.post(f"/admin/users/{member.id}/unlock").status_code == 302
    assert db_session.scalars(select(FailedLogin).where(FailedLogin.email == member.email)).all() == []
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.unlock"))
    assert event.after == {"failed_logins_forgotten": app.config["LOGIN_FAILURES_PER_ACCOUNT"]}


def test_the_audit_log_reads_user_changes_in_words(client, admin, world):
    member = world.users["team_member"]
    form = {"name": member.name, "email": member.email, "role": "viewer", "language": "", "active": "y"}
    form["units"] = [str(m.unit_id) for m in member.memberships]
    client.post(f"/admin/users/{member.id}", data=form)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Endret en bruker" in page and "Teammedlem" in page and "Leser" in page


def test_the_pages_are_in_english_for_an_english_reader(client, admin, world):
    client.post("/language", data={"language": "en"})
    page = client.get(f"/admin/users/{world.users['team_member'].id}").get_data(as_text=True)
    assert "Works in" in page and "Team lead" in page and "Set a new password" in page
    assert "Team member" in client.get("/admin/users").get_data(as_text=True)


# --------------------------------------------------------------------------- one's own password
def test_a_user_changes_their_own_password(client, auth, world, db_session):
    member = world.users["team_member"]
    auth.login(member)
    assert "Bytt passord" in client.get("/account/password").get_data(as_text=True)
    data = {"current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    response = client.post("/account/password", data=data, follow_redirects=True)
    assert "Det nye passordet er lagret" in response.get_data(as_text=True)
    db_session.expire_all()
    assert member.check_password(NEW_PASSWORD) and not member.check_password(PASSWORD)
    auth.logout()
    assert auth.login(member, NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_log_in(
    client, auth, world, db_session
):
    member = world.users["team_member"]
    auth.login(member)
    data = {"current": "ikke-passordet", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    page = client.post("/account/password", data=data).get_data(as_text=True)
    assert "Dette er ikke passordet ditt nå." in page
    db_session.expire_all()
    assert member.check_password(PASSWORD)
    assert len(db_session.scalars(select(FailedLogin).where(FailedLogin.email == member.email)).all()) == 1


def test_a_new_password_must_meet_the_policy(client, auth, world, db_session):
    member = world.users["team_member"]
    auth.login(member)
    data = {"current": PASSWORD, "password": "aaaaaaaaaaaa", "repeat": "aaaaaaaaaaaa"}
    page = client.post("/account/password", data=data).get_data(as_text=True)
    assert "Passordet er for enkelt" in page
    db_session.expire_all()
    assert member.check_password(PASSWORD)


def test_users_of_other_roles_cannot_open_user_administration(client, auth, world):
    f.UserFactory(role="centre", email="another@example.no")
    auth.login(world.users["centre"])
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data={}).status_code == 403


def test_a_save_over_someone_elses_newer_change_is_refused_and_keeps_the_form(
    app, client, admin, world, db_session
):
    member = world.users["team_member"]
    units = [str(m.unit_id) for m in member.memberships]
    form = {"name": member.name, "email": member.email, "role": member.role, "language": "", "active": "y"}
    form.update(units=units, seen=_seen(client, member))
    # Another administrator stops the account meanwhile.
    other = app.test_client()
    f.UserFactory(role="admin", email="other-admin@example.no")
    db_session.commit()
    other.post("/login", data={"email": "other-admin@example.no", "password": PASSWORD})
    stop = {**form, "seen": _seen(other, member)}
    del stop["active"]
    assert other.post(f"/admin/users/{member.id}", data=stop).status_code == 302
    # The first one's rename does not bring the account back to life.
    response = client.post(f"/admin/users/{member.id}", data={**form, "name": "Nytt Navn"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Noen andre endret" in page and "kan logge inn: nei" in page
    assert 'value="Nytt Navn"' in page  # what was typed is kept
    db_session.expire_all()
    assert member.active is False and member.name != "Nytt Navn"
    # Saving again, having seen it, keeps the form's version.
    again = {
        **form,
        "name": "Nytt Navn",
        "seen": re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1),
    }
    assert client.post(f"/admin/users/{member.id}", data=again).status_code == 302
    db_session.expire_all()
    assert member.name == "Nytt Navn" and member.active is True


def test_the_county_keeps_an_administrator(client, admin, world, db_session):
    other = f.UserFactory(role="admin", email="other-admin@example.no", name="Annen Admin")
    db_session.flush()
    form = {"name": other.name, "email": other.email, "role": "centre", "language": "", "active": "y"}
    # Another administrator may be made centre staff while this one remains.
    assert client.post(f"/admin/users/{other.id}", data=form).status_code == 302
    db_session.expire_all()
    assert other.role == "centre"
    # Had this administrator been stopped meanwhile (two administrators at once), the last one
    # could not be demoted or stopped.
    other.role = "admin"
    admin.active = False
    db_session.flush()
    demote = SimpleNamespace(role=SimpleNamespace(data="centre"), active=SimpleNamespace(data=True))
    stop = SimpleNamespace(role=SimpleNamespace(data="admin"), active=SimpleNamespace(data=False))
    keep = SimpleNamespace(role=SimpleNamespace(data="admin"), active=SimpleNamespace(data=True))
    assert users._last_administrator(other, demote) and users._last_administrator(other, stop)
    assert not users._last_administrator(other, keep)


def test_the_same_person_added_twice_at_once_is_added_once(client, admin, world, db_session, monkeypatch):
    # A double click: the second request's check ran before the first one's save.
    assert client.post("/admin/users/new", data=_new_user_form(world)).status_code == 302
    monkeypatch.setattr(users, "_email_taken", lambda email, user: False)
    response = client.post("/admin/users/new", data=_new_user_form(world))
    assert response.status_code == 200
    assert "En annen bruker har allerede denne e-postadressen." in response.get_data(as_text=True)
    db_session.expire_all()
    assert len(db_session.scalars(select(User).where(User.email.like("kari.nordmann%"))).all()) == 1


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, client, auth, world):
    member = world.users["team_member"]
    auth.login(member)
    tablet = app.test_client()
    assert (
        tablet.post("/login", data={"email": member.email, "password": PASSWORD, "remember": "y"}).status_code
        == 302
    )
    assert tablet.get("/my-teams").status_code == 200
    data = {"current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/account/password", data=data).status_code == 302
    # this session goes on; the tablet's (and its "keep me logged in" cookie) does not
    assert client.get("/my-teams").status_code == 200
    response = tablet.get("/my-teams")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_password_set_by_an_administrator_ends_the_persons_sessions(app, client, admin, world):
    member = world.users["team_member"]
    ward = app.test_client()
    ward.post("/login", data={"email": member.email, "password": PASSWORD})
    assert ward.get("/my-teams").status_code == 200
    data = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post(f"/admin/users/{member.id}/password", data=data).status_code == 302
    assert ward.get("/my-teams").status_code == 302
    assert client.get("/admin/users").status_code == 200  # the administrator's own session goes on


def test_an_admin_sees_a_blocked_address_and_lets_it_through(client, admin, world, db_session, app):
    now = clock.now()
    for k in range(app.config["LOGIN_FAILURES_PER_ADDRESS"]):
        db_session.add(
            FailedLogin(at=now - dt.timedelta(seconds=k), email=f"x{k}@example.no", address="10.1.2.3")
        )
    db_session.add(FailedLogin(at=now, email="y@example.no", address="10.9.9.9"))
    db_session.flush()
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'data-testid="blocked-addresses"' in page and "10.1.2.3" in page and "10.9.9.9" not in page
    response = client.post(
        "/admin/users/addresses/unblock", data={"address": "10.1.2.3"}, follow_redirects=True
    )
    assert "Innlogginger fra 10.1.2.3 slippes gjennom igjen." in response.get_data(as_text=True)
    assert db_session.scalars(select(FailedLogin).where(FailedLogin.address == "10.1.2.3")).all() == []
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "login.unblock_address"))
    assert event.after["address"] == "10.1.2.3"


def test_an_account_stopped_and_started_again_does_not_bring_old_sessions_back(app, client, admin, world):
    member = world.users["team_member"]
    ward = app.test_client()
    ward.post("/login", data={"email": member.email, "password": PASSWORD})
    assert ward.get("/my-teams").status_code == 200
    form = {"name": member.name, "email": member.email, "role": member.role, "language": ""}
    form["units"] = [str(m.unit_id) for m in member.memberships]
    assert (
        client.post(f"/admin/users/{member.id}", data={**form, "seen": _seen(client, member)}).status_code
        == 302
    )
    assert ward.get("/my-teams").status_code == 302
    started = {**form, "active": "y", "seen": _seen(client, member)}
    assert client.post(f"/admin/users/{member.id}", data=started).status_code == 302
    assert ward.get("/my-teams").status_code == 302  # logged out for good: they log in again
    assert ward.post("/login", data={"email": member.email, "password": PASSWORD}).status_code == 302
