"""Failed log-in attempts, counted by the login throttle (:mod:`learnnet.auth.throttle`).

Kept in the database rather than in process memory, because several gunicorn workers on several
servers share one PostgreSQL and must see the same count.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.types import UTCDateTime


class FailedLogin(db.Model):
    """One refused log-in: the e-mail address tried (whether or not it has an account) and from where."""

    __tablename__ = "failed_login"
    __table_args__ = (
        sa.Index("ix_failed_login_email_at", "email", "at"),
        sa.Index("ix_failed_login_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<FailedLogin {self.email} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}>"
