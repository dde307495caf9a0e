"""A team's page: its measures with the months before, and what is due."""

from __future__ import annotations

import re

from learnnet.teams.services import due_period
from tests.clock import TODAY, day, last_day, month, nb_month, nb_short_month
from tests.learnnet import factories as f


def test_a_finished_networks_team_page_ends_with_the_networks_last_month(client, auth, db_session, world):
    network = world.network
    network.start_date, network.end_date, network.status = month(-7), last_day(4), "closed"
    f.MeasurementFactory(
        team=world.own_team, measure=world.measure, period=month(4), numerator=3, denominator=4
    )
    falls = f.CountMeasureFactory(network=network)
    f.MeasurementFactory(
        team=world.own_team,
        measure=falls,
        period=month(4),
        numerator=None,
        denominator=None,
        value=7,
    )
    db_session.flush()
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{world.own_team.id}").get_data(as_text=True)
    assert due_period(world.own_team, TODAY) == month(4)
    measures = page.split('<h2 class="h5 mt-4">Målinger</h2>')[1].split("Endringer som testes")[0]
    # the table ends with the network's last month, entered; nothing after it is due
    assert nb_short_month(month(4)) in measures
    assert nb_short_month(month(5)) not in measures and nb_month(month(5)) not in measures
    assert "status-due" not in measures
    # the last month as charted (75 %), its numerator and denominator beside it
    assert "75,0" in page and "3/4" in page
    # a count is a whole number
    assert "7,0" not in measures and re.search(r">\s*7\s*<", measures)


def test_the_due_month_of_a_running_network_is_last_month(world):
    today = day(14, 14)
    assert due_period(world.own_team, today) == month(13)
