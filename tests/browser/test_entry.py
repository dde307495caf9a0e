"""A team member enters a month on a tablet, in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from learnnet.measurements.periods import default_entry_period
from tests.clock import TODAY, month, nb_month, ym

PERIOD = default_entry_period(TODAY)
pytestmark = pytest.mark.browser


def entry_url(world, period=PERIOD):
    return f"/teams/{world.team_id}/entry?period={period:%Y-%m}"


def fill_all(page, world, num="12", den="16", rate=("3", "450"), count="2"):
    page.locator(f"#num_{world.proportion_id}").fill(num)
    page.locator(f"#den_{world.proportion_id}").fill(den)
    page.locator(f"#num_{world.rate_id}").fill(rate[0])
    page.locator(f"#den_{world.rate_id}").fill(rate[1])
    page.locator(f"#val_{world.count_id}").fill(count)


def test_member_enters_a_month_at_every_size(new_page, county, size):
    page = new_page(size, county.member_email, county.password)
    page.get_by_role("link", name=re.compile("Borre avd. 1")).first.click()
    page.get_by_role("link", name="Registrer tall").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tall for")
    # Numeric keypad on tablets, and touch targets no smaller than 44 px.
    field = page.locator(f"#num_{county.proportion_id}")
    assert field.get_attribute("inputmode") == "numeric"
    box = field.bounding_box()
    assert box["height"] >= 44
    assert box["x"] + box["width"] <= page.viewport_size["width"]
    fill_all(page, county)
    save = page.get_by_role("button", name="Lagre", exact=True)
    assert save.bounding_box()["height"] >= 44
    save.click()
    expect(page.get_by_role("alert").first).to_contain_text("Lagret 3 målinger")
    expect(page.locator(f"#num_{county.proportion_id}")).to_have_value("12")
    # The page did not grow sideways on a tablet.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # Edit it again (same month), and the history shows both.
    page.locator(f"#num_{county.proportion_id}").fill("13")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Lagret 1 måling for")
    history = page.locator(f"section[data-measure='{county.proportion_id}'] [data-testid=history]")
    history.locator("summary").click()
    expect(history).to_contain_text("12 / 16")
    expect(history).to_contain_text("13 / 16")
    expect(history).to_contain_text("Kari Nordmann")


@pytest.mark.parametrize(
    "values, message",
    [
        ({"num": "17", "den": "16"}, "Telleren (17) kan ikke være større enn nevneren (16)."),
        ({"num": "5", "den": ""}, "Skriv inn nevneren også."),
        ({"num": "-3", "den": "16"}, "Antallet kan ikke være negativt."),
        ({"num": "4,5", "den": "16"}, "Skriv inn et helt tall, for eksempel 12."),
    ],
)
def test_validation_messages(new_page, county, values, message):
    page = new_page("tablet-landscape", county.member_email, county.password)
    page.goto(entry_url(county))
    fill_all(page, county, num=values["num"], den=values["den"])
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.locator(f"section[data-measure='{county.proportion_id}']")).to_contain_text(message)
    expect(page.get_by_role("alert").first).to_contain_text("Ingenting ble lagret")
    # What was typed is still there to correct.
    expect(page.locator(f"#num_{county.rate_id}")).to_have_value("3")


def test_month_outside_the_network_is_refused(new_page, county):
    page = new_page("laptop", county.member_email, county.password)
    # Before the twelve baseline months ahead of the network's start.
    page.goto(entry_url(county, month(-20)))
    expect(page.get_by_text("er utenfor nettverkets periode")).to_be_visible()
    expect(page.get_by_role("button", name="Lagre", exact=True)).to_be_disabled()


def test_a_baseline_month_is_chosen_from_the_month_list(new_page, county):
    page = new_page("tablet-portrait", county.member_email, county.password)
    page.goto(entry_url(county))
    page.get_by_label("Måned", exact=True).select_option(ym(-8))
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_text(f"{nb_month(month(-8))} er før nettverket startet")).to_be_visible()
    fill_all(page, county, num="6", den="16")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Lagret")


def test_unusual_value_asks_to_confirm(new_page, county):
    page = new_page("tablet-portrait", county.member_email, county.password)
    # Six earlier months around 8 of 16.
    for k in range(1, 7):
        page.goto(entry_url(county, month(k - 1)))
        fill_all(page, county, num=str(7 + k % 3), den="16")
        page.get_by_role("button", name="Lagre", exact=True).click()
        expect(page.get_by_role("alert").first).to_contain_text("Lagret")
    page.goto(entry_url(county))
    fill_all(page, county, num="160", den="160")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Nevneren 160 er langt fra det vanlige (16)")).to_be_visible()
    page.get_by_label("Jeg har sjekket tallene: lagre dem likevel").check()
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Lagret 3 målinger")


def test_two_people_editing_the_same_month(new_page, county):
    kari = new_page("tablet-portrait", county.member_email, county.password)
    ola = new_page("laptop", county.colleague_email, county.password)
    kari.goto(entry_url(county))
    ola.goto(entry_url(county))
    fill_all(ola, county, num="10")
    ola.get_by_role("button", name="Lagre", exact=True).click()
    expect(ola.get_by_role("alert").first).to_contain_text("Lagret")

    fill_all(kari, county, num="14")
    kari.get_by_role("button", name="Lagre", exact=True).click()
    conflict = kari.locator(f"section[data-measure='{county.proportion_id}'] [data-testid=conflict]")
    expect(conflict).to_contain_text("Ola Hansen")
    expect(conflict).to_contain_text("10 / 16")
    expect(conflict).to_contain_text("14 / 16")
    # Kari keeps her own value by saving again.
    kari.get_by_role("button", name="Lagre", exact=True).click()
    expect(kari.get_by_role("alert").first).to_contain_text("Lagret")
    ola.reload()
    expect(ola.locator(f"#num_{county.proportion_id}")).to_have_value("14")


def test_a_dropped_connection_loses_nothing(new_page, county):
    page = new_page("tablet-portrait", county.member_email, county.password)
    page.goto(entry_url(county))
    fill_all(page, county, num="9", count="4")
    # Offline: the save is held back and the numbers stay on the device.
    page.context.set_offline(True)
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.locator("#offline-banner")).to_be_visible()
    page.context.set_offline(False)
    # The connection drops while the save is on its way.
    page.route(
        "**/entry*", lambda route: route.abort() if route.request.method == "POST" else route.continue_()
    )
    page.get_by_role("button", name="Lagre", exact=True).click()
    page.wait_for_timeout(300)
    page.unroute("**/entry*")
    # Reopened later: the typed numbers are offered again.
    page.goto(entry_url(county))
    expect(page.locator("#draft-banner")).to_be_visible()
    expect(page.locator(f"#num_{county.proportion_id}")).to_have_value("")
    page.get_by_role("button", name="Sett dem inn i skjemaet igjen").click()
    expect(page.locator(f"#num_{county.proportion_id}")).to_have_value("9")
    expect(page.locator(f"#val_{county.count_id}")).to_have_value("4")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Lagret 3 målinger")
    # Confirmed by the server: nothing is offered any more.
    page.goto(entry_url(county))
    expect(page.locator("#draft-banner")).to_be_hidden()


def test_another_teams_pages_are_refused(new_page, county):
    page = new_page("tablet-portrait", county.member_email, county.password)
    for url in (f"/teams/{county.other_team_id}", f"/teams/{county.other_team_id}/entry"):
        response = page.goto(url)
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Du har ikke tilgang til denne siden.")


def test_the_chart_changes_after_a_month_is_entered(new_page, county):
    page = new_page("tablet-landscape", county.member_email, county.password)
    # Three earlier months so there is a chart to look at.
    for k in (7, 8, 9):
        page.goto(entry_url(county, month(11 + k)))
        fill_all(page, county, num=str(k), den="16")
        page.get_by_role("button", name="Lagre", exact=True).click()
        expect(page.get_by_role("alert").first).to_contain_text("Lagret")
    measure_url = f"/teams/{county.team_id}/measures/{county.proportion_id}"
    page.goto(measure_url)
    chart = page.get_by_role("img", name=re.compile("måneder så langt"))
    expect(chart).to_be_visible()
    before = page.request.get(chart.get_attribute("src")).body()
    assert before.startswith(b"<?xml")

    page.goto(entry_url(county))
    fill_all(page, county, num="15", den="16")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Lagret")
    page.goto(measure_url)
    expect(page.locator("table")).to_contain_text("93,8")
    after = page.request.get(page.locator("figure img").get_attribute("src")).body()
    assert after != before
    # The team page shows the chart too.
    page.goto(f"/teams/{county.team_id}")
    expect(page.get_by_role("img", name=re.compile("Diagram for Beboere screenet"))).to_be_visible()
