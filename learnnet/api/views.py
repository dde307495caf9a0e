"""The JSON API, version 1. Every request but the OpenAPI document needs a personal API token.

Each view: check access through :mod:`learnnet.permissions`, call a service, return JSON.
"""

from __future__ import annotations

import json

from flask import Response, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import refresh

from learnnet import clock, permissions
from learnnet.api import auth, bp, services
from learnnet.api.openapi import document
from learnnet.errors import ApiError, api_error
from learnnet.extensions import db
from learnnet.models import Network, Team

PUBLIC = {"api.openapi"}


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC:
        return
    g.api_user = auth.require_user()
    # Messages in the token owner's language from here on.
    refresh()


@bp.after_request
def commit(response: Response) -> Response:
    """The request's boundary: what a successful request changed is committed, once."""
    if response.status_code < 400:
        db.session.commit()
    return response


bp.register_error_handler(ApiError, api_error)


def _team(team_id: int, *, edit: bool = False) -> Team:
    team = permissions.one_or_404(Team, team_id)
    allowed = (
        permissions.can_enter_data(g.api_user, team) if edit else permissions.can_view_team(g.api_user, team)
    )
    if not allowed:
        raise ApiError(403, "forbidden", _("You do not have access to this team."))
    return team


def _json_body():
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", _("The request body is not valid JSON.")) from None


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/me")
def me():
    user = g.api_user
    return jsonify(
        {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "language": user.language or "nb",
        }
    )


@bp.get("/networks")
def networks():
    found = db.session.scalars(
        permissions.visible_networks(g.api_user).order_by(Network.start_date.desc(), Network.id)
    )
    return jsonify({"networks": [services.network_json(n) for n in found]})


@bp.get("/networks/<int:network_id>")
def network(network_id: int):
    found = permissions.one_or_404(Network, network_id)
    if not permissions.can_view_network(g.api_user, found):
        raise ApiError(403, "forbidden", _("You do not have access to this network."))
    return jsonify(
        {
            **services.network_json(found),
            "teams": [services.team_json(t) for t in found.teams],
            "measures": [services.measure_json(m) for m in found.measures],
        }
    )


@bp.get("/teams")
def teams():
    query = permissions.visible_teams(g.api_user).order_by(Team.network_id, Team.name, Team.id)
    raw = request.args.get("network_id")
    if raw is not None:
        if not raw.isascii() or not raw.isdigit() or int(raw) > services.MAX_ID:
            raise ApiError(
                422,
                "invalid",
                _("Some values cannot be saved."),
                problems=[
                    {"field": "network_id", "message": _("Enter a whole number."), "severity": "error"}
                ],
            )
        query = query.where(Team.network_id == int(raw))
    return jsonify({"teams": [services.team_json(t) for t in db.session.scalars(query)]})


@bp.get("/teams/<int:team_id>")
def team(team_id: int):
    found = _team(team_id)
    return jsonify(
        {**services.team_json(found), "measures": [services.measure_json(m) for m in found.network.measures]}
    )


@bp.get("/teams/<int:team_id>/measures")
def team_measures(team_id: int):
    found = _team(team_id)
    return jsonify({"measures": [services.measure_json(m) for m in found.network.measures]})


@bp.get("/teams/<int:team_id>/measures/<int:measure_id>/series")
def series(team_id: int, measure_id: int):
    found = _team(team_id)
    measure = services.measure_of(found, measure_id)
    return jsonify(services.series(found, measure, clock.today()))


@bp.get("/teams/<int:team_id>/measures/<int:measure_id>/measurements/<period>")
def measurement(team_id: int, measure_id: int, period: str):
    found = _team(team_id)
    measure = services.measure_of(found, measure_id)
    month = services.period_or_422(period)
    saved = services.recording.find(found, measure, month)
    if saved is None:
        raise ApiError(404, "not_found", _("Nothing is saved for this month."))
    return jsonify(services.measurement_json(measure, saved))


@bp.put("/teams/<int:team_id>/measures/<int:measure_id>/measurements/<period>")
def save_measurement(team_id: int, measure_id: int, period: str):
    found = _team(team_id, edit=True)
    measure = services.measure_of(found, measure_id)
    month = services.period_or_422(period)
    body_json, status = services.save(found, measure, month, _json_body(), g.api_user)
    return jsonify(body_json), status
