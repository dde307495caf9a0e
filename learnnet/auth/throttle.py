"""The login throttle: too many failed log-ins for one account, or from one address, and the
login form refuses for a while without looking at the password.

Failed attempts are rows in the database (:class:`~learnnet.models.FailedLogin`), so every
gunicorn worker on every server counts the same attempts. Attempts for e-mail addresses without
an account count too, so the answer never tells whether an account exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from learnnet.models import FailedLogin

# Failed attempts are kept this long at least, for whoever looks into an attack.
RETENTION = dt.timedelta(days=1)


@dataclass(frozen=True)
class ThrottleLimits:
    """Failed attempts allowed within ``window``; 0 turns that limit off."""

    per_account: int
    per_address: int
    window: dt.timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottleLimits:
        return cls(
            per_account=config["LOGIN_FAILURES_PER_ACCOUNT"],
            per_address=config["LOGIN_FAILURES_PER_ADDRESS"],
            window=dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW"]),
        )


@dataclass(frozen=True)
class LoginBlock:
    """Why log-ins are refused (``"account"`` or ``"address"``), and for how long still."""

    reason: str
    retry_after: dt.timedelta

    @property
    def minutes(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


def account_key(email: str) -> str:
    return email.strip().lower()[:254]


def address_key(address: str | None) -> str:
    return (address or "unknown")[:64]


def login_block(
    session: Session, email: str, address: str | None, limits: ThrottleLimits, now: dt.datetime
) -> LoginBlock | None:
    """The block on this account or address at ``now``, the longer one if both; else None."""
    since = now - limits.window
    checks = (
        ("account", FailedLogin.email == account_key(email), limits.per_account),
        ("address", FailedLogin.address == address_key(address), limits.per_address),
    )
    blocks = []
    for reason, condition, limit in checks:
        if limit <= 0:
            continue
        # The limit-th most recent failure in the window: while it is inside, the limit is reached,
        # and it leaves the window first of those that make up the limit.
        nth = session.scalar(
            select(FailedLogin.at)
            .where(condition, FailedLogin.at > since)
            .order_by(FailedLogin.at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        if nth is not None:
            blocks.append(LoginBlock(reason, nth + limits.window - now))
    return max(blocks, key=lambda block: block.retry_after, default=None)


def record_failure(
    session: Session, email: str, address: str | None, now: dt.datetime, limits: ThrottleLimits
) -> None:
    """Count one failed log-in, and forget those too old to matter."""
    session.add(FailedLogin(at=now, email=account_key(email), address=address_key(address)))
    session.execute(delete(FailedLogin).where(FailedLogin.at < now - max(limits.window, RETENTION)))
    session.flush()


def forget_failures(session: Session, email: str) -> int:
    """Clear the account's failed attempts (after a successful log-in, or by an administrator).

    The address's count stays: one valid account must not reset an attacker's address.
    """
    result = session.execute(delete(FailedLogin).where(FailedLogin.email == account_key(email)))
    session.flush()
    return result.rowcount


@dataclass(frozen=True)
class BlockedAddress:
    """A client address the throttle refuses now (often a whole ward behind one router)."""

    address: str
    failures: int
    block: LoginBlock


def blocked_addresses(session: Session, limits: ThrottleLimits, now: dt.datetime) -> list[BlockedAddress]:
    """Every address that has reached its limit within the window, the longest block first."""
    if limits.per_address <= 0:
        return []
    counts = session.execute(
        select(FailedLogin.address, func.count())
        .where(FailedLogin.at > now - limits.window)
        .group_by(FailedLogin.address)
        .having(func.count() >= limits.per_address)
    ).all()
    found = []
    for address, failures in counts:
        block = login_block(session, "", address, ThrottleLimits(0, limits.per_address, limits.window), now)
        if block is not None:
            found.append(BlockedAddress(address, failures, block))
    return sorted(found, key=lambda blocked: blocked.block.retry_after, reverse=True)


def forget_address(session: Session, address: str) -> int:
    """Clear an address's failed attempts (by an administrator who knows whose address it is)."""
    result = session.execute(delete(FailedLogin).where(FailedLogin.address == address_key(address)))
    session.flush()
    return result.rowcount
