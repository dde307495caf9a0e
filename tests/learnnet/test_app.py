import pytest

from learnnet import create_app
from learnnet.config import ConfigError, from_environment


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"LEARNNET_ENV": "production"})


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "dev-only-not-secret")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"LEARNNET_ENV": "production"})


def test_production_with_secret_key_uses_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    app = create_app({"LEARNNET_ENV": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("prod.sqlite3")


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("LEARNNET_ENV", "staging")
    with pytest.raises(ConfigError, match="LEARNNET_ENV"):
        create_app()


@pytest.mark.parametrize(
    ("environ", "runner"),
    [
        ({}, "thread"),
        ({"LEARNNET_JOB_RUNNER": "worker"}, "worker"),
        ({"LEARNNET_PACK_RUNNER": "worker"}, "worker"),  # the old name
        ({"LEARNNET_JOB_RUNNER": "thread", "LEARNNET_PACK_RUNNER": "worker"}, "thread"),
    ],
)
def test_the_job_runner_is_set_by_its_name_or_its_old_name(tmp_path, environ, runner):
    assert from_environment(str(tmp_path), environ)["JOB_RUNNER"] == runner


def test_an_unknown_job_runner_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="LEARNNET_PACK_RUNNER must be thread or worker"):
        from_environment(str(tmp_path), {"LEARNNET_PACK_RUNNER": "celery"})


def test_database_url_defaults_to_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("LEARNNET_ENV", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.instance_path in app.config["SQLALCHEMY_DATABASE_URI"]


def test_postgres_urls_use_psycopg_3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/learnnet")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example:5432/learnnet"


def test_bootstrap_assets_are_served_locally(client):
    page = client.get("/login").get_data(as_text=True)
    assert "cdn." not in page
    assert "/bootstrap/static/" in page
    css = page.split('href="')[1].split('"')[0]
    with client.get(css) as response:
        assert response.status_code == 200
