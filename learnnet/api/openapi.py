"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json.

Written by hand as data, beside the views it describes; tests/learnnet/api/test_schemathesis.py
checks every operation against a running server, so a change to one without the other fails.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from measures.choice import VALUE_KINDS
from measures.rules import DIRECTIONS, RULE_SETS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(type_: str, **more: Any) -> dict[str, Any]:
    return {"type": type_, "nullable": True, **more}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2025-03"}
ID = {"type": "integer", "minimum": 1}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {
                "type": "string",
                "description": "A stable code: unauthorized, forbidden, not_found, "
                "invalid, conflict, malformed_json, method_not_allowed, …",
            },
            "message": {
                "type": "string",
                "description": "For people, in the token owner's language; without one, as the "
                "Accept-Language header asks (nb or en), else Norwegian bokmål.",
            },
            "problems": {"type": "array", "items": _ref("Problem")},
            "current": {
                "allOf": [_ref("Measurement")],
                "nullable": True,
                "description": "On a conflict (409): what is saved now.",
            },
        },
    },
    "Problem": {
        "type": "object",
        "required": ["field", "message", "severity"],
        "properties": {
            "field": {"type": "string"},
            "message": {"type": "string"},
            "severity": {
                "type": "string",
                "enum": ["error", "warning"],
                "description": 'A warning is saved when the request says "confirm": true.',
            },
        },
    },
    "Me": {
        "type": "object",
        "required": ["id", "name", "email", "role", "language"],
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "email": {"type": "string"},
            "role": {"type": "string", "enum": ["admin", "centre", "facilitator", "team_member", "viewer"]},
            "language": {"type": "string", "enum": ["nb", "en"]},
        },
    },
    "Network": {
        "type": "object",
        "required": ["id", "name", "topic", "start", "end", "status", "rule_set"],
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "topic": {"type": "string"},
            "start": MONTH,
            "end": MONTH,
            "status": {"type": "string", "enum": ["planned", "active", "closed"]},
            "rule_set": {"type": "string", "enum": list(RULE_SETS)},
        },
    },
    "NetworkDetail": {
        "allOf": [
            _ref("Network"),
            {
                "type": "object",
                "required": ["teams", "measures"],
                "properties": {
                    "teams": {"type": "array", "items": _ref("Team")},
                    "measures": {"type": "array", "items": _ref("Measure")},
                },
            },
        ]
    },
    "Team": {
        "type": "object",
        "required": ["id", "name", "network_id", "unit", "municipality"],
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "network_id": ID,
            "unit": {"type": "string"},
            "municipality": {"type": "string"},
        },
    },
    "TeamDetail": {
        "allOf": [
            _ref("Team"),
            {
                "type": "object",
                "required": ["measures"],
                "properties": {"measures": {"type": "array", "items": _ref("Measure")}},
            },
        ]
    },
    "Measure": {
        "type": "object",
        "required": [
            "id",
            "network_id",
            "code",
            "name",
            "short_name",
            "measure_type",
            "value_kind",
            "multiplier",
            "unit_label",
            "direction",
            "target",
            "takes",
        ],
        "properties": {
            "id": ID,
            "network_id": ID,
            "code": {"type": "string"},
            "name": {"type": "string"},
            "short_name": {"type": "string"},
            "measure_type": {"type": "string", "enum": ["outcome", "process", "balancing"]},
            "value_kind": {"type": "string", "enum": list(VALUE_KINDS)},
            "multiplier": {"type": "number"},
            "unit_label": {"type": "string"},
            "direction": {"type": "string", "enum": list(DIRECTIONS)},
            "target": _nullable("number"),
            "takes": {
                "type": "string",
                "enum": ["numerator_denominator", "value"],
                "description": "Which fields a measurement of this measure gives.",
            },
        },
    },
    "Measurement": {
        "type": "object",
        "required": [
            "period",
            "numerator",
            "denominator",
            "value",
            "comment",
            "version",
            "deleted",
            "plotted_value",
            "updated_at",
        ],
        "properties": {
            "period": MONTH,
            "numerator": _nullable("integer"),
            "denominator": _nullable("integer"),
            "value": _nullable("number"),
            "comment": {"type": "string"},
            "version": {
                "type": "integer",
                "minimum": 1,
                "description": "Send it back when you change the month (optimistic locking).",
            },
            "deleted": {"type": "boolean"},
            "plotted_value": _nullable("number"),
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "MeasurementInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "numerator": _nullable("integer", minimum=0, maximum=2147483647),
            "denominator": _nullable("integer", minimum=1, maximum=2147483647),
            "value": _nullable("number"),
            "comment": {
                "type": "string",
                "maxLength": 2000,
                "description": "Left out: the saved comment is kept. An empty string removes it.",
            },
            "version": {
                "type": "integer",
                "minimum": 0,
                "description": "The version you started from; 0 (or left out) for a new month.",
            },
            "confirm": {"type": "boolean", "description": "Save even with warnings about unusual values."},
        },
        "example": {"numerator": 12, "denominator": 16, "comment": "", "version": 0},
    },
    "SaveResult": {
        "type": "object",
        "required": ["status", "measurement"],
        "properties": {
            "status": {"type": "string", "enum": ["created", "updated", "unchanged"]},
            "measurement": _ref("Measurement"),
        },
    },
    "Point": {
        "type": "object",
        "required": ["period", "numerator", "denominator", "value", "plotted_value", "version"],
        "properties": {
            "period": MONTH,
            "numerator": _nullable("integer"),
            "denominator": _nullable("integer"),
            "value": _nullable("number"),
            "plotted_value": _nullable("number"),
            "version": _nullable("integer"),
        },
    },
    "Chart": {
        "type": "object",
        "required": ["available"],
        "description": "Computed by measures.spc (qicharts2's charts) and measures.rules. When not "
        "available, reason is a code such as too_few_points.",
        "properties": {
            "available": {"type": "boolean"},
            "reason": {"type": "string"},
            "kind": {"type": "string"},
            "control_kind": {"type": "string"},
            "trial_limits": {"type": "boolean"},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "multiplier": {
                "type": "number",
                "description": "y, cl and limits of p and u charts are per 1: multiply to plot.",
            },
            "rule_set": {"type": "string"},
            "variation": {"type": "string"},
            "records": {
                "type": "array",
                "items": {"type": "object", "required": ["period"], "properties": {"period": MONTH}},
            },
            "findings": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Series": {
        "type": "object",
        "required": ["team", "measure", "points", "chart"],
        "properties": {
            "team": _ref("Team"),
            "measure": _ref("Measure"),
            "points": {"type": "array", "items": _ref("Point")},
            "chart": _ref("Chart"),
        },
    },
}

_ERRORS = {
    "400": _json(
        _ref("Error"), "The body is not valid JSON, or the request holds a NUL character (refused anywhere)."
    ),
    "401": _json(_ref("Error"), "No token, or a token that is unknown or revoked."),
    "403": _json(_ref("Error"), "The token's user may not see (or change) this."),
    "404": _json(_ref("Error"), "No such object."),
    "409": _json(_ref("Error"), "Someone saved the month after the version you sent; `current` holds it."),
    "422": _json(_ref("Error"), "Values that cannot be saved, or need confirming; see `problems`."),
}


def _errors(*codes: str) -> dict[str, Any]:
    """Every operation may answer 400 (a NUL character anywhere in the request) and 401."""
    return {code: _ERRORS[code] for code in dict.fromkeys(("400", "401", *codes))}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


_PERIOD = {"name": "period", "in": "path", "required": True, "schema": MONTH}
_MEASURE_PATH = [_path_id("team_id"), _path_id("measure_id")]


def _paths() -> dict[str, Any]:
    return {
        "/me": {
            "get": {
                "operationId": "me",
                "summary": "The user the token belongs to",
                "responses": {"200": _json(_ref("Me"), "The token's user."), **_errors()},
            }
        },
        "/networks": {
            "get": {
                "operationId": "listNetworks",
                "summary": "The networks the user may see",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["networks"],
                            "properties": {"networks": {"type": "array", "items": _ref("Network")}},
                        },
                        "Networks, newest first.",
                    ),
                    **_errors(),
                },
            }
        },
        "/networks/{network_id}": {
            "get": {
                "operationId": "getNetwork",
                "summary": "A network with its teams and measures",
                "parameters": [_path_id("network_id")],
                "responses": {"200": _json(_ref("NetworkDetail"), "The network."), **_errors("403", "404")},
            }
        },
        "/teams": {
            "get": {
                "operationId": "listTeams",
                "summary": "The teams the user may see",
                "parameters": [
                    {
                        "name": "network_id",
                        "in": "query",
                        "required": False,
                        "schema": ID,
                        "description": "Only the teams of this network.",
                    }
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["teams"],
                            "properties": {"teams": {"type": "array", "items": _ref("Team")}},
                        },
                        "Teams.",
                    ),
                    **_errors("422"),
                },
            }
        },
        "/teams/{team_id}": {
            "get": {
                "operationId": "getTeam",
                "summary": "A team with its network's measures",
                "parameters": [_path_id("team_id")],
                "responses": {"200": _json(_ref("TeamDetail"), "The team."), **_errors("403", "404")},
            }
        },
        "/teams/{team_id}/measures": {
            "get": {
                "operationId": "listTeamMeasures",
                "summary": "The measures a team records",
                "parameters": [_path_id("team_id")],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["measures"],
                            "properties": {"measures": {"type": "array", "items": _ref("Measure")}},
                        },
                        "Measures in the network's order.",
                    ),
                    **_errors("403", "404"),
                },
            }
        },
        "/teams/{team_id}/measures/{measure_id}/series": {
            "get": {
                "operationId": "getSeries",
                "summary": "A team's months of a measure with the computed chart",
                "parameters": _MEASURE_PATH,
                "responses": {
                    "200": _json(_ref("Series"), "Every month so far, missing ones as nulls."),
                    **_errors("403", "404"),
                },
            }
        },
        "/teams/{team_id}/measures/{measure_id}/measurements/{period}": {
            "get": {
                "operationId": "getMeasurement",
                "summary": "One month's saved values",
                "parameters": [*_MEASURE_PATH, _PERIOD],
                "responses": {
                    "200": _json(_ref("Measurement"), "The saved values (also when deleted)."),
                    **_errors("403", "404", "422"),
                },
            },
            "put": {
                "operationId": "saveMeasurement",
                "summary": "Save one month, by the same rules as the entry form",
                "description": "Send the version you started from. When someone saved the month since, "
                "nothing is saved and the answer is 409 with the current values. "
                "Unusual values are refused with warnings (422) unless confirm is true. "
                "The month may be any from five years before the network's start (baseline and "
                "earlier history) to its end, and not in the future.",
                "parameters": [*_MEASURE_PATH, _PERIOD],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("MeasurementInput")}},
                },
                "responses": {
                    "200": _json(_ref("SaveResult"), "Updated, or unchanged."),
                    "201": _json(_ref("SaveResult"), "Created."),
                    **_errors("400", "403", "404", "409", "422"),
                },
            },
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI document, with the server address of the current request."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "learnnet API",
            "version": "1.0.0",
            "description": "Networks, teams, measures and monthly measurements of learnnet. "
            "Authenticate with a personal API token (Account → API tokens) sent as "
            "`Authorization: Bearer <token>`; it has exactly its user's access.",
        },
        "servers": [{"url": url_for("api.openapi", _external=True).rsplit("/openapi.json", 1)[0]}],
        "security": [{"bearerAuth": []}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
