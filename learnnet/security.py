"""HTTP security headers on every response, the reverse-proxy fix, and a guard against NUL.

A small ``after_request`` hook rather than Flask-Talisman: Talisman's last release (1.1.0) is from
2023, it redirects to HTTPS and rewrites the session-cookie settings on its own (both belong to the
reverse proxy and to :mod:`learnnet.config` here), and it still sends the obsolete Feature-Policy
header. What learnnet needs is a fixed set of headers, which fits in a few lines.

The policy allows no inline script and no inline style: templates load scripts and styles from
``/static`` and ``/bootstrap/static`` only. Bootstrap's CSS draws a few icons from ``data:`` SVGs,
hence ``img-src 'self' data:``. Charts must be ``<img src=...>``, not SVG pasted into the page
(matplotlib's SVG carries ``style=`` attributes the policy refuses).
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

HSTS_MAX_AGE = 365 * 24 * 3600


def _policy_header(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def register_headers(app: Flask) -> None:
    """Set the security headers on every response; HSTS only in production."""
    policy = _policy_header(app.config.get("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY))
    headers = {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if app.config["LEARNNET_ENV"] == "production":
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE}; includeSubDomains"

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response


def register_proxy_fix(app: Flask) -> None:
    """Trust ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from ``PROXY_FIX`` proxies in front.

    Only when the app runs behind that many reverse proxies, each of which sets those headers;
    otherwise a client could claim any address and slip past the per-address login throttle.
    """
    proxies = app.config.get("PROXY_FIX", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


class NulCharacter(BadRequest):
    """A request holding a NUL character, which no text column can store (PostgreSQL refuses it
    in any string, even one it only compares with)."""


def _any_nul(values) -> bool:
    return any("\x00" in value for _key, listed in values.lists() for value in listed)


def _holds_nul() -> bool:
    if "\x00" in request.path or _any_nul(request.args):
        return True
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _any_nul(request.form)
    if request.method in ("POST", "PUT", "PATCH") and request.content_length:
        # Any other body (the API reads JSON whatever its content type says): the character
        # itself, or JSON's escape for it in any spelling.
        body = request.get_data()
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


def register_nul_guard(app: Flask) -> None:
    """Refuse, before any view reads it, a request with a NUL character in its address, query,
    form fields or JSON body: a clear 400 instead of a database error. Uploaded files are not
    looked at here; the import reads them as files."""

    @app.before_request
    def refuse_nul() -> None:
        if _holds_nul():
            raise NulCharacter()
