from learnnet.models import AuditEvent, User
from tests.learnnet import factories as f


def test_login_page_is_norwegian_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Logg inn" in page
    assert 'lang="nb"' in page


def test_language_can_be_switched_to_english(client):
    client.post("/language", data={"language": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page
    assert 'lang="en"' in page


def test_wrong_password_is_refused_with_a_message(client, auth, db_session):
    user = f.UserFactory()
    response = auth.login(user, "not the password")
    assert response.status_code == 200
    assert "Feil e-post eller passord" in response.get_data(as_text=True)
    assert client.get("/my-teams").status_code == 302


def test_login_and_logout(client, auth, db_session):
    user = f.UserFactory(email="Kari@Example.no")
    response = auth.login("kari@example.no")
    assert response.status_code == 302
    assert client.get("/my-teams").status_code == 200
    assert db_session.scalars(
        db_session.query(AuditEvent).filter_by(action="login", user_id=user.id).statement
    ).first()
    auth.logout()
    assert client.get("/my-teams").status_code == 302


def test_inactive_user_cannot_log_in(client, auth, db_session):
    user = f.UserFactory(active=False)
    auth.login(user)
    assert client.get("/my-teams").status_code == 302


def test_password_is_stored_hashed(db_session):
    user = f.UserFactory(password="a long secret phrase")
    assert "a long secret phrase" not in user.password_hash
    assert user.check_password("a long secret phrase")
    assert not user.check_password("a long secret phrasE")


def test_next_only_leads_within_the_site(client, db_session):
    user = f.UserFactory()
    response = client.post(
        "/login", data={"email": user.email, "password": f.PASSWORD, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_users_create_cli(runner, db_session):
    unit = f.UnitFactory(name="Tjøme omsorgssenter")
    db_session.flush()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ola@Example.no",
            "--name",
            "Ola Nordmann",
            "--role",
            "team_member",
            "--password",
            "a long secret phrase",
            "--unit",
            "Tjøme omsorgssenter",
            "--lead",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(db_session.query(User).filter_by(email="ola@example.no").statement)
    assert user.role == "team_member"
    assert user.check_password("a long secret phrase")
    assert [(m.unit_id, m.is_lead) for m in user.memberships] == [(unit.id, True)]


def test_users_create_cli_refuses_a_weak_password(runner, db_session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.no",
            "--name",
            "A",
            "--role",
            "viewer",
            "--password",
            "1234567890",
        ]
    )
    assert result.exit_code != 0
    assert "too simple" in result.output


def test_users_create_cli_refuses_a_duplicate(runner, db_session):
    f.UserFactory(email="dup@example.no")
    db_session.flush()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "dup@example.no",
            "--name",
            "A",
            "--role",
            "viewer",
            "--password",
            "a long secret phrase",
        ]
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
