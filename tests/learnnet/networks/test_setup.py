"""Setting up a network: its learning sessions lie within its period and are numbered by date, and
the measure picker offers only the measures the network has not got yet."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from learnnet.library import load_templates
from learnnet.models import AuditEvent, MeasureTemplate
from tests.clock import last_day, month
from tests.learnnet import factories as f


@pytest.fixture
def network(world, db_session):
    """A network in the future, from month 24 to the end of month 35, that the facilitator runs."""
    network = f.NetworkFactory(
        region=world.region, name="Fall 2027", start_date=month(24), end_date=last_day(35)
    )
    network.facilitators.append(world.users["facilitator"])
    db_session.flush()
    return network


def _add_session(client, network, date, title=""):
    return client.post(
        f"/networks/{network.id}/setup",
        data={"action": "session", "session-date": date.isoformat(), "session-title": title},
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "En samling må ligge innenfor nettverkets periode, {start} til {end}."),
        ("en", "A learning session must lie within the network's period, {start} to {end}."),
    ],
)
def test_a_session_outside_the_networks_period_is_refused(
    client, auth, world, network, db_session, language, message
):
    world.users["facilitator"].language = language
    db_session.flush()
    auth.login(world.users["facilitator"])
    expected = message.format(start=month(24).strftime("%d.%m.%Y"), end=last_day(35).strftime("%d.%m.%Y"))
    # 2020-style dates long before, the day before its start, the day after its end
    for date in (month(0), month(24) - dt.timedelta(days=1), last_day(35) + dt.timedelta(days=1)):
        response = _add_session(client, network, date)
        assert response.status_code == 200
        assert expected in html.unescape(response.get_data(as_text=True))
    db_session.expire_all()
    assert network.sessions == []
    # its first and last day are within it
    assert _add_session(client, network, month(24)).status_code == 302
    assert _add_session(client, network, last_day(35)).status_code == 302
    db_session.expire_all()
    assert [s.date for s in network.sessions] == [month(24), last_day(35)]


def test_sessions_are_numbered_in_date_order(client, auth, world, network, db_session):
    auth.login(world.users["facilitator"])
    _add_session(client, network, month(30), "Midtveis")
    _add_session(client, network, month(26), "Oppstart")
    db_session.expire_all()
    assert [(s.number, s.title) for s in network.sessions] == [(1, "Oppstart"), (2, "Midtveis")]
    _add_session(client, network, month(28), "Underveis")
    _add_session(client, network, month(28), "Samme dag")  # after the one already on that day
    db_session.expire_all()
    assert [(s.number, s.date, s.title) for s in network.sessions] == [
        (1, month(26), "Oppstart"),
        (2, month(28), "Underveis"),
        (3, month(28), "Samme dag"),
        (4, month(30), "Midtveis"),
    ]
    # the audit says which sessions got a new number: Midtveis was 2, then 3, then 4
    events = db_session.query(AuditEvent).filter_by(action="learning_session.create").order_by(AuditEvent.id)
    assert [e.after.get("renumbered") for e in events] == [None, {"1": 2}, {"2": 3}, {"3": 4}]


def test_the_measure_picker_offers_only_measures_not_yet_added(client, auth, world, network, db_session):
    load_templates(db_session)
    templates = db_session.query(MeasureTemplate).order_by(MeasureTemplate.id).all()
    added, other = templates[0], templates[1]
    auth.login(world.users["facilitator"])
    setup = f"/networks/{network.id}/setup"
    response = client.post(
        setup, data={"action": "measure", "measure-template": added.id, "measure-target": ""}
    )
    assert response.status_code == 302
    page = client.get(setup).get_data(as_text=True)
    offered = {int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', _measure_select(page))}
    assert added.id not in offered and other.id in offered
    assert offered == {t.id for t in templates} - {added.id}
    # sent from a page opened before it was added: refused, still one
    again = client.post(setup, data={"action": "measure", "measure-template": added.id, "measure-target": ""})
    assert again.status_code == 200
    db_session.expire_all()
    assert [m.code for m in network.measures] == [added.code]


def _measure_select(page: str) -> str:
    return re.search(r'<select[^>]*name="measure-template".*?</select>', page, re.S).group(0)
