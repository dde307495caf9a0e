"""Errors under /api/v1 are JSON with a message in the user's language, never an HTML page."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

PREFIX = "/api/"


class ApiError(Exception):
    """Raised by the API's views and services; becomes a JSON response with ``status``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="learnnet"'
    return response


def api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, **error.extra)


def http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (no such route, wrong method, …) as JSON, keeping headers such as Allow."""
    codes = {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthorized", _("A valid API token is required.")),
        403: ("forbidden", _("You do not have access to this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("That method is not allowed here.")),
        413: ("too_large", _("The request is too large.")),
        415: ("unsupported_media_type", _("Send JSON.")),
    }
    code, message = codes.get(error.code or 500, ("error", error.description or ""))
    response = error_response(error.code or 500, code, message)
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def server_error() -> Response:
    message = _("Something went wrong on our side. Nothing was saved; please try again.")
    return error_response(500, "server_error", message)
