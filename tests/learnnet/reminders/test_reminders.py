"""Reminders reach each team member once per month and kind, in their language, through SMTP."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from sqlalchemy import select

from learnnet.extensions import mail
from learnnet.models import Reminder, UnitMembership
from learnnet.reminders import services as svc
from tests.clock import LAST_MONTH, TODAY, day, month, ym
from tests.learnnet import factories as f

PUBLIC_URL = "https://learnnet.example.no"


def month_in(period: dt.date, language: str) -> str:
    return format_date(period, "LLLL y", locale=language)


@pytest.fixture
def team(world, db_session):
    """world's own team with three more people in its unit: one reading English, one who turned
    reminders off and a viewer (who enters nothing, so is not reminded)."""
    unit = world.own_team.unit
    people = {
        "english": f.UserFactory(email="english@example.no", name="Ann English", language="en"),
        "quiet": f.UserFactory(email="quiet@example.no", reminders=False),
        "reader": f.UserFactory(email="reader@example.no", role="viewer"),
    }
    for person in people.values():
        person.memberships.append(UnitMembership(unit=unit))
    db_session.flush()
    return people


def send_all(today: dt.date):
    with mail.get_connection() as connection:
        return svc.send(svc.planned(today), connection, PUBLIC_URL)


# --- the calendar, worked by hand: reminder day the 5th, late a week later, on the 12th ---


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (day(21, 4), svc.Due(month(19), "late")),  # the 4th: still the month before last, late since the 12th
        (day(21, 5), svc.Due(month(20), "due")),
        (day(21, 11), svc.Due(month(20), "due")),
        (day(21, 12), svc.Due(month(20), "late")),
        (day(22, 4), svc.Due(month(20), "late")),
    ],
)
def test_the_month_due_follows_the_reminder_day(world, today, expected):
    world.network.reminder_day = 5
    assert svc.due_on(world.network, today) == expected


def test_a_network_reminds_on_its_own_day(world):
    world.network.reminder_day = 20
    assert svc.due_on(world.network, day(21, 19)) == svc.Due(month(19), "late")  # late since day(20, 27)
    assert svc.due_on(world.network, day(21, 20)) == svc.Due(month(20), "due")
    assert svc.due_on(world.network, day(21, 27)) == svc.Due(month(20), "late")


def test_no_reminders_outside_the_network_or_when_it_is_not_active(world):
    world.network.reminder_day = 5
    assert svc.due_on(world.network, day(0, 10)) is None  # the month before its start
    world.network.status = "closed"
    assert svc.due_on(world.network, day(21, 5)) is None


# --- sent through a real SMTP server ---


def test_each_member_gets_one_reminder_in_their_language(world, team, inbox, db_session):
    world.network.reminder_day = 5
    first = send_all(day(21, 5))
    assert {r.user.email for r in first.sent} == {"member@example.no", "english@example.no"}
    assert sorted(m["To"] for m in inbox.messages) == ["english@example.no", "member@example.no"]

    norwegian = inbox.to("member@example.no")[0]
    assert inbox.subject(norwegian) == (
        f"Tid for å registrere tallene for {month_in(month(20), 'nb')}, {world.own_team.name}"
    )
    english = inbox.to("english@example.no")[0]
    assert inbox.subject(english) == (
        f"Time to enter the numbers for {month_in(month(20), 'en')}, {world.own_team.name}"
    )
    body = inbox.body(english)
    assert "Hello Ann English," in body
    assert world.measure.name in body
    assert f"{PUBLIC_URL}/teams/{world.own_team.id}/entry?period={ym(20)}" in body
    assert norwegian["From"] == "learnnet <noreply@example.no>"


def test_running_again_sends_nothing_twice(world, team, inbox, db_session):
    world.network.reminder_day = 5
    send_all(day(21, 5))
    again = send_all(day(21, 6))
    assert again.sent == () and len(inbox.messages) == 2
    kinds = db_session.scalars(select(Reminder.kind).where(Reminder.team_id == world.own_team.id))
    assert sorted(kinds) == ["due", "due"]


def test_a_week_later_the_late_reminder_follows_once(world, team, inbox):
    world.network.reminder_day = 5
    send_all(day(21, 5))
    send_all(day(21, 12))
    send_all(day(21, 13))
    late = inbox.to("english@example.no")[1:]
    assert [inbox.subject(m) for m in late] == [
        f"Late: the numbers for {month_in(month(20), 'en')}, {world.own_team.name}"
    ]
    assert len(inbox.to("member@example.no")) == 2


def test_a_reminder_recorded_meanwhile_is_not_sent(world, team, inbox, db_session):
    """Another run (another server) recorded one after this run planned it: it is not sent again."""
    world.network.reminder_day = 5
    plan = svc.planned(day(21, 5))
    db_session.add(Reminder(user_id=plan[0].user.id, team_id=plan[0].team.id, period=month(20), kind="due"))
    db_session.flush()
    with mail.get_connection() as connection:
        outcome = svc.send(plan, connection, PUBLIC_URL)
    assert outcome.already == (plan[0],)
    assert [m["To"] for m in inbox.messages] == [plan[1].user.email]


def test_a_team_that_has_entered_the_month_gets_none(world, team, inbox, db_session):
    other = f.UserFactory(email="other@example.no")
    other.memberships.append(UnitMembership(unit=world.other_team.unit))
    f.MeasurementFactory(team=world.other_team, measure=world.measure, period=month(20))
    world.network.reminder_day = 5
    send_all(day(21, 5))
    assert inbox.to("other@example.no") == []
    assert inbox.to("member@example.no") != []


def test_a_partly_entered_month_is_reminded_with_what_is_missing(world, team, inbox, db_session):
    second = f.MeasureFactory(network=world.network, name="Residents weighed this month")
    f.MeasurementFactory(team=world.own_team, measure=world.measure, period=month(20), numerator=13)
    world.network.reminder_day = 5
    send_all(day(21, 5))
    body = inbox.body(inbox.to("english@example.no")[0])
    assert second.name in body and world.measure.name not in body
    assert "13" not in body.replace(ym(20), "")  # no number the team entered


def test_who_turned_reminders_off_gets_none(client, auth, world, team, inbox, db_session):
    member = world.users["team_member"]
    auth.login(member)
    assert client.post("/account/reminders", data={}).status_code == 302
    db_session.expire_all()
    assert member.reminders is False
    world.network.reminder_day = 5
    send_all(day(21, 5))
    assert [m["To"] for m in inbox.messages] == ["english@example.no"]
    client.post("/account/reminders", data={"reminders": "y"})
    db_session.expire_all()
    assert member.reminders is True


def test_flask_reminders_send_sends_todays_reminders_once(runner, world, team, inbox, db_session):
    world.network.reminder_day = min(TODAY.day, 28)
    db_session.flush()
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    assert sorted(m["To"] for m in inbox.messages) == ["english@example.no", "member@example.no"]
    subjects = {m["To"]: inbox.subject(m) for m in inbox.messages}
    assert month_in(LAST_MONTH, "en") in subjects["english@example.no"]
    assert month_in(LAST_MONTH, "nb") in subjects["member@example.no"]
    second = runner.invoke(args=["reminders", "send"])
    assert second.exit_code == 0 and len(inbox.messages) == 2


# --- by hand, from the completeness grid ---


def remind(client, network, team, period: str):
    return client.post(f"/networks/{network.id}/teams/{team.id}/reminders", data={"period": period})


def test_a_facilitator_reminds_a_team_by_hand_and_sees_it(client, auth, world, team, inbox, db_session):
    facilitator = world.users["facilitator"]
    auth.login(facilitator)
    response = remind(client, world.network, world.own_team, ym(21))
    assert response.status_code == 302
    assert sorted(m["To"] for m in inbox.messages) == ["english@example.no", "member@example.no"]
    recorded = db_session.scalars(select(Reminder).where(Reminder.team_id == world.own_team.id)).all()
    assert {(r.period, r.kind, r.sent_by_id) for r in recorded} == {(month(21), "by_hand", facilitator.id)}

    page = client.get(f"/networks/{world.network.id}").get_data(as_text=True)
    assert 'data-testid="reminded"' in page
    assert "for hånd, av " + facilitator.name in page
    # Pressed again: no one is reminded twice.
    remind(client, world.network, world.own_team, ym(21))
    assert len(inbox.messages) == 2


@pytest.mark.parametrize("role", ["team_member", "viewer"])
def test_only_those_who_run_the_network_remind_by_hand(client, auth, world, team, inbox, role):
    auth.login(world.users[role])
    assert remind(client, world.network, world.own_team, ym(21)).status_code == 403
    assert inbox.messages == []


@pytest.mark.parametrize("role", ["admin", "centre"])
def test_the_county_reminds_by_hand(client, auth, world, team, inbox, role):
    auth.login(world.users[role])
    assert remind(client, world.network, world.own_team, ym(21)).status_code == 302
    assert len(inbox.messages) == 2


def test_a_team_of_another_network_or_a_month_outside_it_is_refused(client, auth, world, team, inbox):
    auth.login(world.users["centre"])
    assert remind(client, world.network, world.far_team, ym(21)).status_code == 404
    assert remind(client, world.network, world.own_team, "1999-01").status_code == 302
    assert remind(client, world.network, world.own_team, "not a month").status_code == 302
    assert inbox.messages == []


# --- the network's reminder day on its set-up page ---


def setup_form(network, **changes) -> dict:
    form = {
        "action": "network",
        "network-name": network.name,
        "network-topic": network.topic,
        "network-start_date": network.start_date.isoformat(),
        "network-end_date": network.end_date.isoformat(),
        "network-status": network.status,
        "network-rule_set": network.rule_set,
        "network-language": network.language,
        "network-reminder_day": "5",
    }
    return form | changes


def test_the_reminder_day_is_set_on_the_set_up_page(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    setup = f"/networks/{world.network.id}/setup"
    assert world.network.reminder_day == 5  # the default
    saved = client.post(setup, data=setup_form(world.network, **{"network-reminder_day": "12"}))
    assert saved.status_code == 302
    db_session.expire_all()
    assert world.network.reminder_day == 12
    page = client.post(setup, data=setup_form(world.network, **{"network-reminder_day": "29"}))
    assert page.status_code == 200 and "1 til 28" in page.get_data(as_text=True)
    db_session.expire_all()
    assert world.network.reminder_day == 12
