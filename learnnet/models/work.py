"""Change ideas a team tests (interventions) and the PDSA cycles under each."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.types import UTCDateTime, choice_check

if TYPE_CHECKING:
    from learnnet.models.networks import Team

PDSA_OUTCOMES = ("adopt", "adapt", "abandon")


class Intervention(db.Model):
    __tablename__ = "intervention"
    __table_args__ = (sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # A few words drawn beside the marker on the charts.
    short_label: Mapped[str] = mapped_column(sa.String(40), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[dt.date] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship(back_populates="interventions")
    cycles: Mapped[list[PdsaCycle]] = relationship(
        back_populates="intervention", order_by="PdsaCycle.number", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return self.short_label or self.title


class PdsaCycle(db.Model):
    __tablename__ = "pdsa_cycle"
    __table_args__ = (
        sa.UniqueConstraint("intervention_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("outcome IS NULL OR " + choice_check("outcome", PDSA_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        sa.ForeignKey("intervention.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer)
    plan: Mapped[str] = mapped_column(sa.Text, default="")
    do: Mapped[str] = mapped_column(sa.Text, default="")
    study: Mapped[str] = mapped_column(sa.Text, default="")
    act: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[dt.date] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    outcome: Mapped[str | None] = mapped_column(sa.String(10))

    intervention: Mapped[Intervention] = relationship(back_populates="cycles")
