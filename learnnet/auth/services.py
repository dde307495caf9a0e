from __future__ import annotations

from sqlalchemy import func, select

from learnnet import clock
from learnnet.extensions import db
from learnnet.models import User


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = clock.now()
    return user
