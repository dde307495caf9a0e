from __future__ import annotations

from flask import current_app, request
from flask_login import login_user
from flask_login.config import COOKIE_NAME
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


def relogin(user: User) -> None:
    """After a change that ends the user's sessions (a new password, an administrator's change),
    made by the user: this session (and its "keep me logged in" cookie, if it has one) goes on,
    marked anew; the others end."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    login_user(user, remember=cookie in request.cookies)
