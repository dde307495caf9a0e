"""Security headers, cookies, CSRF and the absence of inline script and style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import request

from learnnet import create_app
from learnnet.config import ConfigError
from learnnet.extensions import db
from learnnet.models import AuditEvent, User
from tests.learnnet import factories as f

TEMPLATES = Path(__file__).resolve().parents[2] / "learnnet" / "templates"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _csrf_token(page: str) -> str:
    match = CSRF_FIELD.search(page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


# --- headers -------------------------------------------------------------------------------------


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    directives = _directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_headers_also_on_errors_and_static_files(client):
    assert client.get("/no-such-page").headers["X-Frame-Options"] == "DENY"
    with client.get("/static/learnnet.css") as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    monkeypatch.delenv("LEARNNET_PROXY_FIX", raising=False)
    app = create_app(
        {
            "LEARNNET_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/production.sqlite3",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        db.create_all()
        user = User(email="kari@example.no", name="Kari", role="viewer")
        user.set_password(f.PASSWORD)
        db.session.add(user)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _cookie(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def test_production_sends_hsts_and_secure_cookies(production_app):
    client = production_app.test_client()
    login_page = client.get("/login", base_url="https://learnnet.example")
    assert "max-age=" in login_page.headers["Strict-Transport-Security"]
    session_cookie = _cookie(login_page, "session")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert attribute in session_cookie

    # Over HTTPS Flask-WTF also wants a same-site Referer, as a browser sends.
    response = client.post(
        "/login",
        base_url="https://learnnet.example",
        headers={"Referer": "https://learnnet.example/login"},
        data={
            "email": "kari@example.no",
            "password": f.PASSWORD,
            "remember": "y",
            "csrf_token": _csrf_token(login_page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    remember_cookie = _cookie(response, "remember_token")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert attribute in remember_cookie


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _refused(response) -> None:
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skjemaet var utløpt" in page  # the form had expired …


def test_login_without_csrf_token_is_refused(client, db_session, csrf_on):
    user = f.UserFactory()
    _refused(client.post("/login", data={"email": user.email, "password": f.PASSWORD}))
    assert client.get("/my-teams").status_code == 302
    assert not db_session.query(AuditEvent).filter_by(action="login").count()
    assert db_session.get(User, user.id).last_login_at is None


def test_login_with_csrf_token_works(client, db_session, csrf_on):
    user = f.UserFactory()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": f.PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_logout_without_csrf_token_is_refused(client, db_session, csrf_on):
    user = f.UserFactory()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": user.email, "password": f.PASSWORD, "csrf_token": token})
    assert client.get("/my-teams").status_code == 200
    _refused(client.post("/logout"))
    assert client.get("/my-teams").status_code == 200


def test_language_without_csrf_token_is_refused(client, db_session, csrf_on):
    _refused(client.post("/language", data={"language": "en", "next": "/login"}))
    assert 'lang="nb"' in client.get("/login").get_data(as_text=True)


def test_csrf_message_in_english(client, db_session, csrf_on):
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"language": "en", "next": "/login", "csrf_token": token})
    response = client.post("/logout")
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


# --- no inline script or style -------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_have_no_inline_script_or_style(template):
    source = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(source), "inline <script>: move it to a file under static/"
    assert not STYLE_ELEMENT.search(source), "<style> element: move it to static/learnnet.css"
    assert not STYLE_ATTRIBUTE.search(source), "style= attribute: use a class in static/learnnet.css"
    assert not EVENT_HANDLER.search(source), "on…= handler: attach it from a script file"


def _pages(app, world) -> list[str]:
    """Every GET page without arguments, and those whose arguments the world can fill."""
    values = {"team_id": world.own_team.id, "network_id": world.network.id}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        if not rule.arguments <= values.keys():
            continue
        path = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        urls.append(path)
    return urls


def test_rendered_pages_have_no_inline_script_or_style(app, role_client):
    for url in _pages(app, role_client.world):
        response = role_client.client.get(url)
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(page), url
        assert not STYLE_ELEMENT.search(page), url
        assert not STYLE_ATTRIBUTE.search(page), url
        assert not EVENT_HANDLER.search(page), url


def test_rendered_pages_cover_the_app(app, world):
    assert {"/", "/login", "/my-teams", "/networks/", "/county/", f"/teams/{world.own_team.id}"} <= set(
        _pages(app, world)
    )


# --- reverse proxy -------------------------------------------------------------------------------


def _probe_app(monkeypatch, tmp_path, proxies: str | None):
    if proxies is None:
        monkeypatch.delenv("LEARNNET_PROXY_FIX", raising=False)
    else:
        monkeypatch.setenv("LEARNNET_PROXY_FIX", proxies)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/probe.sqlite3", "TESTING": True})

    @app.get("/probe")
    def probe():
        return f"{request.remote_addr} {request.scheme}"

    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_ignored_without_proxy_fix(monkeypatch, tmp_path):
    client = _probe_app(monkeypatch, tmp_path, None).test_client()
    assert client.get("/probe", headers=FORWARDED).get_data(as_text=True) == "127.0.0.1 http"


def test_proxy_fix_trusts_the_proxy(monkeypatch, tmp_path):
    client = _probe_app(monkeypatch, tmp_path, "1").test_client()
    assert client.get("/probe", headers=FORWARDED).get_data(as_text=True) == "203.0.113.7 https"


def test_proxy_fix_must_be_a_number(monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match="LEARNNET_PROXY_FIX"):
        _probe_app(monkeypatch, tmp_path, "yes")
