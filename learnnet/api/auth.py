"""Personal API tokens: made, checked and revoked here. Only a token's SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select

from learnnet import audit, clock
from learnnet.errors import ApiError
from learnnet.extensions import db
from learnnet.models import ApiToken, User

SECRET_PREFIX = "lnt_"
# A new token works this many days unless its maker chooses otherwise: a leaked token stops
# working on its own.
DEFAULT_DAYS = 365
# last_used_at is written at most this often per token, so reading the API rarely writes.
USE_RESOLUTION = dt.timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for ``user`` that works for ``days`` days; the secret is returned once and never
    stored."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[:12],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        user,
        "api_token.create",
        token,
        after={"name": name, "prefix": token.prefix, "expires_at": token.expires_at.date().isoformat()},
    )
    return token, secret


def revoke_token(token: ApiToken, user: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record(user, "api_token.revoke", token, after={"name": token.name, "prefix": token.prefix})
        db.session.flush()


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_for_secret(secret: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))


def live_user(token: ApiToken | None) -> User | None:
    """The active user a live token belongs to (its use recorded); None for no token, or a
    revoked, expired or disabled one."""
    if token is None or not token.is_active or not token.user.active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        # Committed with the request's other work at its boundary (see the API's after_request);
        # a GET on PostgreSQL has no transaction, and its statement commits it at once.
        token.last_used_at = now
        db.session.flush()
    return token.user


def require_user() -> User:
    """The user of the request's bearer token; a session cookie is not enough for the API."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401, "unauthorized", _("Send your API token in the header: Authorization: Bearer <token>.")
        )
    token = token_for_secret(secret.strip())
    user = live_user(token)
    if user is None:
        if token is not None and token.revoked_at is None and token.is_expired:
            raise ApiError(
                401, "unauthorized", _("The API token has expired. Make a new one on the API tokens page.")
            )
        raise ApiError(401, "unauthorized", _("The API token is not valid, or it has been revoked."))
    return user
