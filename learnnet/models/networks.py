"""Learning networks, their learning sessions and the teams enrolled in them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnnet.extensions import db
from learnnet.models.types import choice_check
from measures.rules import RULE_SETS

if TYPE_CHECKING:
    from learnnet.models.accounts import User
    from learnnet.models.definitions import MeasureDefinition
    from learnnet.models.org import Region, Unit
    from learnnet.models.work import Intervention

NETWORK_STATUSES = ("planned", "active", "closed")
DEFAULT_REMINDER_DAY = 5

network_facilitator = sa.Table(
    "network_facilitator",
    db.metadata,
    sa.Column("network_id", sa.ForeignKey("network.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class Network(db.Model):
    __tablename__ = "network"
    __table_args__ = (
        sa.CheckConstraint(choice_check("status", NETWORK_STATUSES), name="status"),
        sa.CheckConstraint(choice_check("rule_set", RULE_SETS), name="rule_set"),
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("language IN ('nb', 'en')", name="language"),
        sa.CheckConstraint("reminder_day BETWEEN 1 AND 28", name="reminder_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    topic: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[dt.date] = mapped_column(sa.Date)
    end_date: Mapped[dt.date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    rule_set: Mapped[str] = mapped_column(sa.String(20), default="anhoej")
    # The language its measure definitions are written in.
    language: Mapped[str] = mapped_column(sa.String(5), default="nb")
    # The day of the next month on which a month's numbers are due: its teams are reminded then,
    # and again a week later when they have not entered it (learnnet/reminders/).
    reminder_day: Mapped[int] = mapped_column(
        sa.Integer, default=DEFAULT_REMINDER_DAY, server_default=str(DEFAULT_REMINDER_DAY)
    )

    region: Mapped[Region] = relationship(back_populates="networks")
    sessions: Mapped[list[LearningSession]] = relationship(
        back_populates="network", order_by="LearningSession.number", cascade="all, delete-orphan"
    )
    teams: Mapped[list[Team]] = relationship(
        back_populates="network", order_by="Team.name", cascade="all, delete-orphan"
    )
    measures: Mapped[list[MeasureDefinition]] = relationship(
        back_populates="network", order_by="MeasureDefinition.position", cascade="all, delete-orphan"
    )
    facilitators: Mapped[list[User]] = relationship(secondary=network_facilitator)

    def __repr__(self) -> str:
        return f"<Network {self.name}>"


class LearningSession(db.Model):
    __tablename__ = "learning_session"
    __table_args__ = (
        sa.UniqueConstraint("network_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    date: Mapped[dt.date] = mapped_column(sa.Date)
    title: Mapped[str] = mapped_column(sa.String(200), default="")

    network: Mapped[Network] = relationship(back_populates="sessions")


class Team(db.Model):
    """A unit's enrolment in a network."""

    __tablename__ = "team"
    __table_args__ = (sa.UniqueConstraint("network_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    aim: Mapped[str] = mapped_column(sa.Text, default="")

    network: Mapped[Network] = relationship(back_populates="teams")
    unit: Mapped[Unit] = relationship(back_populates="teams")
    interventions: Mapped[list[Intervention]] = relationship(
        back_populates="team", order_by="Intervention.start_date", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
