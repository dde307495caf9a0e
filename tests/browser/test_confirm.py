"""Actions that cannot be undone ask first, on every page that has one."""

from __future__ import annotations

from playwright.sync_api import expect


def test_revoking_a_token_asks_first(new_page, county):
    page = new_page("laptop", county.member_email, county.password)
    page.goto("/account/api-tokens/")
    page.get_by_label("Hva tokenet skal brukes til").fill("Kommunens rapportering")
    page.get_by_role("button", name="Opprett token").click()
    revoke = page.get_by_role("button", name="Trekk tilbake")
    asked: list[str] = []

    def answer(dialog, accept: bool):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    revoke.click()
    expect(revoke).to_be_visible()  # said no: the token is still live
    assert "Kommunens rapportering" in asked[0]
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    revoke.click()
    expect(page.get_by_role("cell", name="Trukket tilbake")).to_be_visible()
    assert len(asked) == 2
