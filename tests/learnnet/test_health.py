"""The liveness and readiness probes."""

from __future__ import annotations

import pytest

from learnnet import create_app
from learnnet.extensions import db


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in response.headers


@pytest.fixture(
    params=[
        "sqlite:////nonexistent-folder/learnnet/closed.sqlite3",
        "postgresql+psycopg://nobody@127.0.0.1:1/learnnet?connect_timeout=2",
    ],
    ids=["sqlite", "postgresql"],
)
def app_without_database(request):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": request.param})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_readyz_is_503_with_json_when_the_database_is_down(app_without_database):
    response = app_without_database.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_healthz_needs_no_database(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 200


def test_probes_need_no_login_and_no_csrf_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.head("/healthz").status_code == 200
