"""Every route × every role × own or another team: the expected answer.

The matrix is built from the app's URL map: a route without an entry in ACCESS fails the test, so
a new route cannot ship without deciding who may reach it.
"""

from __future__ import annotations

import pytest

from tests.learnnet.security.conftest import routes, url_for_rule

ROLES = ("anonymous", "admin", "centre", "facilitator", "team_member", "viewer")
SCOPES = ("own", "other")

# Who may: for each kind of access, the roles allowed on the member's own team (or its network)
# and on a team of another network that nobody but the centre may reach.
KINDS = {
    "public": {"own": set(ROLES), "other": set(ROLES)},
    "user": {"own": set(ROLES) - {"anonymous"}, "other": set(ROLES) - {"anonymous"}},
    "view_team": {"own": {"admin", "centre", "facilitator", "team_member"}, "other": {"admin", "centre"}},
    "edit_team": {"own": {"admin", "facilitator", "team_member"}, "other": {"admin"}},
    "chart_settings": {"own": {"admin", "facilitator"}, "other": {"admin"}},
    "view_network": {"own": {"admin", "centre", "facilitator"}, "other": {"admin", "centre"}},
    "county": {"own": {"admin", "centre", "viewer"}, "other": {"admin", "centre", "viewer"}},
    # the county comparison: the centre and viewers, and facilitators for their own networks
    "compare": {"own": {"admin", "centre", "facilitator", "viewer"}, "other": {"admin", "centre", "viewer"}},
    "create_network": {
        "own": {"admin", "centre", "facilitator"},
        "other": {"admin", "centre", "facilitator"},
    },
    "admin": {"own": {"admin"}, "other": {"admin"}},
    "import_network": {"own": {"admin", "facilitator"}, "other": {"admin"}},
    # The JSON API takes a personal token and nothing else: a logged-in browser session gets 401.
    "api": {"own": set(), "other": set()},
}

# Every route of the app, by its rule, with its kind of access. Static files are left out.
ACCESS = {
    "/": "public",
    "/login": "public",
    "/logout": "user",
    "/language": "public",
    "/healthz": "public",
    "/readyz": "public",
    "/my-teams": "user",
    "/networks/": "user",
    "/networks/<int:network_id>": "view_network",
    "/networks/<int:network_id>/matrix.<fmt>": "view_network",
    "/networks/<int:network_id>/setup": "view_network",
    "/networks/<int:network_id>/measures/<int:measure_id>": "view_network",
    "/networks/<int:network_id>/measures/<int:measure_id>/pooled.<fmt>": "view_network",
    "/networks/<int:network_id>/measures/<int:measure_id>/signals.<fmt>": "view_network",
    "/networks/<int:network_id>/measures/<int:measure_id>/pooled-table.<fmt>": "view_network",
    "/networks/<int:network_id>/measures/<int:measure_id>/signals-table.<fmt>": "view_network",
    "/networks/<int:network_id>/sessions/<int:session_id>/pack": "view_network",
    "/networks/packs/<int:pack_id>/status": "view_network",
    "/networks/packs/<int:pack_id>/<kind>": "view_network",
    "/networks/<int:network_id>/teams/<int:team_id>/reminders": "view_network",
    "/networks/new": "create_network",
    "/county/compare": "compare",
    "/county/compare/funnel.<fmt>": "compare",
    "/county/compare/effect.<fmt>": "compare",
    "/county/compare/forest.<fmt>": "compare",
    "/county/compare/pooled.<fmt>": "compare",
    "/county/compare/signals.<fmt>": "compare",
    "/county/compare/multiples.<fmt>": "compare",
    "/county/compare/units.<fmt>": "compare",
    "/county/compare/effects.<fmt>": "compare",
    "/county/": "county",
    "/admin/audit": "admin",
    "/admin/users": "admin",
    "/admin/users/new": "admin",
    "/admin/users/<int:user_id>": "admin",
    "/admin/users/<int:user_id>/password": "admin",
    "/admin/users/<int:user_id>/unlock": "admin",
    "/admin/users/addresses/unblock": "admin",
    "/account/password": "user",
    "/account/reminders": "user",
    "/admin/organisation": "admin",
    "/admin/organisation/municipalities/new": "admin",
    "/admin/organisation/municipalities/<int:municipality_id>": "admin",
    "/admin/organisation/municipalities/<int:municipality_id>/delete": "admin",
    "/admin/organisation/units/new": "admin",
    "/admin/organisation/units/<int:unit_id>": "admin",
    "/admin/organisation/units/<int:unit_id>/delete": "admin",
    "/account/api-tokens/": "user",
    "/account/api-tokens/<int:token_id>/revoke": "user",
    "/teams/<int:team_id>/import": "edit_team",
    '/teams/<int:team_id>/import/template/<any(xlsx, csv, "csv-semicolon"):fmt>': "edit_team",
    '/teams/<int:team_id>/export/<any(xlsx, csv, "csv-semicolon"):fmt>': "view_team",
    "/networks/<int:network_id>/import": "import_network",
    '/networks/<int:network_id>/import/template/<any(xlsx, csv, "csv-semicolon"):fmt>': "import_network",
    '/networks/<int:network_id>/export/<any(xlsx, csv, "csv-semicolon"):fmt>': "view_network",
    "/imports/commit": "user",
    # the user's own upload only (its progress page and status): 404 for a key that is not theirs
    "/imports/<key>": "user",
    "/imports/<key>/status": "user",
    "/api/v1/openapi.json": "public",
    "/api/v1/me": "api",
    "/api/v1/networks": "api",
    "/api/v1/networks/<int:network_id>": "api",
    "/api/v1/teams": "api",
    "/api/v1/teams/<int:team_id>": "api",
    "/api/v1/teams/<int:team_id>/measures": "api",
    "/api/v1/teams/<int:team_id>/measures/<int:measure_id>/series": "api",
    "/api/v1/teams/<int:team_id>/measures/<int:measure_id>/measurements/<period>": "api",
    "/teams/<int:team_id>": "view_team",
    "/teams/<int:team_id>/entry": "edit_team",
    "/teams/<int:team_id>/interventions": "view_team",
    "/teams/<int:team_id>/interventions/new": "edit_team",
    "/teams/<int:team_id>/interventions/<int:intervention_id>/edit": "edit_team",
    "/teams/<int:team_id>/interventions/<int:intervention_id>/cycles/new": "edit_team",
    "/teams/<int:team_id>/interventions/<int:intervention_id>/cycles/<int:cycle_id>/edit": "edit_team",
    "/teams/<int:team_id>/measurements/<int:measurement_id>/delete": "edit_team",
    "/teams/<int:team_id>/measurements/<int:measurement_id>/restore/<int:history_id>": "edit_team",
    "/teams/<int:team_id>/measures/<int:measure_id>": "view_team",
    "/teams/<int:team_id>/measures/<int:measure_id>/chart.<fmt>": "view_team",
    "/teams/<int:team_id>/measures/<int:measure_id>/settings": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/phases": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/phases/<int:phase_id>/delete": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/exclusions": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/exclusions/<int:exclusion_id>/delete": "chart_settings",
}


def test_every_route_has_an_entry(app):
    missing = sorted({rule for rule, _method in routes(app)} - set(ACCESS))
    assert not missing, f"add these routes to ACCESS with who may reach them: {missing}"
    stale = sorted(set(ACCESS) - {rule for rule, _method in routes(app)})
    assert not stale, f"ACCESS names routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, client, auth, world, targets, role):
    if role != "anonymous":
        assert auth.login(world.users[role]).status_code == 302
    failures = []
    for rule, method in sorted(routes(app)):
        if rule in ("/logout", "/language"):
            continue  # they end or change the session the matrix runs in; covered elsewhere
        kind = ACCESS[rule]
        for scope in SCOPES if "<int:" in rule else ("own",):
            url = url_for_rule(rule, getattr(targets, scope))
            response = client.open(url, method=method, data={})
            allowed = role in KINDS[kind][scope]
            status = response.status_code
            if status >= 500:
                failures.append(f"{method} {url}: {status}")
            elif kind == "api":
                if status != 401 or not response.is_json:
                    failures.append(f"{method} {url} as {role}: {status}, expected a JSON 401")
            elif role == "anonymous" and not allowed:
                if not (status == 302 and "/login" in response.headers.get("Location", "")):
                    failures.append(f"{method} {url} anonymous: {status}, expected a redirect to log in")
            elif not allowed and status not in (403, 404):
                failures.append(f"{method} {url} as {role} ({scope}): {status}, expected 403")
            elif allowed and status in (401, 403):
                failures.append(f"{method} {url} as {role} ({scope}): {status}, expected access")
    assert not failures, "\n".join(failures)
