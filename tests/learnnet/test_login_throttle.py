"""The login throttle: per account and per client address, kept in the database."""

from __future__ import annotations

import datetime as dt

import pytest

from learnnet import clock, create_app
from learnnet.auth import throttle
from learnnet.models import FailedLogin
from tests.learnnet import factories as f

WRONG = "not the password at all"


def _fail(client, email: str, times: int, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        response = client.post(
            "/login", data={"email": email, "password": WRONG}, environ_base={"REMOTE_ADDR": address}
        )
        assert response.status_code == 200
        assert "Feil e-post eller passord" in response.get_data(as_text=True)


def _login(client, email: str, address: str = "127.0.0.1"):
    return client.post(
        "/login", data={"email": email, "password": f.PASSWORD}, environ_base={"REMOTE_ADDR": address}
    )


def _refused(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert "For mange mislykkede innloggingsforsøk" in response.get_data(as_text=True)


def test_five_failures_block_the_account_even_with_the_right_password(client, db_session):
    user = f.UserFactory()
    _fail(client, user.email, 5)
    _refused(_login(client, user.email))
    assert client.get("/my-teams").status_code == 302
    assert db_session.get(type(user), user.id).last_login_at is None


def test_four_failures_do_not_block(client, db_session):
    user = f.UserFactory()
    _fail(client, user.email, 4)
    assert _login(client, user.email).status_code == 302


def test_the_account_block_holds_from_another_address(client, db_session):
    user = f.UserFactory()
    _fail(client, user.email, 5, address="198.51.100.1")
    _refused(_login(client, user.email, address="198.51.100.2"))


def test_the_account_key_ignores_case_and_spaces(client, db_session):
    f.UserFactory(email="kari@example.no")
    _fail(client, "Kari@Example.no", 3)
    _fail(client, " KARI@example.no ", 2)
    _refused(_login(client, "kari@example.no"))


def test_unknown_accounts_are_throttled_alike(client, db_session):
    _fail(client, "nobody@example.no", 5)
    _refused(client.post("/login", data={"email": "nobody@example.no", "password": WRONG}))


def test_twenty_failures_from_one_address_block_it(client, db_session):
    user = f.UserFactory()
    for k in range(20):
        _fail(client, f"guess{k}@example.no", 1, address="203.0.113.9")
    _refused(_login(client, user.email, address="203.0.113.9"))
    assert _login(client, user.email, address="203.0.113.10").status_code == 302


def test_failures_older_than_the_window_do_not_count(client, db_session):
    user = f.UserFactory()
    old = clock.now() - dt.timedelta(minutes=16)
    db_session.add_all(FailedLogin(at=old, email=user.email, address="127.0.0.1") for _ in range(5))
    db_session.flush()
    assert _login(client, user.email).status_code == 302


def test_the_wait_is_until_the_oldest_counted_failure_leaves_the_window(client, db_session):
    user = f.UserFactory()
    now = clock.now()
    db_session.add_all(
        FailedLogin(at=now - dt.timedelta(minutes=minutes), email=user.email, address="10.0.0.1")
        for minutes in (10, 9, 8, 7, 6)
    )
    db_session.flush()
    response = _login(client, user.email)
    _refused(response)
    assert 4 * 60 < int(response.headers["Retry-After"]) <= 5 * 60 + 1
    assert "Vent 5 minutter" in response.get_data(as_text=True)


def test_message_in_english(client, db_session):
    client.post("/language", data={"language": "en", "next": "/login"})
    failures = [client.post("/login", data={"email": "a@example.no", "password": WRONG}) for _ in range(5)]
    assert all(r.status_code == 200 for r in failures)
    response = client.post("/login", data={"email": "a@example.no", "password": WRONG})
    assert response.status_code == 429
    assert "Too many failed log-in attempts. Please wait 15 minutes" in response.get_data(as_text=True)


def test_a_successful_login_clears_the_account_failures(client, auth, db_session):
    user = f.UserFactory()
    _fail(client, user.email, 4)
    assert _login(client, user.email).status_code == 302
    auth.logout()
    _fail(client, user.email, 4)
    assert _login(client, user.email).status_code == 302


def test_failures_are_kept_in_the_database(client, db_session):
    _fail(client, "Someone@example.no", 2, address="192.0.2.5")
    rows = db_session.query(FailedLogin).all()
    assert [(r.email, r.address) for r in rows] == [("someone@example.no", "192.0.2.5")] * 2
    assert all(r.at.tzinfo is not None for r in rows)


def test_old_failures_are_pruned(client, db_session):
    db_session.add(FailedLogin(at=clock.now() - dt.timedelta(days=2), email="x@example.no", address="1.2.3.4"))
    db_session.flush()
    _fail(client, "y@example.no", 1)
    assert [r.email for r in db_session.query(FailedLogin).all()] == ["y@example.no"]


@pytest.mark.parametrize("reason", ["account", "address"])
def test_limit_zero_turns_that_limit_off(db_session, reason):
    limits = throttle.ThrottleLimits(
        per_account=0 if reason == "account" else 5,
        per_address=0 if reason == "address" else 20,
        window=dt.timedelta(minutes=15),
    )
    now = clock.now()
    for _ in range(30):
        throttle.record_failure(db_session, "z@example.no", "10.1.1.1", now, limits)
    block = throttle.login_block(db_session, "z@example.no", "10.1.1.1", limits, now)
    assert block is not None and block.reason != reason


def test_limits_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNNET_LOGIN_FAILURES_PER_ACCOUNT", "3")
    monkeypatch.setenv("LEARNNET_LOGIN_FAILURE_WINDOW", "600")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    limits = throttle.ThrottleLimits.from_config(app.config)
    assert limits == throttle.ThrottleLimits(3, 20, dt.timedelta(minutes=10))


def test_users_unlock_cli(client, runner, db_session):
    user = f.UserFactory()
    _fail(client, user.email, 5)
    result = runner.invoke(args=["users", "unlock", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert "5 failed log-in(s) forgotten" in result.output
    assert _login(client, user.email).status_code == 302


def test_users_set_password_cli_applies_the_policy(runner, db_session):
    user = f.UserFactory()
    weak = runner.invoke(args=["users", "set-password", user.email, "--password", "1234567890"])
    assert weak.exit_code != 0 and "too simple" in weak.output
    result = runner.invoke(args=["users", "set-password", user.email, "--password", "a new long phrase"])
    assert result.exit_code == 0, result.output
    db_session.refresh(user)
    assert user.check_password("a new long phrase")
    missing = runner.invoke(
        args=["users", "set-password", "nobody@example.no", "--password", "a new long phrase"]
    )
    assert missing.exit_code != 0 and "no user" in missing.output
