"""The measure page: the chart's reading, the data, and chart settings kept for everyone."""

import random

import pytest
from sqlalchemy import select

from learnnet.measurements.periods import default_entry_period
from learnnet.models import AuditEvent, ChartExclusion, ChartPhase, ChartSettings, Measurement
from tests.clock import TODAY, en_month, month, nb_month, nb_short_month, ym
from tests.learnnet import factories as f

# The improving fixture changes level at the network's thirteenth month.
CHANGE = month(12)


@pytest.fixture
def improving(db_session, world):
    """Two years of screening data: about 45 % for a year, then about 85 % after a change."""
    team, measure = world.own_team, world.measure
    rng = random.Random(7)
    for k in range(22):
        period = month(k)
        n = rng.randint(14, 20)
        share = 0.45 if k < 12 else 0.85
        f.MeasurementFactory(
            team=team,
            measure=measure,
            period=period,
            denominator=n,
            numerator=max(0, min(n, round(n * share) + rng.randint(-1, 1))),
        )
    db_session.flush()
    return team, measure


def test_page_reads_the_chart_in_norwegian(client, auth, world, improving):
    team, measure = improving
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert f"10 måneder på rad over gjennomsnittet, siden {nb_month(CHANGE)}: en reell forbedring." in page
    assert nb_short_month(CHANGE) in page  # the data table


def test_page_reads_the_chart_in_english(client, auth, db_session, world, improving):
    team, measure = improving
    world.users["team_member"].language = "en"
    db_session.flush()
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert f"10 months in a row above the mean, since {en_month(CHANGE)}: a real improvement." in page


def test_lead_adds_a_phase_that_everyone_then_sees(client, auth, db_session, world, improving):
    team, measure = improving
    world.users["team_member"].memberships[0].is_lead = True
    db_session.flush()
    auth.login(world.users["team_member"])
    response = client.post(
        f"/teams/{team.id}/measures/{measure.id}/phases",
        data={"start_period": ym(12), "label": "Ernæringskontakt"},
    )
    assert response.status_code == 302
    settings = db_session.scalar(select(ChartSettings))
    assert [(p.start_period, p.label) for p in settings.phases] == [(month(12), "Ernæringskontakt")]
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "chart_settings.change"))
    client.post("/logout")
    auth.login(world.users["facilitator"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert "Ernæringskontakt" in page
    assert f"Siden {nb_month(CHANGE)} (Ernæringskontakt) er senterlinjen" in page


def test_excluded_month_needs_a_reason(client, auth, db_session, world, improving):
    team, measure = improving
    auth.login(world.users["facilitator"])
    client.post(f"/teams/{team.id}/measures/{measure.id}/exclusions", data={"period": ym(2), "reason": ""})
    assert (
        db_session.scalar(select(ChartSettings)) is None
        or not db_session.scalar(select(ChartSettings)).exclusions
    )
    client.post(
        f"/teams/{team.id}/measures/{measure.id}/exclusions",
        data={"period": ym(2), "reason": "Ny rutine for telling"},
    )
    db_session.expire_all()
    settings = db_session.scalar(select(ChartSettings))
    assert [e.reason for e in settings.exclusions] == ["Ny rutine for telling"]


def test_chart_kind_override_and_freeze(client, auth, db_session, world, improving):
    team, measure = improving
    auth.login(world.users["facilitator"])
    client.post(
        f"/teams/{team.id}/measures/{measure.id}/settings",
        data={"chart_kind": "pp", "freeze_period": ym(11)},
    )
    settings = db_session.scalar(select(ChartSettings))
    assert (settings.chart_kind, settings.freeze_period) == ("pp", month(11))
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert "PP" in page
    # A chart kind that does not fit a proportion is refused.
    client.post(f"/teams/{team.id}/measures/{measure.id}/settings", data={"chart_kind": "t"})
    db_session.expire_all()
    assert db_session.scalar(select(ChartSettings)).chart_kind == "pp"


def test_plain_member_cannot_change_settings(client, auth, db_session, world, improving):
    team, measure = improving
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert "Endre diagrammet" not in page
    response = client.post(f"/teams/{team.id}/measures/{measure.id}/settings", data={"chart_kind": "run"})
    assert response.status_code == 403


def test_measure_of_another_network_is_not_found(client, auth, db_session, world):
    foreign = f.MeasureFactory(network=world.other_network)
    db_session.flush()
    auth.login(world.users["team_member"])
    assert client.get(f"/teams/{world.own_team.id}/measures/{foreign.id}").status_code == 404


def test_page_without_data_says_so(client, auth, world):
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{world.own_team.id}/measures/{world.measure.id}").get_data(as_text=True)
    assert "Ingen tall er registrert ennå." in page


def test_chart_image_in_every_format_with_revalidation(client, auth, world, improving):
    team, measure = improving
    auth.login(world.users["team_member"])
    url = f"/teams/{team.id}/measures/{measure.id}/chart"
    svg = client.get(url + ".svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    body = svg.get_data(as_text=True)
    assert "<title" in body and "<desc" in body and "en reell forbedring" in body
    assert client.get(url + ".png").get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(url + ".pdf").get_data()[:5] == b"%PDF-"
    again = client.get(url + ".svg", headers={"If-None-Match": svg.headers["ETag"]})
    assert again.status_code == 304
    download = client.get(url + ".png?download=1&size=slide")
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert client.get(url + ".gif").status_code == 404
    assert client.get(url + ".png?size=huge").status_code == 400


def test_chart_changes_when_a_month_is_entered(client, auth, db_session, world, improving):
    team, measure = improving
    auth.login(world.users["team_member"])
    url = f"/teams/{team.id}/measures/{measure.id}/chart.svg"
    before = client.get(url).headers["ETag"]
    last = default_entry_period(TODAY)
    saved = db_session.scalar(select(Measurement).where(Measurement.period == last))
    response = client.post(
        f"/teams/{team.id}/entry?period={last:%Y-%m}",
        data={
            f"num_{measure.id}": "3",
            f"den_{measure.id}": "16",
            f"version_{measure.id}": str(saved.version if saved else 0),
            "confirm": "y",
        },
    )
    assert response.status_code == 302
    assert client.get(url).headers["ETag"] != before


def test_a_chart_asked_for_again_is_drawn_once_and_redrawn_after_a_change(
    client, auth, db_session, world, improving, monkeypatch
):
    from learnnet.analysis import chartdata
    from learnnet.kept import Kept

    drawn = []

    def counting(data, fmt, size):
        drawn.append(fmt)
        return render_spc(data, fmt, size)

    render_spc = chartdata.render_spc
    monkeypatch.setattr(chartdata, "render_spc", counting)
    monkeypatch.setattr(chartdata, "_drawn", Kept(2**24, len))
    team, measure = improving
    auth.login(world.users["team_member"])
    url = f"/teams/{team.id}/measures/{measure.id}/chart.png"
    first, second = client.get(url).get_data(), client.get(url).get_data()
    assert first == second and drawn == ["png"]

    f.MeasurementFactory(team=team, measure=measure, period=month(-19), numerator=2, denominator=19)
    db_session.flush()
    assert client.get(url).get_data() != first and drawn == ["png", "png"]


def test_another_teams_chart_is_refused(client, auth, world, improving):
    team, measure = improving
    auth.login(world.users["team_member"])
    assert client.get(f"/teams/{world.other_team.id}/measures/{measure.id}/chart.png").status_code == 403


def test_phase_and_excluded_month_can_be_removed(client, auth, db_session, world, improving):
    team, measure = improving
    auth.login(world.users["facilitator"])
    base = f"/teams/{team.id}/measures/{measure.id}"
    client.post(f"{base}/phases", data={"start_period": ym(12), "label": "Ny rutine"})
    client.post(f"{base}/exclusions", data={"period": ym(2), "reason": "Telling endret"})
    settings = db_session.scalar(select(ChartSettings))
    phase_id, exclusion_id = settings.phases[0].id, settings.exclusions[0].id
    client.post(f"{base}/phases/{phase_id}/delete")
    client.post(f"{base}/exclusions/{exclusion_id}/delete")
    db_session.expire_all()
    settings = db_session.scalar(select(ChartSettings))
    assert settings.phases == [] and settings.exclusions == []
    assert client.post(f"{base}/phases/{phase_id}/delete").status_code == 404


def test_every_month_at_100_percent_is_charted(client, auth, db_session, world):
    team, measure = world.own_team, world.measure
    for k in range(14):
        f.MeasurementFactory(
            team=team,
            measure=measure,
            period=month(k),
            numerator=15,
            denominator=15,
        )
    db_session.flush()
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert "kan ikke tegnes" not in page
    assert "Ingen signal: månedene varierer rundt gjennomsnittet på 100,0" in page
    assert client.get(f"/teams/{team.id}/measures/{measure.id}/chart.png").status_code == 200


def test_a_refused_setting_keeps_what_was_typed(client, auth, db_session, world, improving):
    team, measure = improving
    auth.login(world.users["facilitator"])
    url = f"/teams/{team.id}/measures/{measure.id}"
    page = client.post(url + "/phases", data={"start_period": "", "label": "Ny rutine for veiing"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Ny rutine for veiing"' in text and "Velg måneden fasen starter." in text
    assert '<details class="mt-3" open>' in text
    client.post(url + "/phases", data={"start_period": ym(12), "label": "Ernæringskontakt"})
    text = client.post(url + "/phases", data={"start_period": ym(12), "label": "Andre runde"}).get_data(
        as_text=True
    )
    assert 'value="Andre runde"' in text and "En fase starter allerede den måneden." in text
    refused = client.post(url + "/exclusions", data={"period": "", "reason": "Ny telling etter fusjon"})
    text = refused.get_data(as_text=True)
    assert "Ny telling etter fusjon" in text and "Velg måneden som skal holdes utenfor." in text
    db_session.expire_all()
    settings = db_session.scalar(select(ChartSettings))
    assert [p.label for p in settings.phases] == ["Ernæringskontakt"] and not settings.exclusions


def test_one_month_is_one_month(client, auth, db_session, world):
    f.MeasurementFactory(team=world.own_team, measure=world.measure, period=month(2))
    db_session.flush()
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{world.own_team.id}/measures/{world.measure.id}").get_data(as_text=True)
    assert "Bare 1 måned så langt; diagrammet kan tolkes fra 10 måneder." in page


def test_every_month_left_out_is_not_called_no_numbers(client, auth, db_session, world, improving):
    team, measure = improving
    settings = ChartSettings(team_id=team.id, measure_id=measure.id)
    settings.exclusions = [ChartExclusion(period=month(k), reason="Ny telling") for k in range(22)]
    db_session.add(settings)
    db_session.flush()
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert "Ingen tall er registrert ennå." not in page
    assert "Alle måneder med tall er holdt utenfor beregningen" in page


def test_a_baseline_too_short_to_freeze_is_refused(client, auth, db_session, world, improving):
    team, measure = improving  # numbers from the network's first month
    auth.login(world.users["facilitator"])
    url = f"/teams/{team.id}/measures/{measure.id}/settings"
    page = client.post(url, data={"chart_kind": "p", "freeze_period": ym(2)}).get_data(as_text=True)
    assert (
        f"En låst grunnlinje trenger minst 12 måneder med tall; til og med {nb_month(month(2))} er det 3."
        in page
    )
    assert (
        db_session.scalar(select(ChartSettings)) is None
        or not db_session.scalar(select(ChartSettings)).freeze_period
    )
    client.post(url, data={"chart_kind": "", "freeze_period": ym(11)})
    db_session.expire_all()
    assert db_session.scalar(select(ChartSettings)).freeze_period == month(11)


def test_a_frozen_baseline_is_said_to_be_unused_when_the_chart_has_phases(
    client, auth, db_session, world, improving
):
    team, measure = improving
    settings = ChartSettings(team_id=team.id, measure_id=measure.id, freeze_period=month(11))
    db_session.add(settings)
    db_session.flush()
    auth.login(world.users["team_member"])
    url = f"/teams/{team.id}/measures/{measure.id}"
    assert "brukes ikke så lenge diagrammet har faser" not in client.get(url).get_data(as_text=True)
    settings.phases.append(ChartPhase(start_period=month(12), label="Ernæringskontakt"))
    db_session.flush()
    page = client.get(url).get_data(as_text=True)
    assert (
        f"Grunnlinjen er låst til og med {nb_month(month(11))} (brukes ikke så lenge diagrammet har faser"
        in page
    )


def test_a_phase_the_chart_cannot_use_says_so(client, auth, db_session, world, improving):
    team, measure = improving  # the chart's months are the network's first 22
    settings = ChartSettings(team_id=team.id, measure_id=measure.id)
    settings.phases.append(ChartPhase(start_period=month(0), label="Fra start"))
    settings.phases.append(ChartPhase(start_period=month(12), label="Ernæringskontakt"))
    db_session.add(settings)
    db_session.flush()
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert page.count("ikke brukt") == 1
    note = "(ikke brukt: den starter med eller før diagrammets første måned)"
    assert f'Fra start <span class="text-body-secondary">{note}' in page


def test_the_months_before_an_improvement_are_not_read_as_a_change_for_the_worse(
    client, auth, db_session, world, improving
):
    team, measure = improving  # about 45 % for a year, then about 85 %, in one phase
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/measures/{measure.id}").get_data(as_text=True)
    assert "en reell forverring" not in page
    assert (
        f"12 måneder på rad under gjennomsnittet, siden {nb_month(month(0))}: nivået før den endringen."
        in page
    )
    assert f"Legg til en fase fra {nb_month(CHANGE)}, så får nivået siden da sin egen senterlinje." in page


@pytest.mark.parametrize("blank", ["", " ", "\r"])
def test_a_phase_or_left_out_month_without_a_month_is_refused(
    client, auth, db_session, world, improving, blank
):
    team, measure = improving
    auth.login(world.users["facilitator"])
    base = f"/teams/{team.id}/measures/{measure.id}"
    phase = client.post(f"{base}/phases", data={"start_period": blank, "label": "Ny rutine"})
    assert "Velg måneden fasen starter" in phase.get_data(as_text=True)
    left_out = client.post(f"{base}/exclusions", data={"period": blank, "reason": "Telling endret"})
    assert "Velg måneden som skal holdes utenfor" in left_out.get_data(as_text=True)
    db_session.expire_all()
    assert (
        db_session.scalar(select(ChartSettings)) is None
        or not db_session.scalar(select(ChartSettings)).phases
    )
