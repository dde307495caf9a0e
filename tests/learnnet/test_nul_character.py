"""A NUL character, which no text column can store, is refused with a clear message wherever it comes
in: the address, the query, a form or a JSON body. PostgreSQL would otherwise fail the request."""

from __future__ import annotations

from sqlalchemy import func, select

from learnnet.models import Network

MESSAGE = "usynlig kontrolltegn (NUL)"


def test_a_form_field_with_nul_is_refused_and_nothing_saved(client, auth, world, db_session):
    auth.login(world.users["centre"])
    setup = f"/networks/{world.network.id}/setup"
    form = {
        "action": "network",
        "network-name": "Fall\x00 2026",
        "network-topic": "falls",
        "network-start_date": "2025-01-01",
        "network-end_date": "2026-12-31",
        "network-status": "active",
        "network-rule_set": "anhoej",
        "network-language": "nb",
    }
    response = client.post(setup, data=form)
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).where(Network.name.like("Fall%2026"))) == 0


def test_a_query_or_address_with_nul_is_refused(client, auth, world):
    auth.login(world.users["admin"])
    for url in (
        "/admin/users?q=a%00b",
        "/admin/users?q=ok&q=a%00b",
        "/admin/audit?action=%00",
        "/imports/ab%00cd/status",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert MESSAGE in response.get_data(as_text=True)


def test_text_without_nul_passes(client, auth, world):
    auth.login(world.users["admin"])
    assert client.get("/admin/users?q=Berg").status_code == 200
