from __future__ import annotations

import pytest

from learnnet.api import auth as api_auth


@pytest.fixture
def token_for(app, db_session):
    """A live API token for a user: ``token_for(user)`` gives the headers to send."""

    def make(user) -> dict[str, str]:
        with app.test_request_context():
            _token, secret = api_auth.create_token(user, "test")
        db_session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make
