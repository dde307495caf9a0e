"""Language choice and the date and number formats the templates use."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from charts.text import NumberFormat
from learnnet.api.errors import is_api_request


def select_locale() -> str:
    """The user's own choice, then the choice made in this browser, then Norwegian bokmål (for the
    API: the token user's choice, then the request's Accept-Language, then Norwegian bokmål)."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if has_request_context() and is_api_request():
        # An API request acts as its token's user, not as whoever a session cookie names; a
        # program without a token, or whose user chose no language, may ask by Accept-Language.
        api_user = g.get("api_user")
        if api_user is not None and api_user.language in languages:
            return api_user.language
        return request.accept_languages.best_match(list(languages)) or default
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return default


def month_label(period: dt.date) -> str:
    """Short month and year in the user's language: "jan. 2026" or "Jan 2026"."""
    return format_date(period, "MMM y")


def month_name(period: dt.date) -> str:
    """Full month and year in the user's language: "januar 2026" or "January 2026"."""
    return format_date(period, "LLLL y")


def datetime_label(moment: dt.datetime) -> str:
    """Date and time in the user's language and the app's time zone, day first and on a 24-hour
    clock in both: "28. nov. 2026, 13:05" or "28 Nov 2026, 13:05" (never "11/28/26, 1:05 PM")."""
    pattern = "d. MMM y, HH:mm" if str(get_locale()) == "nb" else "d MMM y, HH:mm"
    return format_datetime(moment, pattern)


def number_format() -> NumberFormat:
    """Numbers as the user writes them, on charts and in the words beside them: "4,5 %" in
    Norwegian, "4.5%" in English."""
    if str(get_locale()) == "nb":
        return NumberFormat(decimal_mark=",", thousands_sep="\u00a0", percent_suffix="\u00a0%")
    return NumberFormat()


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["month_label"] = month_label
    app.jinja_env.filters["month_name"] = month_name
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["datetime_label"] = datetime_label

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}
