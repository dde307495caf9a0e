"""Users, their roles and their memberships in units."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.types import UTCDateTime, choice_check

if TYPE_CHECKING:
    from learnnet.models.org import Unit

# From most to least power. A team member works in the teams of their units; a viewer reads.
ROLES = ("admin", "centre", "facilitator", "team_member", "viewer")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint(choice_check("role", ROLES), name="role"),
        sa.CheckConstraint("language IS NULL OR language IN ('nb', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20))
    language: Mapped[str | None] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # E-mail reminders when a team's month is due; each person may turn them off.
    reminders: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When an administrator last changed the account (set by learnnet/admin/users.py, not by a
    # log-in): a save from an older form is refused by it, and sessions opened before it end
    # (get_id).
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)

    memberships: Mapped[list[UnitMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login asks this; a deactivated account cannot log in.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """What a session (and a "keep me logged in" cookie) keeps of the user: the id and a mark
        of the password and of the administrator's last change to the account, so that a new
        password, or an account stopped (and perhaps started again), ends every session opened
        before."""
        return f"{self.id}:{self.session_mark}"

    @property
    def session_mark(self) -> str:
        changed = self.changed_at.isoformat() if self.changed_at else ""
        return hashlib.sha256(f"{self.password_hash}|{changed}".encode()).hexdigest()[:16]

    def set_password(self, password: str) -> None:
        # Tests set a cheap method; production keeps werkzeug's default (scrypt).
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def unit_ids(self) -> set[int]:
        return {m.unit_id for m in self.memberships}

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UnitMembership(db.Model):
    """A user works in a unit; ``is_lead`` marks the team lead, who may change chart settings."""

    __tablename__ = "unit_membership"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    is_lead: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship()
