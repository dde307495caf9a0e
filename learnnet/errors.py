"""Errors in the user's language, never a stack trace: an HTML page, or JSON under /api/.

Errors under /api/ are JSON with a message in the user's language: the API's own refusals
(:class:`ApiError`) and Werkzeug's (no such route, wrong method, …) alike.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from learnnet.config import MAX_UPLOAD_BYTES
from learnnet.extensions import db
from learnnet.security import NulCharacter

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


def json_http_error(error: HTTPException) -> Response:
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


def json_server_error() -> Response:
    message = _("Something went wrong on our side. Nothing was saved; please try again.")
    return error_response(500, "server_error", message)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if is_api_request():
            return json_http_error(error)
        message = _("The form had expired. Please go back, reload the page and try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(NulCharacter)
    def nul_character(error: NulCharacter):
        message = _(
            "The text held an invisible control character (NUL) that cannot be saved. Nothing was saved."
        )
        if is_api_request():
            return error_response(400, "bad_request", message)
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if is_api_request():
            return json_http_error(error)
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("The page was not found."),
            405: _("That action is not allowed here."),
            413: _(
                "That was too much to send at once (at most %(size)d MB). Nothing was saved.",
                size=MAX_UPLOAD_BYTES // 2**20,
            ),
        }
        message = messages.get(error.code or 500, error.description)
        return render_template("errors/error.html", code=error.code, message=message), error.code

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if is_api_request():
            return json_server_error()
        message = _("Something went wrong on our side. Nothing you entered was saved; please try again.")
        return render_template("errors/error.html", code=500, message=message), 500
