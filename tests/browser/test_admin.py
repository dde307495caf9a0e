"""An administrator adds a person with their unit on a laptop; the person logs in and changes their
password."""

from __future__ import annotations

from playwright.sync_api import expect

from learnnet.extensions import db
from tests.learnnet import factories as f


def test_an_admin_adds_a_team_member_who_logs_in_and_picks_a_password(new_page, county, live_app):
    with live_app.app_context():
        f.configure_factories(db.session)
        admin = f.UserFactory(role="admin", name="Ingrid Admin")
        db.session.commit()
        admin_email = admin.email
        db.session.remove()
    page = new_page("laptop", admin_email, county.password)
    page.get_by_role("link", name="Brukere").click()
    page.get_by_role("link", name="Ny bruker").click()
    page.get_by_label("Navn").fill("Siri Sykepleier")
    page.get_by_label("E-post").fill("siri@horten.kommune.no")
    page.get_by_label("Borre sykehjem, avd. 1", exact=True).check()
    page.get_by_label("Teamleder i Borre sykehjem, avd. 1").check()
    page.get_by_label("Nytt passord").fill("forste-passord-1")
    page.get_by_label("Det nye passordet en gang til").fill("forste-passord-1")
    page.get_by_role("button", name="Opprett brukeren").click()
    expect(page.get_by_role("alert").first).to_contain_text("Siri Sykepleier kan nå logge inn")
    row = page.get_by_role("row", name="Siri Sykepleier")
    expect(row).to_contain_text("Borre sykehjem, avd. 1 (teamleder)")

    siri = new_page("tablet-portrait", "siri@horten.kommune.no", "forste-passord-1")
    expect(siri.get_by_text("Borre avd. 1").first).to_be_visible()
    siri.get_by_role("link", name="Passord").click()
    siri.get_by_label("Passordet ditt nå").fill("forste-passord-1")
    siri.get_by_label("Nytt passord").fill("mitt eget passord")
    siri.get_by_label("Det nye passordet en gang til").fill("mitt eget passord")
    siri.get_by_role("button", name="Lagre det nye passordet").click()
    expect(siri.get_by_role("alert").first).to_contain_text("Det nye passordet er lagret")
