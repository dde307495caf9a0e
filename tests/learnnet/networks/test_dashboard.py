"""The facilitator's network dashboard, its export, and the network's set-up."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learnnet.library import load_templates
from learnnet.models import AuditEvent, MeasureTemplate, Network
from tests.clock import END, THIS_MONTH, last_day, month, ym
from tests.learnnet import factories as f
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def test_roles_who_see_the_dashboard(role_client, county):
    response = role_client.client.get(f"/networks/{county.network.id}")
    expected = {"admin": 200, "centre": 200, "facilitator": 200, "team_member": 403, "viewer": 403}
    assert response.status_code == expected[role_client.role]
    export = role_client.client.get(f"/networks/{county.network.id}/matrix.csv")
    assert export.status_code == expected[role_client.role]


def test_matrix_shows_latest_value_icons_and_links_to_the_team_measure(client, auth, county, world):
    auth.login(world.users["facilitator"])
    page = client.get(f"/networks/{county.network.id}").get_data(as_text=True)
    for team in county.teams:
        assert f"/teams/{team.id}/measures/{county.screening.id}" in page
    assert "ln-var-" in page and "ln-ass-" in page
    assert 'data-testid="late-teams"' in page
    assert "suppression-note" not in page  # the facilitator may open every team of the network


def _icons(page: str) -> dict[str, str]:
    """The symbol inside each kind of matrix icon, by its CSS class (ln-var-common, ln-ass-pass, ...)."""
    return dict(
        re.findall(r'class="ln-icon ln-(?:var|ass) (ln-(?:var|ass)-[a-z_]+)"[^>]*>([^<]*)</span>', page)
    )


@pytest.mark.parametrize(
    "language, names",
    [
        (
            "nb",
            [
                "Tilfeldig variasjon",
                "Spesiell variasjon: forbedring",
                "Spesiell variasjon: bekymring",
                "Spesiell variasjon: verken bedre eller dårligere",
                "Når målet",
                "Når ikke målet",
                "Når målet av og til",
            ],
        ),
        (
            "en",
            [
                "Common cause variation",
                "Special cause: improvement",
                "Special cause: concern",
                "Special cause: neither better nor worse",
                "Meets the target",
                "Misses the target",
                "Hit and miss against the target",
            ],
        ),
    ],
)
def test_matrix_has_a_visible_key_in_the_users_language(client, auth, county, world, language, names):
    auth.login(world.users["facilitator"])
    client.post("/language", data={"language": language, "next": "/"})
    page = client.get(f"/networks/{county.network.id}").get_data(as_text=True)
    key = page[page.index('data-testid="matrix-legend"') :]
    key = key[: key.index("</div>\n</div>")]
    for name in names:
        assert name in key
    # Every state has an icon in the key, each with a symbol of its own: the special cause
    # without a direction and "hit and miss" no longer share "?".
    symbols = _icons(key)
    assert set(symbols) == {
        "ln-var-common",
        "ln-var-improvement",
        "ln-var-concern",
        "ln-var-neutral",
        "ln-ass-pass",
        "ln-ass-fail",
        "ln-ass-hit_and_miss",
    }
    assert len(set(symbols["ln-var-" + c] for c in ("common", "improvement", "concern", "neutral"))) == 4
    assert len(set(symbols["ln-ass-" + c] for c in ("pass", "fail", "hit_and_miss"))) == 3
    assert symbols["ln-var-neutral"] != symbols["ln-ass-hit_and_miss"]
    # No letters from one language (P for pass, F for fail) in the other.
    assert not any(ch.isalpha() for symbol in symbols.values() for ch in symbol)
    # The matrix cells use the same symbols as the key.
    matrix = page[page.index('data-testid="matrix"') : page.index('data-testid="matrix-legend"')]
    assert _icons(matrix) and all(symbols[c] == s for c, s in _icons(matrix).items())


def test_municipality_filter(client, auth, county, world):
    auth.login(world.users["facilitator"])
    page = client.get(f"/networks/{county.network.id}", query_string={"municipality": county.faerder.id})
    text = page.get_data(as_text=True)
    matrix = text[text.index('data-testid="matrix"') : text.index('data-testid="completeness"')]
    assert "Tjøme omsorgssenter" in matrix
    assert "Åsgårdstrand" not in matrix
    # an unknown municipality shows them all
    assert client.get(f"/networks/{county.network.id}", query_string={"municipality": "x"}).status_code == 200


def test_matrix_exports(client, auth, county, world):
    auth.login(world.users["facilitator"])
    body = client.get(f"/networks/{county.network.id}/matrix.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == ["Team", "Kommune"]
    assert len(rows) == 1 + len(county.teams)
    workbook = load_workbook(io.BytesIO(client.get(f"/networks/{county.network.id}/matrix.xlsx").data))
    assert workbook.active.max_row == 1 + len(county.teams)
    assert client.get(f"/networks/{county.network.id}/matrix.pdf").status_code == 404


def test_late_team_is_named(client, auth, county, world, db_session):
    from learnnet.models import Measurement

    team = county.teams[0]
    for m in db_session.query(Measurement).filter_by(team_id=team.id, period=networkdata.LAST):
        db_session.delete(m)
    db_session.flush()
    auth.login(world.users["facilitator"])
    page = client.get(f"/networks/{county.network.id}").get_data(as_text=True)
    late = page[page.index('data-testid="late-teams"') :]
    assert team.name in late[:400]


@pytest.fixture
def template(db_session):
    load_templates(db_session)
    return db_session.query(MeasureTemplate).filter_by(code="malnutrition.screened").one()


def test_the_template_library_is_shown_in_the_readers_language(client, auth, world, template, db_session):
    world.users["facilitator"].language = "en"
    db_session.flush()
    auth.login(world.users["facilitator"])
    page = client.get("/networks/new").get_data(as_text=True)
    assert ">Malnutrition</div>" in page and template.texts["en"]["name"] in page


def test_a_network_created_active_is_audited_as_active(client, auth, world, template, db_session):
    from learnnet.models import AuditEvent

    auth.login(world.users["centre"])
    data = {
        "name": "Fall 2027",
        "topic": "falls",
        "region": world.region.id,
        "start_date": THIS_MONTH.isoformat(),
        "end_date": last_day(33).isoformat(),
        "status": "active",
        "rule_set": "anhoej",
        "language": "nb",
    }
    assert client.post("/networks/new", data=data).status_code == 302
    network = db_session.query(Network).filter_by(name="Fall 2027").one()
    event = db_session.query(AuditEvent).filter_by(action="network.create", object_id=network.id).one()
    assert network.status == event.after["status"] == "active"


def test_facilitator_creates_a_network_from_templates(client, auth, world, template, db_session):
    auth.login(world.users["facilitator"])
    page = client.get("/networks/new").get_data(as_text=True)
    # the library as tick boxes under their topics' names, which a tablet can use
    assert f'type="checkbox" name="templates" value="{template.id}"' in page
    assert ">Underernæring</div>" in page and "malnutrition ·" not in page
    response = client.post(
        "/networks/new",
        data={
            "name": "Ernæring 2027",
            "topic": "malnutrition",
            "region": world.region.id,
            "start_date": month(24).isoformat(),
            "end_date": last_day(35).isoformat(),
            "status": "planned",
            "rule_set": "anhoej",
            "language": "nb",
            "templates": [template.id],
        },
    )
    assert response.status_code == 302
    network = db_session.query(Network).filter_by(name="Ernæring 2027").one()
    assert [m.code for m in network.measures] == ["malnutrition.screened"]
    assert network.measures[0].name == template.texts["nb"]["name"]
    assert world.users["facilitator"] in network.facilitators
    # and it sets it up: a target, a team, a learning session
    setup = f"/networks/{network.id}/setup"
    assert client.get(setup).status_code == 200
    client.post(setup, data={"action": "team", "team-unit": world.own_team.unit_id, "team-name": ""})
    client.post(
        setup, data={"action": "session", "session-date": month(26).isoformat(), "session-title": "Oppstart"}
    )
    db_session.expire_all()
    assert [t.name for t in network.teams] == [world.own_team.unit.name]
    assert [(s.number, s.title) for s in network.sessions] == [(1, "Oppstart")]
    client.post(
        setup,
        data={
            "action": "session",
            "session-date": month(29).isoformat(),
            "session-title": "Samling 2: Midtveis",
        },
    )
    # each session named once, on the setup page and the network's page
    for page in (client.get(setup), client.get(f"/networks/{network.id}")):
        html = page.get_data(as_text=True)
        assert "Samling 1: Oppstart" in html and "Samling 2: Midtveis" in html
        assert "Samling 2: Samling 2" not in html and "2. Samling 2" not in html


def test_creating_needs_valid_dates(client, auth, world):
    auth.login(world.users["facilitator"])
    response = client.post(
        "/networks/new",
        data={
            "name": "Bakvendt",
            "topic": "falls",
            "region": world.region.id,
            "start_date": month(35).isoformat(),
            "end_date": month(24).isoformat(),
            "status": "planned",
            "rule_set": "anhoej",
            "language": "nb",
        },
    )
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)


def test_team_member_and_viewer_may_not_set_up(client, auth, world):
    for role in ("team_member", "viewer"):
        auth.logout()
        auth.login(world.users[role])
        assert client.get("/networks/new").status_code == 403
        assert client.get(f"/networks/{world.network.id}/setup").status_code == 403


def test_facilitator_of_another_network_may_not_set_it_up(client, auth, world):
    auth.login(world.users["facilitator"])
    assert client.get(f"/networks/{world.other_network.id}/setup").status_code == 403


def test_editing_a_definition_keeps_its_history(client, auth, world, db_session):
    measure = world.measure
    auth.login(world.users["facilitator"])
    url = f"/networks/{world.network.id}/measures/{measure.id}"
    response = client.post(
        url,
        data={
            "name": measure.name,
            "short_name": "Screening",
            "numerator": "Screenet innen 7 dager",
            "denominator": "Langtidsbeboere",
            "target": "85",
            "direction": "up",
            "default_chart": "",
            "unit_label": "%",
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert measure.target == 85.0 and measure.version == 2
    event = (
        db_session.query(AuditEvent).filter_by(object_type="measure_definition", object_id=measure.id).one()
    )
    assert event.before["target"] is None and event.after["target"] == 85.0
    page = client.get(url).get_data(as_text=True)
    history = page[page.index('data-testid="history"') :]
    assert "Screenet innen 7 dager" in history and "85" in history
    # the centre reads it; a viewer may not
    auth.logout()
    auth.login(world.users["viewer"])
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(world.users["centre"])
    assert client.get(url).status_code == 200


def test_definition_of_another_network_is_not_found(client, auth, world):
    other = f.MeasureFactory(network=world.other_network)
    auth.login(world.users["admin"])
    assert client.get(f"/networks/{world.network.id}/measures/{other.id}").status_code == 404


def test_the_kept_dashboard_shows_a_change_at_the_next_open(client, auth, county, world, db_session):
    from learnnet.models import LearningSession, Measurement

    auth.login(world.users["facilitator"])
    url = f"/networks/{county.network.id}"
    team = county.teams[0]

    def late_teams() -> str:
        page = client.get(url).get_data(as_text=True)
        return page[page.index('data-testid="late-teams"') :][:400]

    assert team.name not in late_teams()
    for m in db_session.query(Measurement).filter_by(team_id=team.id, period=networkdata.LAST):
        db_session.delete(m)
    db_session.commit()
    assert team.name in late_teams()

    db_session.add(
        LearningSession(network=county.network, number=9, date=networkdata.LAST, title="Sluttkonferanse")
    )
    db_session.commit()
    assert "Sluttkonferanse" in client.get(url).get_data(as_text=True)


def test_a_second_open_of_the_dashboard_computes_only_the_chart_that_changed(
    client, auth, county, world, monkeypatch
):
    from learnnet.analysis import series as analysis

    computed = []
    compute = analysis.analyse

    def counting(series, *args, **kwargs):
        # the network's pooled chart (of the first measure) is computed beside the teams' charts
        computed.append((series.team.id if series.team else "network", series.measure.id))
        return compute(series, *args, **kwargs)

    monkeypatch.setattr(analysis, "analyse", counting)
    auth.login(world.users["facilitator"])
    url = f"/networks/{county.network.id}"
    assert county.network.measures[0] == county.screening
    assert client.get(url).status_code == 200
    assert len(computed) == len(county.teams) * 2 + 1
    assert ("network", county.screening.id) in computed
    computed.clear()
    assert client.get(url).status_code == 200
    assert computed == []
    team = county.teams[1]
    entry = f"/teams/{team.id}/entry?period={ym(21)}"
    page = client.get(entry).get_data(as_text=True)
    version = re.search(rf'name="version_{county.screening.id}"[^>]*value="(\d+)"', page).group(1)
    data = {f"num_{county.screening.id}": "3", f"den_{county.screening.id}": "16", "confirm": "y"}
    assert client.post(entry, data={**data, f"version_{county.screening.id}": version}).status_code == 302
    assert client.get(url).status_code == 200
    # the team's chart, and the pooled chart it is part of
    assert computed == [(team.id, county.screening.id), ("network", county.screening.id)]


def test_a_finished_chart_pack_shows_at_the_next_open(client, auth, county, world, db_session):
    from learnnet.models import SessionPack

    auth.login(world.users["facilitator"])
    url = f"/networks/{county.network.id}"
    session = county.sessions[0]
    pack = SessionPack(session_id=session.id, data_until=networkdata.LAST, status="running")
    db_session.add(pack)
    db_session.commit()
    assert f"/packs/{pack.id}/" not in client.get(url).get_data(as_text=True)
    pack.status = "done"
    db_session.commit()
    assert f"/packs/{pack.id}/" in client.get(url).get_data(as_text=True)


def test_a_chart_phase_moved_is_the_one_the_next_dashboard_reads(client, auth, county, world, db_session):
    """SQLite may give a new phase the id of the one just removed: the phase's month still counts."""
    from learnnet.analysis import analyse_team_measure
    from learnnet.models import ChartSettings

    auth.login(world.users["facilitator"])
    team, measure = county.teams[0], county.screening
    base = f"/teams/{team.id}/measures/{measure.id}"

    def phase_starts() -> list:
        assert client.get(f"/networks/{county.network.id}").status_code == 200
        db_session.expire_all()  # the requests changed the settings
        analysis = analyse_team_measure(team, measure)
        phases = [r["phase"] for r in analysis.chart.to_records()]
        return [analysis.series.periods[k] for k in range(1, len(phases)) if phases[k] != phases[k - 1]]

    assert (
        client.post(f"{base}/phases", data={"start_period": ym(5), "label": "Ny rutine"}).status_code == 302
    )
    assert phase_starts() == [month(5)]
    settings = ChartSettings.query.filter_by(team_id=team.id, measure_id=measure.id).one()
    phase = settings.phases[0]
    assert client.post(f"{base}/phases/{phase.id}/delete").status_code == 302
    assert (
        client.post(f"{base}/phases", data={"start_period": ym(7), "label": "Ny rutine"}).status_code == 302
    )
    assert phase_starts() == [month(7)]


def test_the_centre_gives_a_network_its_facilitators(client, auth, world, db_session):
    colleague = f.UserFactory(role="facilitator", email="colleague@example.no", name="Nora Veileder")
    f.UserFactory(role="facilitator", email="gone@example.no", name="Sluttet", active=False)
    db_session.flush()
    network = world.other_network  # nobody facilitates it yet
    auth.login(world.users["centre"])
    setup = f"/networks/{network.id}/setup"
    page = client.get(setup).get_data(as_text=True)
    assert "Ingen veileder ennå." in page
    assert "Nora Veileder (colleague@example.no)" in page and "Sluttet" not in page
    response = client.post(setup, data={"action": "facilitator", "facilitator-person": colleague.id})
    assert response.status_code == 302
    db_session.expire_all()
    assert network.facilitators == [colleague]
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "network.add_facilitator"))
    assert event.object_id == network.id and event.after == {"facilitator": "Nora Veileder"}
    # the facilitator now reaches the network
    auth.logout()
    auth.login(colleague)
    assert client.get(f"/networks/{network.id}").status_code == 200
    # and may step down; the page they can no longer open is not where they land
    response = client.post(setup, data={"action": "remove_facilitator", "person": colleague.id})
    assert response.status_code == 302 and response.headers["Location"].endswith("/networks/")
    db_session.expire_all()
    assert network.facilitators == []
    assert client.get(f"/networks/{network.id}").status_code == 403


def test_only_facilitators_can_be_added_and_only_current_ones_removed(client, auth, world, db_session):
    f.UserFactory(role="facilitator", email="colleague@example.no")
    auth.login(world.users["centre"])
    setup = f"/networks/{world.network.id}/setup"
    member = world.users["team_member"]
    refused = client.post(setup, data={"action": "facilitator", "facilitator-person": member.id})
    assert refused.status_code == 200 and "Ikke et gyldig valg" in refused.get_data(as_text=True)
    gone = client.post(
        setup, data={"action": "remove_facilitator", "person": member.id}, follow_redirects=True
    )
    assert "Den personen er ikke lenger veileder for nettverket." in gone.get_data(as_text=True)
    # sent twice: done once, and said so both times
    facilitator = world.users["facilitator"]
    again = client.post(setup, data={"action": "facilitator", "facilitator-person": facilitator.id})
    assert again.status_code == 302
    db_session.expire_all()
    assert world.network.facilitators == [world.users["facilitator"]]


def test_a_name_of_only_spaces_is_refused(client, auth, world, db_session):
    auth.login(world.users["centre"])
    setup = f"/networks/{world.network.id}/setup"
    form = {
        "action": "network",
        "network-name": "   ",
        "network-topic": " ",
        "network-start_date": month(0).isoformat(),
        "network-end_date": END.isoformat(),
        "network-status": "active",
        "network-rule_set": "anhoej",
        "network-language": "nb",
        "network-reminder_day": "5",
    }
    page = client.post(setup, data=form).get_data(as_text=True)
    assert page.count("Dette feltet er påkrevd.") == 2
    db_session.expire_all()
    assert world.network.name == "Underernæring 2025–26"
