"""Monthly measurements with their history, and the chart settings of a team's measure."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.types import UTCDateTime, choice_check
from measures.spc import CHART_KINDS

if TYPE_CHECKING:
    from learnnet.models.accounts import User
    from learnnet.models.definitions import MeasureDefinition  # noqa: F401
    from learnnet.models.networks import Team

HISTORY_ACTIONS = ("create", "update", "delete", "restore")


class Measurement(db.Model):
    """One team's value of one measure for one month (``period`` is the month's first day).

    ``version`` counts saves, for optimistic locking: a save names the version it started from. A
    deleted value keeps its row with ``deleted_at`` set, so it can be restored.
    """

    __tablename__ = "measurement"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "measure_id", "period"),
        sa.CheckConstraint("numerator IS NULL OR numerator >= 0", name="numerator_non_negative"),
        sa.CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "numerator IS NOT NULL OR value IS NOT NULL OR deleted_at IS NOT NULL",
            name="has_value",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measure_definition.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[dt.date] = mapped_column(sa.Date)
    numerator: Mapped[int | None] = mapped_column(sa.Integer)
    denominator: Mapped[int | None] = mapped_column(sa.Integer)
    value: Mapped[float | None] = mapped_column(sa.Float)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()
    measure: Mapped[MeasureDefinition] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    history: Mapped[list[MeasurementHistory]] = relationship(
        back_populates="measurement",
        order_by="MeasurementHistory.changed_at.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class SeriesVersion(db.Model):
    """How many times one team's series of one measure has changed: every save, import, delete or
    restore of one of its months raises ``version`` (``learnnet.measurements.recording.save_many``). Whatever is
    derived from the series (its analysis, its chart) is keyed by this number, so nothing derived
    from an older state of the series is ever shown, on whichever server it was kept."""

    __tablename__ = "series_version"
    __table_args__ = (sa.CheckConstraint("version >= 1", name="version_positive"),)

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measure_definition.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    # When the series first changed: with the ids and the version it names one state of one series
    # for good, also where SQLite gives a new team or measure the id of a deleted one.
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class MeasurementHistory(db.Model):
    """Every saved state of a measurement, with who saved it and when."""

    __tablename__ = "measurement_history"
    __table_args__ = (sa.CheckConstraint(choice_check("action", HISTORY_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measurement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measurement.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(10))
    version: Mapped[int] = mapped_column(sa.Integer)
    numerator: Mapped[int | None] = mapped_column(sa.Integer)
    denominator: Mapped[int | None] = mapped_column(sa.Integer)
    value: Mapped[float | None] = mapped_column(sa.Float)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    measurement: Mapped[Measurement] = relationship(back_populates="history")
    changed_by: Mapped[User | None] = relationship()


class ChartSettings(db.Model):
    """How one team's chart of one measure is drawn; seen by everyone who sees the chart."""

    __tablename__ = "chart_settings"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "measure_id"),
        sa.CheckConstraint(
            "chart_kind IS NULL OR " + choice_check("chart_kind", CHART_KINDS),
            name="chart_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measure_definition.id", ondelete="CASCADE"), index=True
    )
    # None: chosen from the measure's value kind.
    chart_kind: Mapped[str | None] = mapped_column(sa.String(8))
    # The last month of the baseline; centre line and limits come from months up to it.
    freeze_period: Mapped[dt.date | None] = mapped_column(sa.Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    phases: Mapped[list[ChartPhase]] = relationship(
        back_populates="settings", order_by="ChartPhase.start_period", cascade="all, delete-orphan"
    )
    exclusions: Mapped[list[ChartExclusion]] = relationship(
        back_populates="settings", order_by="ChartExclusion.period", cascade="all, delete-orphan"
    )


class ChartPhase(db.Model):
    """A new phase of a chart starts in ``start_period``, with its own centre line and limits."""

    __tablename__ = "chart_phase"
    __table_args__ = (sa.UniqueConstraint("settings_id", "start_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    settings_id: Mapped[int] = mapped_column(
        sa.ForeignKey("chart_settings.id", ondelete="CASCADE"), index=True
    )
    start_period: Mapped[dt.date] = mapped_column(sa.Date)
    label: Mapped[str] = mapped_column(sa.String(120), default="")

    settings: Mapped[ChartSettings] = relationship(back_populates="phases")


class ChartExclusion(db.Model):
    """A month left out of the centre line and limits, with the reason why."""

    __tablename__ = "chart_exclusion"
    __table_args__ = (sa.UniqueConstraint("settings_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    settings_id: Mapped[int] = mapped_column(
        sa.ForeignKey("chart_settings.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[dt.date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)

    settings: Mapped[ChartSettings] = relationship(back_populates="exclusions")
