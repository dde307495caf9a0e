"""Interventions and their PDSA cycles, registered by the team and shown in its log."""


from sqlalchemy import select

from learnnet.models import AuditEvent, Intervention, PdsaCycle
from tests.clock import END, START, last_day, month, nb_day, ym
from tests.learnnet import factories as f


def test_member_registers_a_change_idea_and_a_cycle(client, auth, db_session, world):
    auth.login(world.users["team_member"])
    team = world.own_team
    form = client.get(f"/teams/{team.id}/interventions/new").get_data(as_text=True)
    assert "identifisere en beboer eller pasient" in form
    response = client.post(
        f"/teams/{team.id}/interventions/new",
        data={
            "title": "Veiing første mandag i måneden",
            "short_label": "Veiing mandag",
            "description": "Alle beboere veies første mandag.",
            "start_date": month(8).isoformat(),
        },
    )
    assert response.status_code == 302
    intervention = db_session.scalar(select(Intervention).where(Intervention.team_id == team.id))
    assert intervention.short_label == "Veiing mandag"

    response = client.post(
        f"/teams/{team.id}/interventions/{intervention.id}/cycles/new",
        data={
            "plan": "Teste på én gruppe",
            "do": "Gjort",
            "study": "Virket",
            "act": "Utvide",
            "start_date": month(8).isoformat(),
            "end_date": last_day(8).isoformat(),
            "outcome": "adapt",
        },
    )
    assert response.status_code == 302
    cycle = db_session.scalar(select(PdsaCycle))
    assert (cycle.number, cycle.outcome) == (1, "adapt")
    log = client.get(f"/teams/{team.id}/interventions").get_data(as_text=True)
    assert "Veiing første mandag i måneden" in log
    assert "Syklus 1" in log and "Tilpasse" in log
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "pdsa.save"))


def test_bad_dates_are_refused(client, auth, db_session, world):
    auth.login(world.users["team_member"])
    team = world.own_team
    page = client.post(
        f"/teams/{team.id}/interventions/new",
        data={
            "title": "X",
            "start_date": month(8).isoformat(),
            "end_date": month(7).isoformat(),
        },
    ).get_data(as_text=True)
    assert "Slutten kan ikke være før starten." in page
    page = client.post(
        f"/teams/{team.id}/interventions/new", data={"title": "", "start_date": "nonsense"}
    ).get_data(as_text=True)
    assert "Gi endringsideen et navn." in page
    assert db_session.scalar(select(Intervention)) is None


def test_other_teams_log_is_refused(client, auth, world):
    auth.login(world.users["team_member"])
    assert client.get(f"/teams/{world.other_team.id}/interventions").status_code == 403
    assert (
        client.post(
            f"/teams/{world.other_team.id}/interventions/new",
            data={"title": "X", "start_date": month(0).isoformat()},
        ).status_code
        == 403
    )


def test_cycle_of_another_teams_intervention_is_not_found(client, auth, db_session, world):
    from tests.learnnet import factories as f

    foreign = f.InterventionFactory(team=world.other_team)
    db_session.flush()
    auth.login(world.users["team_member"])
    url = f"/teams/{world.own_team.id}/interventions/{foreign.id}/cycles/new"
    assert client.get(url).status_code == 404


def test_a_name_or_reason_of_only_spaces_is_refused(client, auth, db_session, world):
    from learnnet.models import ChartSettings

    world.users["team_member"].memberships[0].is_lead = True
    db_session.flush()
    auth.login(world.users["team_member"])
    team, measure = world.own_team, world.measure
    page = client.post(
        f"/teams/{team.id}/interventions/new", data={"title": "   ", "start_date": month(8).isoformat()}
    ).get_data(as_text=True)
    assert "Gi endringsideen et navn." in page
    assert db_session.scalar(select(Intervention)) is None
    for k in range(3):
        f.MeasurementFactory(team=team, measure=measure, period=month(k))
    db_session.flush()
    url = f"/teams/{team.id}/measures/{measure.id}"
    client.post(url + "/phases", data={"start_period": ym(1), "label": "  "})
    client.post(url + "/exclusions", data={"period": ym(1), "reason": " "})
    settings = db_session.scalar(select(ChartSettings))
    assert settings is None or (not settings.phases and not settings.exclusions)


def test_dates_outside_the_network_are_refused(client, auth, db_session, world):
    auth.login(world.users["team_member"])
    team = world.own_team
    page = client.post(
        f"/teams/{team.id}/interventions/new", data={"title": "Veiing", "start_date": "0202-09-01"}
    ).get_data(as_text=True)
    assert f"Velg en dato innenfor nettverkets periode, {nb_day(START)} – {nb_day(END)}." in page
    assert 'value="Veiing"' in page
    assert db_session.scalar(select(Intervention)) is None
    intervention = f.InterventionFactory(team=team)
    db_session.flush()
    page = client.post(
        f"/teams/{team.id}/interventions/{intervention.id}/cycles/new",
        data={
            "plan": "Teste på én gruppe",
            "start_date": month(8).isoformat(),
            "end_date": month(26).isoformat(),
        },
    ).get_data(as_text=True)
    assert "Velg en dato innenfor nettverkets periode" in page and "Teste på én gruppe" in page
    assert db_session.scalar(select(PdsaCycle)) is None
