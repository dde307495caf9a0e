"""Language choice and the date and number formats the templates use."""

from __future__ import annotations

import datetime as dt
import functools

from babel import dates as babel_dates
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from charts.text import NumberFormat
from learnnet.errors import is_api_request


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
    return _month(period.replace(day=1), "MMM y", str(get_locale()))


def month_name(period: dt.date) -> str:
    """Full month and year in the user's language: "januar 2026" or "January 2026"."""
    return _month(period.replace(day=1), "LLLL y", str(get_locale()))


@functools.lru_cache(maxsize=4096)
def _month(period: dt.date, pattern: str, locale: str) -> str:
    # A page names dozens of months (the entry page's month list); Babel's formatting is the
    # costly part of drawing it, and a month's name never changes.
    return babel_dates.format_date(period, pattern, locale=locale)


def datetime_label(moment: dt.datetime) -> str:
    """Date and time in the user's language and the app's time zone, day first and on a 24-hour
    clock in both: "28. nov. 2026, 13:05" or "28 Nov 2026, 13:05" (never "11/28/26, 1:05 PM")."""
    pattern = "d. MMM y, HH:mm" if str(get_locale()) == "nb" else "d MMM y, HH:mm"
    return format_datetime(moment, pattern)


_NUMBERS = {
    "nb": NumberFormat(decimal_mark=",", thousands_sep="\u00a0", percent_suffix="\u00a0%"),
    "en": NumberFormat(),
}


def number_format() -> NumberFormat:
    """Numbers as the user writes them, on charts, in the words beside them and in the pages'
    tables: "4,5 %" in Norwegian, "4.5%" in English."""
    return _NUMBERS.get(str(get_locale()), _NUMBERS["en"])


def number(value: float | None, digits: int = 1) -> str:
    """A number in the user's language with ``digits`` decimals ("1\u00a0234,5"); "–" for none."""
    if value is None:
        return "–"
    return number_format().number(value, digits)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["month_label"] = month_label
    app.jinja_env.filters["month_name"] = month_name
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["datetime_label"] = datetime_label

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}
