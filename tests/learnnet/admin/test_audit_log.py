"""Administrators see who changed what and when, with the values before and after."""

from tests.clock import TODAY, month, nb_month, ym
from tests.learnnet import factories as f


def test_admin_sees_a_changed_measurement_with_before_and_after(client, auth, db_session, world):
    member = world.users["team_member"]
    auth.login(member)
    url = f"/teams/{world.own_team.id}/entry?period={ym(2)}"
    m = world.measure
    client.post(url, data={f"num_{m.id}": "4", f"den_{m.id}": "16", f"version_{m.id}": "0"})
    client.post(url, data={f"num_{m.id}": "9", f"den_{m.id}": "16", f"version_{m.id}": "1"})
    client.post("/logout")
    auth.login(world.users["admin"])
    page = client.get("/admin/audit?action=measurement.update").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    # In words: what was done, by whom, to which team's measure in which month.
    assert '<td title="measurement.update">Endret en verdi</td>' in rows
    assert member.name in rows
    assert f"{world.own_team.name} · {m.short_name or m.name} · {nb_month(month(2))}" in rows
    # Only what changed is listed on each side.
    before = rows.split('<dt class="fw-normal text-body-secondary">Teller</dt>')
    assert len(before) == 3
    assert '<dd class="mb-1">4</dd>' in before[1] and '<dd class="mb-1">9</dd>' in before[2]
    assert ">Versjon<" in rows and ">numerator<" not in rows


def test_filters_by_person_and_day(client, auth, db_session, world):
    auth.login(world.users["admin"])
    f.UserFactory()
    db_session.flush()
    today = TODAY.isoformat()
    page = client.get(f"/admin/audit?user={world.users['admin'].id}&day={today}").get_data(as_text=True)
    assert "login" in page
    page = client.get("/admin/audit?day=1999-01-01").get_data(as_text=True)
    assert "Ingen hendelser." in page
    assert client.get("/admin/audit?day=not-a-day&user=x").status_code == 200


def test_only_admins(client, auth, world):
    for role in ("centre", "facilitator", "team_member", "viewer"):
        auth.login(world.users[role])
        assert client.get("/admin/audit").status_code == 403
        client.post("/logout")


def test_a_long_log_is_paged_both_ways(client, auth, db_session, world):
    from learnnet import audit
    from learnnet.admin.views import PAGE_SIZE

    admin = world.users["admin"]
    for k in range(PAGE_SIZE + 5):
        audit.record(
            admin, "user.update", admin, before={"name": f"before {k}"}, after={"name": f"after {k}"}
        )
    db_session.flush()
    auth.login(admin)
    first = client.get("/admin/audit?action=user.update")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "1 / 2" in html and "Eldre" in html and "page=2" in html
    second = client.get("/admin/audit?action=user.update&page=2")
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert "2 / 2" in html and "Nyere" in html and "action=user.update" in html
