"""Reminders sent to a team's members that a month's numbers are due, or late."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.types import UTCDateTime, choice_check

if TYPE_CHECKING:
    from learnnet.models.accounts import User
    from learnnet.models.networks import Team

# "due" on the network's reminder day, "late" a week after it, "by_hand" when a facilitator sends one.
REMINDER_KINDS = ("due", "late", "by_hand")


class Reminder(db.Model):
    """One e-mail sent to one person about one team's month; never sent twice (the unique key)."""

    __tablename__ = "reminder"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "team_id", "period", "kind"),
        sa.CheckConstraint(choice_check("kind", REMINDER_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    period: Mapped[dt.date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(10))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Who sent it by hand; None for those `flask reminders send` sent.
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    team: Mapped[Team] = relationship()
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
