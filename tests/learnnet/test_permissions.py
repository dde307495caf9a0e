"""Each role lands on its own home page and reaches only what it may."""

import pytest

HOMES = {
    "admin": "/county/",
    "centre": "/county/",
    "facilitator": "/networks/",
    "team_member": "/my-teams",
    "viewer": "/county/",
}


def test_each_role_lands_on_its_home_page_with_data(role_client):
    response = role_client.client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == HOMES[role_client.role]
    page = role_client.client.get(HOMES[role_client.role]).get_data(as_text=True)
    world = role_client.world
    if role_client.role == "team_member":
        assert world.own_team.name in page
        assert world.other_team.name not in page
    else:
        assert world.network.name in page


def _expected(role: str, page: str) -> int:
    allowed = {
        "admin": {"own", "other", "far", "network", "other_network", "county"},
        "centre": {"own", "other", "far", "network", "other_network", "county"},
        "facilitator": {"own", "other", "network"},
        "team_member": {"own"},
        "viewer": {"county"},
    }
    return 200 if page in allowed[role] else 403


@pytest.mark.parametrize("page", ["own", "other", "far", "network", "other_network", "county"])
def test_pages_are_refused_to_those_outside(role_client, page):
    world = role_client.world
    urls = {
        "own": f"/teams/{world.own_team.id}",
        "other": f"/teams/{world.other_team.id}",
        "far": f"/teams/{world.far_team.id}",
        "network": f"/networks/{world.network.id}",
        "other_network": f"/networks/{world.other_network.id}",
        "county": "/county/",
    }
    assert role_client.client.get(urls[page]).status_code == _expected(role_client.role, page)


def test_missing_team_is_404(role_client):
    assert role_client.client.get("/teams/999999").status_code == 404


def test_pages_need_login(client, world):
    for url in ["/my-teams", f"/teams/{world.own_team.id}", "/networks/", "/county/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_refusal_page_speaks_the_users_language(client, auth, world):
    auth.login(world.users["team_member"])
    page = client.get(f"/teams/{world.other_team.id}").get_data(as_text=True)
    assert "Du har ikke tilgang til denne siden." in page


@pytest.mark.parametrize(
    "path",
    [
        "/teams/{team}/measures/99999999999999999999",
        "/teams/{team}/measurements/9999999999/delete",
        "/teams/{team}/interventions/9999999999/cycles/new",
        "/teams/99999999999",
        "/networks/99999999999",
        "/networks/{network}/measures/99999999999",
        "/admin/organisation/units/99999999999",
        "/admin/organisation/municipalities/99999999999",
    ],
)
def test_an_id_no_row_can_have_is_not_found(client, auth, world, path):
    auth.login(world.users["admin"])
    url = path.format(team=world.own_team.id, network=world.network.id)
    response = client.post(url) if url.endswith("/delete") else client.get(url)
    assert response.status_code == 404
