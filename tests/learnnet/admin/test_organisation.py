"""Administrators keep the county's organisation: municipalities and their units."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from learnnet.models import AuditEvent, Municipality, Unit, UnitMembership
from tests.learnnet import factories as f
from tests.learnnet import networkdata

PAGE = "/admin/organisation"


@pytest.fixture
def admin(client, auth, world):
    assert auth.login(world.users["admin"]).status_code == 302
    return client


def _units(world) -> dict[str, Unit]:
    return {t.unit.name: t.unit for t in (world.own_team, world.other_team)}


def _row(page: str, name: str) -> list[str]:
    """The cells of the overview's row for the unit ``name``, as text."""
    row = page[page.index(f'<th scope="row" class="fw-normal">{name}</th>') :]
    row = row[: row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _events(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _unit_form(place: Municipality, **values) -> dict:
    return {
        "municipality": str(place.id),
        "name": "Nordre avdeling",
        "kind": "nursing_home_ward",
        "size": "12",
        "size_kind": "beds",
    } | values


# The overview -----------------------------------------------------------------------------------


def test_overview_lists_each_municipality_with_its_units_kind_size_and_teams(admin, world, db_session):
    municipality = world.own_team.unit.municipality
    municipality.number = "3903"
    f.UnitFactory(
        municipality=municipality,
        name="Hjemmetjenesten Horten",
        kind="home_care_district",
        size=140,
        size_kind="service_users",
    )
    f.UnitFactory(municipality=municipality, name="Ny avdeling", kind="short_term_ward", size=None)
    db_session.flush()
    page = admin.get(PAGE).get_data(as_text=True)
    assert "<h1" in page and "Organisasjon" in page
    assert "Horten" in page and "kommunenummer 3903" in page
    # own unit: one team; the other unit is in both networks
    assert _row(page, "Borre sykehjem, avd. 1")[:3] == ["Sykehjemsavdeling", "16 plasser", "1"]
    assert _row(page, "Indre havn, avd. 2")[:3] == ["Sykehjemsavdeling", "16 plasser", "2"]
    assert _row(page, "Hjemmetjenesten Horten")[:3] == [
        "Hjemmetjenestedistrikt",
        "140 tjenestemottakere",
        "0",
    ]
    assert _row(page, "Ny avdeling")[:3] == ["Korttidsavdeling", "–", "0"]
    # with one county, no county headings
    assert "Vestfold</h2>" not in page


def test_overview_in_english(admin, world):
    admin.post("/language", data={"language": "en", "next": "/"})
    page = admin.get(PAGE).get_data(as_text=True)
    assert "Organisation" in page and "Add a municipality" in page
    assert _row(page, "Borre sykehjem, avd. 1")[:3] == ["Nursing-home ward", "16 beds", "1"]


def test_several_counties_are_grouped(admin, world, db_session):
    other = f.MunicipalityFactory(region=f.RegionFactory(name="Telemark"), name="Skien")
    f.UnitFactory(municipality=other, name="Kjørbekk sykehjem")
    db_session.flush()
    page = admin.get(PAGE).get_data(as_text=True)
    assert page.index("Telemark</h2>") < page.index("Skien") < page.index("Vestfold</h2>")
    assert page.index("Vestfold</h2>") < page.index("Horten")


def test_the_navigation_links_the_page_for_admins_only(client, auth, world):
    auth.login(world.users["admin"])
    assert 'href="/admin/organisation"' in client.get("/county/").get_data(as_text=True)
    client.post("/logout")
    auth.login(world.users["centre"])
    assert 'href="/admin/organisation"' not in client.get("/county/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["centre", "facilitator", "team_member", "viewer"])
def test_other_roles_are_refused(client, auth, world, db_session, role):
    unit = world.own_team.unit
    auth.login(world.users[role])
    for url in (
        PAGE,
        f"{PAGE}/municipalities/new",
        f"{PAGE}/municipalities/{unit.municipality_id}",
        f"{PAGE}/units/new",
        f"{PAGE}/units/{unit.id}",
    ):
        assert client.get(url).status_code == 403, url
    free = f.UnitFactory(municipality=unit.municipality, name="Ledig")
    db_session.flush()
    assert client.post(f"{PAGE}/units/new", data=_unit_form(unit.municipality)).status_code == 403
    assert client.post(f"{PAGE}/units/{free.id}", data=_unit_form(unit.municipality)).status_code == 403
    assert client.post(f"{PAGE}/units/{free.id}/delete").status_code == 403
    assert db_session.get(Unit, free.id).name == "Ledig"
    assert not _events(db_session, "unit.create") and not _events(db_session, "unit.delete")


# Municipalities ------------------------------------------------------------------------------------


def test_add_a_municipality(admin, world, db_session):
    response = admin.post(f"{PAGE}/municipalities/new", data={"name": "  Holmestrand ", "number": "3903"})
    assert response.status_code == 302
    municipality = db_session.scalars(select(Municipality).where(Municipality.name == "Holmestrand")).one()
    assert municipality.number == "3903" and municipality.region == world.region
    assert "Holmestrand er lagt til." in admin.get(PAGE).get_data(as_text=True)
    (event,) = _events(db_session, "municipality.create")
    assert event.object_id == municipality.id and event.user_id == world.users["admin"].id
    assert event.after == {"region": "Vestfold", "name": "Holmestrand", "number": "3903"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "number": ""}, "Gi kommunen et navn."),
        ({"name": "   ", "number": "3903"}, "Gi kommunen et navn."),
        ({"name": "Holmestrand", "number": "390"}, "Et kommunenummer har fire sifre, f.eks. 3901."),
        ({"name": "Holmestrand", "number": "39031"}, "Et kommunenummer har fire sifre, f.eks. 3901."),
        ({"name": "Holmestrand", "number": "39a3"}, "Et kommunenummer har fire sifre, f.eks. 3901."),
        ({"name": "Holmestrand", "number": "٣٩٠٣"}, "Et kommunenummer har fire sifre, f.eks. 3901."),
        ({"name": "Holme\tstrand", "number": ""}, "Bruk bare bokstaver, sifre og tegnsetting"),
        ({"name": "horten", "number": ""}, "Vestfold har allerede en kommune med dette navnet."),
    ],
)
def test_a_municipality_that_does_not_check_out_is_not_saved(admin, world, db_session, data, message):
    count = db_session.scalar(select(func.count()).select_from(Municipality))
    response = admin.post(f"{PAGE}/municipalities/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "Ingenting ble lagret" in page
    # what was typed is still there
    assert f'value="{data["number"]}"' in page
    if "\t" not in data["name"]:
        assert f'value="{data["name"].strip()}"' in page
    assert db_session.scalar(select(func.count()).select_from(Municipality)) == count
    assert not _events(db_session, "municipality.create")


def test_a_new_installation_names_its_county_with_the_first_municipality(client, auth, db_session):
    admin = f.UserFactory(role="admin")
    db_session.flush()
    auth.login(admin)
    assert "Ingen kommuner ennå." in client.get(PAGE).get_data(as_text=True)
    url = f"{PAGE}/municipalities/new"
    form = client.get(url).get_data(as_text=True)
    assert 'name="county"' in form and 'name="region"' not in form
    page = client.post(url, data={"county": "", "name": "Horten"}).get_data(as_text=True)
    assert "Gi fylket et navn." in page and 'value="Horten"' in page
    assert client.post(url, data={"county": "Vestfold", "name": "Horten"}).status_code == 302
    municipality = db_session.scalars(select(Municipality)).one()
    assert municipality.region.name == "Vestfold"
    assert [e.after for e in _events(db_session, "region.create")] == [{"name": "Vestfold"}]
    # from then on the county is known and not asked for
    assert 'name="county"' not in client.get(url).get_data(as_text=True)


def test_a_municipality_number_names_one_municipality(admin, world, db_session):
    world.own_team.unit.municipality.number = "3903"
    db_session.flush()
    page = admin.post(f"{PAGE}/municipalities/new", data={"name": "Holmestrand", "number": "3903"})
    assert "Horten har allerede dette nummeret." in page.get_data(as_text=True)


def test_rename_a_municipality(admin, world, db_session):
    municipality = world.own_team.unit.municipality
    url = f"{PAGE}/municipalities/{municipality.id}"
    form = admin.get(url).get_data(as_text=True)
    assert 'value="Horten"' in form
    assert admin.post(url, data={"name": "Horten kommune", "number": "3903"}).status_code == 302
    db_session.refresh(municipality)
    assert municipality.name == "Horten kommune"
    (event,) = _events(db_session, "municipality.update")
    assert event.before == {"name": "Horten", "number": None}
    assert event.after == {"name": "Horten kommune", "number": "3903"}
    # the same again changes nothing and records nothing
    admin.post(url, data={"name": "Horten kommune", "number": "3903"})
    assert "Ingenting var endret" in admin.get(PAGE).get_data(as_text=True)
    assert len(_events(db_session, "municipality.update")) == 1


def test_a_municipality_with_units_is_not_removed(admin, world, db_session):
    municipality = world.own_team.unit.municipality
    page = admin.get(f"{PAGE}/municipalities/{municipality.id}").get_data(as_text=True)
    assert "Horten kan ikke fjernes så lenge den er i bruk." in page and "Den har 2 enheter." in page
    assert f"/municipalities/{municipality.id}/delete" not in page
    response = admin.post(f"{PAGE}/municipalities/{municipality.id}/delete")
    assert response.status_code == 302
    assert db_session.get(Municipality, municipality.id) is not None
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Horten kan ikke fjernes så lenge den er i bruk. Den har 2 enheter." in page
    assert not _events(db_session, "municipality.delete")


def test_an_empty_municipality_is_removed_after_asking(admin, world, db_session):
    empty = f.MunicipalityFactory(region=world.region, name="Sande", number="3713")
    db_session.flush()
    empty_id = empty.id
    page = admin.get(f"{PAGE}/municipalities/{empty_id}").get_data(as_text=True)
    assert 'data-confirm="Fjerne Sande? Dette kan ikke angres."' in page
    assert admin.post(f"{PAGE}/municipalities/{empty_id}/delete").status_code == 302
    db_session.expire_all()
    assert db_session.get(Municipality, empty_id) is None
    (event,) = _events(db_session, "municipality.delete")
    assert event.object_id == empty_id and event.before["name"] == "Sande"


# Units -------------------------------------------------------------------------------------------


def test_add_a_unit(admin, world, db_session):
    municipality = world.own_team.unit.municipality
    form = admin.get(f"{PAGE}/units/new?municipality={municipality.id}").get_data(as_text=True)
    assert f'<option selected value="{municipality.id}">Horten</option>' in form
    assert ">Hjemmetjenestedistrikt</option>" in form and ">Tjenestemottakere</option>" in form
    data = _unit_form(
        municipality,
        name="Hjemmetjenesten sør",
        kind="home_care_district",
        size="85",
        size_kind="service_users",
    )
    assert admin.post(f"{PAGE}/units/new", data=data).status_code == 302
    unit = db_session.scalars(select(Unit).where(Unit.name == "Hjemmetjenesten sør")).one()
    assert (unit.municipality, unit.kind, unit.size, unit.size_kind) == (
        municipality,
        "home_care_district",
        85,
        "service_users",
    )
    page = admin.get(PAGE).get_data(as_text=True)
    assert _row(page, "Hjemmetjenesten sør")[:3] == ["Hjemmetjenestedistrikt", "85 tjenestemottakere", "0"]
    (event,) = _events(db_session, "unit.create")
    assert event.after == {
        "municipality": "Horten",
        "name": "Hjemmetjenesten sør",
        "kind": "home_care_district",
        "size": 85,
        "size_kind": "service_users",
    }


def test_a_unit_without_a_size(admin, world, db_session):
    data = _unit_form(world.own_team.unit.municipality, size="")
    assert admin.post(f"{PAGE}/units/new", data=data).status_code == 302
    assert db_session.scalars(select(Unit).where(Unit.name == "Nordre avdeling")).one().size is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": ""}, "Gi enheten et navn."),
        ({"name": "  "}, "Gi enheten et navn."),
        ({"name": "Nordre\tavdeling"}, "Bruk bare bokstaver, sifre og tegnsetting"),
        ({"size": "-3"}, "Størrelsen er et helt tall fra 1 til 100000"),
        ({"size": "0"}, "Størrelsen er et helt tall fra 1 til 100000"),
        ({"size": "9" * 30}, "Størrelsen er et helt tall fra 1 til 100000"),
        ({"size": "12,5"}, "Ikke en gyldig heltallsverdi"),
        ({"kind": "hospital"}, "Ikke et gyldig valg"),
        ({"municipality": "99999"}, "Ikke et gyldig valg"),
        ({"name": "borre sykehjem, AVD. 1"}, "Horten har allerede en enhet med dette navnet."),
    ],
)
def test_a_unit_that_does_not_check_out_is_not_saved(admin, world, db_session, values, message):
    before = db_session.scalar(select(Unit.id).order_by(Unit.id.desc()))
    data = _unit_form(world.own_team.unit.municipality, **values)
    response = admin.post(f"{PAGE}/units/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "Ingenting ble lagret" in page
    if "name" not in values:
        assert 'value="Nordre avdeling"' in page  # what was typed is kept
    assert db_session.scalar(select(Unit.id).order_by(Unit.id.desc())) == before
    assert not _events(db_session, "unit.create")


def test_in_english_the_messages_are_english(admin, world):
    admin.post("/language", data={"language": "en", "next": "/"})
    data = _unit_form(world.own_team.unit.municipality, name="Borre sykehjem, avd. 1", size="-1")
    page = admin.post(f"{PAGE}/units/new", data=data).get_data(as_text=True)
    assert "Horten has a unit with this name already." in page
    assert "A size is a whole number from 1 to 100000; leave it empty when unknown." in page
    assert "Nothing was saved. Correct the fields marked below." in page


def test_the_same_unit_name_in_another_municipality_is_fine(admin, world, db_session):
    other = f.MunicipalityFactory(region=world.region, name="Tønsberg")
    db_session.flush()
    data = _unit_form(other, name="Borre sykehjem, avd. 1")
    assert admin.post(f"{PAGE}/units/new", data=data).status_code == 302


def test_change_a_unit(admin, world, db_session):
    unit = world.own_team.unit
    url = f"{PAGE}/units/{unit.id}"
    form = admin.get(url).get_data(as_text=True)
    assert 'value="Borre sykehjem, avd. 1"' in form and 'value="16"' in form
    data = _unit_form(unit.municipality, name="Borre sykehjem, avd. A", kind="short_term_ward", size="16")
    assert admin.post(url, data=data).status_code == 302
    db_session.refresh(unit)
    assert (unit.name, unit.kind) == ("Borre sykehjem, avd. A", "short_term_ward")
    (event,) = _events(db_session, "unit.update")
    assert event.before == {"name": "Borre sykehjem, avd. 1", "kind": "nursing_home_ward"}
    assert event.after == {"name": "Borre sykehjem, avd. A", "kind": "short_term_ward"}
    # Renaming to a name another unit of the municipality has is refused.
    data = _unit_form(unit.municipality, name="Indre havn, avd. 2")
    page = admin.post(url, data=data).get_data(as_text=True)
    assert "Horten har allerede en enhet med dette navnet." in page
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).name == "Borre sykehjem, avd. A"


def test_the_audit_log_reads_unit_changes_in_words(admin, world, db_session):
    unit = world.own_team.unit
    data = _unit_form(unit.municipality, name="Borre sykehjem, avd. A", kind="short_term_ward", size="16")
    admin.post(f"{PAGE}/units/{unit.id}", data=data)
    page = admin.get("/admin/audit?object=unit").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    assert '<td title="unit.update">Endret en enhet</td>' in rows
    assert "Borre sykehjem, avd. A<br>" in rows  # what the event is about, by its name now
    assert ">Navn<" in rows and ">Type<" in rows
    assert (
        '<dd class="mb-1">Sykehjemsavdeling</dd>' in rows and '<dd class="mb-1">Korttidsavdeling</dd>' in rows
    )
    assert ">kind<" not in rows and "short_term_ward" not in rows
    assert '<option value="unit" selected>Enhet</option>' in page


def test_a_unit_in_use_is_not_removed_and_the_page_says_why(admin, world, db_session):
    unit = world.other_team.unit  # in both networks
    page = admin.get(f"{PAGE}/units/{unit.id}").get_data(as_text=True)
    reasons = page[page.index('data-testid="cannot-remove"') :]
    assert "Indre havn, avd. 2 kan ikke fjernes så lenge den er i bruk." in reasons
    assert "Den har team i 2 nettverk: Fall 2024–25, Underernæring 2025–26." in reasons
    assert admin.post(f"{PAGE}/units/{unit.id}/delete").status_code == 302
    assert db_session.get(Unit, unit.id) is not None
    assert not _events(db_session, "unit.delete")

    member_unit = world.own_team.unit  # one team, and the team member works there
    page = admin.post(f"{PAGE}/units/{member_unit.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Den har et team i nettverket Underernæring 2025–26. 1 bruker arbeider der." in page


def test_a_unit_with_members_but_no_team_is_not_removed(admin, world, db_session):
    unit = f.UnitFactory(municipality=world.own_team.unit.municipality, name="Ny avdeling")
    db_session.add(UnitMembership(user=world.users["viewer"], unit=unit))
    db_session.flush()
    page = admin.post(f"{PAGE}/units/{unit.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Ny avdeling kan ikke fjernes så lenge den er i bruk. 1 bruker arbeider der." in page
    assert db_session.get(Unit, unit.id) is not None


def test_an_unused_unit_is_removed_after_asking(admin, world, db_session):
    unit = f.UnitFactory(municipality=world.own_team.unit.municipality, name="Ny avdeling")
    db_session.flush()
    unit_id = unit.id
    page = admin.get(f"{PAGE}/units/{unit_id}").get_data(as_text=True)
    assert 'data-confirm="Fjerne Ny avdeling? Dette kan ikke angres."' in page
    response = admin.post(f"{PAGE}/units/{unit_id}/delete", follow_redirects=True)
    assert "Ny avdeling er fjernet." in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Unit, unit_id) is None
    (event,) = _events(db_session, "unit.delete")
    assert event.object_id == unit_id
    assert event.before == {
        "municipality": "Horten",
        "name": "Ny avdeling",
        "kind": "nursing_home_ward",
        "size": 16,
        "size_kind": "beds",
    }


def test_unknown_objects_are_not_found(admin):
    for url in (f"{PAGE}/units/999999", f"{PAGE}/municipalities/999999"):
        assert admin.get(url).status_code == 404
        assert admin.post(url + "/delete").status_code == 404


# Pages that show the organisation ---------------------------------------------------------------


def test_a_rename_shows_at_once_on_the_dashboard(admin, world, db_session):
    county = networkdata.build(world)
    dashboard = f"/networks/{county.network.id}"
    municipality = county.teams[0].unit.municipality
    assert ">Horten</td>" in admin.get(dashboard).get_data(as_text=True)

    url = f"{PAGE}/municipalities/{municipality.id}"
    saved = admin.post(url, data={"name": "Horten kommune", "number": ""}, follow_redirects=True)
    assert "Horten kommune er lagret." in saved.get_data(as_text=True)
    page = admin.get(dashboard).get_data(as_text=True)
    assert ">Horten kommune</td>" in page and ">Horten</td>" not in page

    # A unit moved to another municipality shows there at once.
    unit = county.teams[0].unit
    other = f.MunicipalityFactory(region=world.region, name="Tønsberg")
    db_session.commit()
    saved = admin.post(
        f"{PAGE}/units/{unit.id}", data=_unit_form(other, name=unit.name), follow_redirects=True
    )
    assert "er lagret." in saved.get_data(as_text=True)
    assert ">Tønsberg</td>" in admin.get(dashboard).get_data(as_text=True)


def test_a_save_over_someone_elses_newer_change_is_refused_and_keeps_the_form(admin, world, db_session):
    unit = world.own_team.unit
    url = f"{PAGE}/units/{unit.id}"
    page = admin.get(url).get_data(as_text=True)
    seen = re.search(r'id="version" name="version" type="hidden" value="([^"]*)"', page).group(1)
    # Someone else renames the unit meanwhile.
    unit.name = "Borre sykehjem, avd. B"
    db_session.flush()
    data = _unit_form(unit.municipality, name="Borre sykehjem, avd. A", version=seen)
    response = admin.post(url, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Noen andre endret Borre sykehjem, avd. B" in html and 'value="Borre sykehjem, avd. A"' in html
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).name == "Borre sykehjem, avd. B"
    newer = re.search(r'id="version" name="version" type="hidden" value="([^"]*)"', html).group(1)
    assert admin.post(url, data={**data, "version": newer}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).name == "Borre sykehjem, avd. A"
