"""Monthly entry: one screen, one save, validation in the user's language, history and conflicts."""

import re

import pytest
from sqlalchemy import select

from learnnet.measurements.periods import add_months, default_entry_period
from learnnet.models import Measurement, MeasurementHistory
from tests.clock import THIS_MONTH, TODAY, month, nb_month, ym
from tests.learnnet import factories as f

PERIOD = default_entry_period(TODAY)
MONTH = PERIOD.strftime("%Y-%m")


@pytest.fixture
def team_setup(db_session, world, client, auth):
    """The member's team with a proportion, a rate and a count measure; the member logged in."""
    network = world.network
    proportion = world.measure
    rate = f.RateMeasureFactory(network=network)
    count = f.CountMeasureFactory(network=network)
    db_session.flush()
    auth.login(world.users["team_member"])
    return world.own_team, proportion, rate, count


def _url(team, period=MONTH):
    return f"/teams/{team.id}/entry?period={period}"


def _form(proportion, rate, count, **overrides):
    data = {
        f"num_{proportion.id}": "12",
        f"den_{proportion.id}": "16",
        f"num_{rate.id}": "3",
        f"den_{rate.id}": "450",
        f"val_{count.id}": "3",
        f"version_{proportion.id}": "0",
        f"version_{rate.id}": "0",
        f"version_{count.id}": "0",
    }
    data.update(overrides)
    return data


def _saved(db_session, team):
    db_session.expire_all()
    return {
        m.measure_id: m for m in db_session.scalars(select(Measurement).where(Measurement.team_id == team.id))
    }


def test_entry_page_lists_every_measure_with_numeric_keyboard(client, team_setup):
    team, proportion, rate, count = team_setup
    page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
    for measure in (proportion, rate, count):
        assert measure.name in page
    assert 'inputmode="numeric"' in page
    assert 'inputmode="decimal"' in page
    assert "ikke registrert" in page


def test_one_save_stores_every_measure_with_history(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    response = client.post(_url(team), data=_form(proportion, rate, count))
    assert response.status_code == 302
    assert "saved=1" in response.headers["Location"]
    saved = _saved(db_session, team)
    assert (saved[proportion.id].numerator, saved[proportion.id].denominator) == (12, 16)
    assert (saved[rate.id].numerator, saved[rate.id].denominator) == (3, 450)
    assert saved[count.id].value == 3
    history = db_session.scalars(select(MeasurementHistory)).all()
    assert {h.action for h in history} == {"create"}
    assert len(history) == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lagret 3 målinger" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"num_P": "17", "den_P": "16"}, "kan ikke være større enn nevneren"),
        ({"num_P": "5", "den_P": ""}, "Skriv inn nevneren også"),
        ({"num_P": "-2"}, "kan ikke være negativt"),
        ({"num_P": "2,5"}, "Skriv inn et helt tall"),
        ({"den_P": "0"}, "Nevneren må være større enn 0"),
        ({"val_C": "abc"}, "Skriv inn et tall"),
        ({"val_C": "2.5"}, "Skriv inn et helt tall"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    client, db_session, team_setup, overrides, message
):
    team, proportion, rate, count = team_setup
    data = _form(proportion, rate, count)
    for key, value in overrides.items():
        data[key.replace("_P", f"_{proportion.id}").replace("_C", f"_{count.id}")] = value
    response = client.post(_url(team), data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _saved(db_session, team) == {}


def test_month_outside_network_period_is_refused(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    # Nineteen months before the network's start is before its twelve baseline months.
    response = client.post(_url(team, ym(-19)), data=_form(proportion, rate, count))
    assert "utenfor nettverkets periode" in response.get_data(as_text=True)
    assert _saved(db_session, team) == {}


def test_a_baseline_month_before_the_start_can_be_entered(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    page = client.get(_url(team, ym(-7))).get_data(as_text=True)
    baseline = page.split('<optgroup label="Før nettverket startet (førmåling)">')[1].split("</optgroup>")[0]
    months = re.findall(r'<option value="(\d{4}-\d{2})"', baseline)
    assert months[0] == ym(-1) and months[-1] == ym(-12) and len(months) == 12
    assert f"{nb_month(month(-7))} er før nettverket startet" in page
    assert "utenfor nettverkets periode" not in page
    response = client.post(_url(team, ym(-7)), data=_form(proportion, rate, count))
    assert response.status_code == 302
    saved = _saved(db_session, team)
    assert {m.period for m in saved.values()} == {month(-7)}
    assert (saved[proportion.id].numerator, saved[proportion.id].denominator) == (12, 16)


def test_imported_history_before_the_baseline_can_be_corrected(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    old = month(-30)
    f.MeasurementFactory(team=team, measure=count, period=old, numerator=None, denominator=None, value=4)
    db_session.flush()
    page = client.get(_url(team, ym(-30))).get_data(as_text=True)
    assert f'<option value="{ym(-30)}" selected>{nb_month(old)}</option>' in page
    assert f'<option value="{ym(-31)}"' not in page
    data = {f"val_{count.id}": "5", f"version_{count.id}": "1"}
    data.update({f"version_{m.id}": "0" for m in (proportion, rate)})
    assert client.post(_url(team, ym(-30)), data=data).status_code == 302
    assert _saved(db_session, team)[count.id].value == 5
    # A month before the first one with numbers is still refused.
    refused = client.post(_url(team, ym(-31)), data=_form(proportion, rate, count))
    assert "utenfor nettverkets periode" in refused.get_data(as_text=True)


def test_before_a_network_starts_the_entry_page_opens_its_last_baseline_month(
    client, db_session, world, auth
):
    network = f.NetworkFactory(
        region=world.region, start_date=THIS_MONTH, end_date=add_months(THIS_MONTH, 12)
    )
    team = f.TeamFactory(network=network, unit=world.own_team.unit)
    f.MeasureFactory(network=network)
    db_session.flush()
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
    last_month = add_months(THIS_MONTH, -1).strftime("%Y-%m")
    assert f'<option value="{last_month}" selected>' in page
    assert 'data-testid="baseline-month"' in page
    assert "er før nettverket startet" in page


def test_a_month_outside_the_network_is_the_one_shown_in_the_month_list(client, team_setup):
    team, *_ = team_setup
    later = month(60)
    page = client.get(_url(team, ym(60))).get_data(as_text=True)
    assert f"Tall for {nb_month(later)}" in page
    assert f'<option value="{ym(60)}" selected disabled>{nb_month(later)}</option>' in page
    assert page.count(" selected") == 1


def test_emptying_a_saved_field_keeps_the_value_and_says_how_to_delete_it(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    assert client.post(_url(team), data=_form(proportion, rate, count)).status_code == 302
    emptied = _form(proportion, rate, count, **{f"val_{count.id}": ""})
    emptied.update({f"version_{m.id}": "1" for m in (proportion, rate, count)})
    page = client.post(_url(team), data=emptied, follow_redirects=True).get_data(as_text=True)
    assert _saved(db_session, team)[count.id].value == 3
    assert "beholdt som lagret" in page and "Slett denne verdien" in page
    assert (count.short_name or count.name) in page


@pytest.mark.parametrize(
    "comment",
    [
        "Ola Nordmann f. 01.02.1940 falt",
        "fnr 01024012359",
        "Født 1/2-40",
        "gjelder 010240 123 59",
        "Beboer født 12. mars 1938 falt",
        "fdt 01021940",
        "født 1940-02-01",
        "f 01.02.40",
    ],
)
def test_a_comment_with_a_birth_date_or_identity_number_is_refused(client, db_session, team_setup, comment):
    team, proportion, rate, count = team_setup
    data = _form(proportion, rate, count, **{f"comment_{count.id}": comment})
    page = client.post(_url(team), data=data).get_data(as_text=True)
    assert "fødselsdato eller et fødselsnummer" in page
    assert _saved(db_session, team) == {}
    # the comment box is marked and names the problem; the numbers, which are fine, are not
    box = re.search(rf'<textarea[^>]*id="comment_{count.id}"[^>]*>', page).group(0)
    assert "is-invalid" in box and f"comment-problem-{count.id}" in box
    assert "is-invalid" not in re.search(rf'<input[^>]*id="val_{count.id}"[^>]*>', page).group(0)


@pytest.mark.parametrize(
    "comment",
    [
        "Nytt screeningskjema fra 01.03.",
        "3 av 12 beboere veid",
        "Tiltak 2 startet",
        "Ny rutine f. 1/3",
        "Ny rutine f. 01.03.2026",
        "avvik 202403 12345",
        "Fagdag 12.3-13.3, ring 22 33 44 55",
        "uke 12-16, 12.03.2026 kl 14.30",
    ],
)
def test_ordinary_comments_are_saved(client, db_session, team_setup, comment):
    team, proportion, rate, count = team_setup
    data = _form(proportion, rate, count, **{f"comment_{count.id}": comment})
    assert client.post(_url(team), data=data).status_code == 302
    assert _saved(db_session, team)[count.id].comment == comment


def test_every_rows_errors_are_shown_at_once(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    data = _form(proportion, rate, count, **{f"num_{proportion.id}": "20", f"val_{count.id}": "tre"})
    page = client.post(_url(team), data=data).get_data(as_text=True)
    assert "kan ikke være større enn nevneren" in page  # the proportion's own error
    assert "Ingenting ble lagret" in page
    assert _saved(db_session, team) == {}


def test_unusual_value_asks_for_confirmation(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    for k in range(8):
        f.MeasurementFactory(
            team=team, measure=proportion, period=month(k), numerator=8 + k % 2, denominator=16
        )
    db_session.flush()

    def this_month():
        db_session.expire_all()
        return db_session.scalar(
            select(Measurement).where(Measurement.period == PERIOD, Measurement.measure_id == proportion.id)
        )

    data = _form(proportion, rate, count, **{f"num_{proportion.id}": "160", f"den_{proportion.id}": "160"})
    page = client.post(_url(team), data=data).get_data(as_text=True)
    assert "Nevneren 160 er langt fra det vanlige (16)" in page
    assert "langt utenfor teamets tidligere måneder" in page
    assert 'name="confirm"' in page
    assert this_month() is None

    data["confirm"] = "y"
    assert client.post(_url(team), data=data).status_code == 302
    assert this_month().numerator == 160


def test_edit_keeps_history_and_a_deleted_value_can_be_restored(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    client.post(_url(team), data=_form(proportion, rate, count))
    m = _saved(db_session, team)[proportion.id]
    data = _form(proportion, rate, count, **{f"num_{proportion.id}": "14"})
    data.update({f"version_{x.id}": "1" for x in (proportion, rate, count)})
    assert client.post(_url(team), data=data).status_code == 302
    m = _saved(db_session, team)[proportion.id]
    assert (m.numerator, m.version) == (14, 2)

    client.post(f"/teams/{team.id}/measurements/{m.id}/delete", data={"version": "2"})
    m = _saved(db_session, team)[proportion.id]
    assert m.is_deleted
    page = client.get(_url(team)).get_data(as_text=True)
    assert "slettet" in page

    first = [h for h in m.history if h.action == "create"][0]
    client.post(f"/teams/{team.id}/measurements/{m.id}/restore/{first.id}", data={"version": str(m.version)})
    m = _saved(db_session, team)[proportion.id]
    assert not m.is_deleted and m.numerator == 12
    assert [h.action for h in sorted(m.history, key=lambda h: h.id)] == [
        "create",
        "update",
        "delete",
        "restore",
    ]


def test_second_save_of_the_same_month_does_not_overwrite_silently(client, db_session, team_setup, world):
    team, proportion, rate, count = team_setup
    # Kari saved 10/16 while Ola had the page open (version 0).
    f.MeasurementFactory(
        team=team,
        measure=proportion,
        period=PERIOD,
        numerator=10,
        denominator=16,
        updated_by_id=world.users["facilitator"].id,
    )
    db_session.flush()
    response = client.post(_url(team), data=_form(proportion, rate, count))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="conflict"' in page
    assert "10 / 16" in page and "12 / 16" in page
    saved = _saved(db_session, team)
    assert saved[proportion.id].numerator == 10
    assert rate.id not in saved  # all or nothing

    # "Use the saved value" fills in 10/16.
    data = _form(proportion, rate, count, use_saved=str(proportion.id), **{f"version_{proportion.id}": "1"})
    page = client.post(_url(team), data=data).get_data(as_text=True)
    assert 'value="10"' in page

    # Saving again from the version now shown keeps the user's value.
    data = _form(proportion, rate, count, **{f"version_{proportion.id}": "1"})
    assert client.post(_url(team), data=data).status_code == 302
    assert _saved(db_session, team)[proportion.id].numerator == 12


def test_blank_field_never_deletes_a_value(client, db_session, team_setup):
    team, proportion, rate, count = team_setup
    client.post(_url(team), data=_form(proportion, rate, count))
    data = _form(proportion, rate, count, **{f"num_{proportion.id}": "", f"den_{proportion.id}": ""})
    data.update({f"version_{x.id}": "1" for x in (proportion, rate, count)})
    client.post(_url(team), data=data)
    assert _saved(db_session, team)[proportion.id].numerator == 12


def test_another_teams_entry_is_refused(client, db_session, team_setup, world):
    team, proportion, rate, count = team_setup
    assert client.get(f"/teams/{world.other_team.id}/entry").status_code == 403
    response = client.post(_url(world.other_team), data=_form(proportion, rate, count))
    assert response.status_code == 403
    assert _saved(db_session, world.other_team) == {}


def test_viewer_cannot_enter(client, auth, world):
    client.post("/logout")
    auth.login(world.users["viewer"])
    assert client.get(f"/teams/{world.own_team.id}/entry").status_code == 403


def test_missing_months_are_named_plainly(client, team_setup):
    team, *_ = team_setup
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Ikke registrert ennå" in page
    assert f"{nb_month(PERIOD)} (3 mangler)" in page
    assert "tidligere måneder" in page


def test_a_month_saved_before_is_not_questioned_again_when_another_row_changes(
    client, db_session, team_setup
):
    team, proportion, rate, count = team_setup
    for k in range(8):
        f.MeasurementFactory(
            team=team, measure=proportion, period=month(k), numerator=8 + k % 2, denominator=16
        )
    db_session.flush()
    unusual = {f"num_{proportion.id}": "160", f"den_{proportion.id}": "160"}
    assert (
        client.post(_url(team), data=_form(proportion, rate, count, **unusual, confirm="y")).status_code
        == 302
    )
    # The form sends every row back; only the count changes, and the unusual row is as saved.
    again = _form(proportion, rate, count, **unusual, **{f"val_{count.id}": "4"})
    again.update({f"version_{m.id}": "1" for m in (proportion, rate, count)})
    response = client.post(_url(team), data=again)
    assert response.status_code == 302
    assert _saved(db_session, team)[count.id].value == 4
    # A changed unusual value is still questioned.
    changed = dict(again, **{f"num_{proportion.id}": "150", f"val_{count.id}": "4"})
    changed[f"version_{count.id}"] = "2"
    page = client.post(_url(team), data=changed).get_data(as_text=True)
    assert "langt utenfor teamets tidligere måneder" in page


@pytest.mark.parametrize(
    "language, stamp",
    # Norwegian shortens most months ("jan.", "des.") but not "mars", "juni" and "juli".
    [("nb", r"\d{1,2}\. \w{3,4}\.? 20\d\d, \d\d:\d\d"), ("en", r"\d{1,2} \w{3} 20\d\d, \d\d:\d\d")],
)
def test_the_history_shows_times_day_first_on_a_24_hour_clock(
    client, db_session, team_setup, world, language, stamp
):
    team, proportion, rate, count = team_setup
    world.users["team_member"].language = language
    db_session.flush()
    client.post(_url(team), data=_form(proportion, rate, count))
    page = client.get(_url(team)).get_data(as_text=True)
    assert re.search(stamp, page)
    assert not re.search(r"\d{1,2}/\d{1,2}/\d\d", page)


def test_each_comment_box_has_a_label_that_names_its_measure(client, team_setup):
    team, proportion, rate, count = team_setup
    page = client.get(_url(team)).get_data(as_text=True)
    note = re.search(r'id="patient-(\d+)">([^<]+)<', page)
    assert "Skriv aldri navn" in note.group(2)
    for measure in (proportion, rate, count):
        label = re.search(rf'<label[^>]*for="comment_{measure.id}"[^>]*>([^<]+)</label>', page)
        assert label, f"no label for the comment on {measure.name}"
        assert label.group(1) == f"Kommentar til {measure.name}"
        box = re.search(rf'<textarea[^>]*id="comment_{measure.id}"[^>]*>', page).group(0)
        # The note that comments hold nothing personal is read out with the box.
        assert f'aria-describedby="patient-{measure.id}"' in box
