"""Error pages in the user's language; no error reaches the user as a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from learnnet.api import errors as api_errors
from learnnet.extensions import db
from learnnet.imports.services import MAX_UPLOAD_BYTES
from learnnet.security import NulCharacter


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if api_errors.is_api_request():
            return api_errors.http_error(error)
        message = _("The form had expired. Please go back, reload the page and try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(NulCharacter)
    def nul_character(error: NulCharacter):
        message = _(
            "The text held an invisible control character (NUL) that cannot be saved. Nothing was saved."
        )
        if api_errors.is_api_request():
            return api_errors.error_response(400, "bad_request", message)
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if api_errors.is_api_request():
            return api_errors.http_error(error)
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
        if api_errors.is_api_request():
            return api_errors.server_error()
        message = _("Something went wrong on our side. Nothing you entered was saved; please try again.")
        return render_template("errors/error.html", code=500, message=message), 500
