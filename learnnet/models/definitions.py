"""Measure templates (the library shipped with the app) and the measure definitions of a network."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.types import UTCDateTime, choice_check
from measures.choice import VALUE_KINDS
from measures.rules import DIRECTIONS
from measures.spc import CHART_KINDS

if TYPE_CHECKING:
    from learnnet.models.networks import Network

MEASURE_TYPES = ("outcome", "process", "balancing")
# Value kinds whose entry is a numerator over a denominator.
RATIO_KINDS = ("proportion", "rate")


class MeasureTemplate(db.Model):
    """A measure from the library; networks copy it into a :class:`MeasureDefinition`.

    ``texts`` holds the wording per language: ``{"nb": {...}, "en": {...}}`` with the keys
    name, short_name, numerator, denominator, inclusions, exclusions, notes.
    """

    __tablename__ = "measure_template"
    __table_args__ = (
        sa.CheckConstraint(choice_check("measure_type", MEASURE_TYPES), name="measure_type"),
        sa.CheckConstraint(choice_check("value_kind", VALUE_KINDS), name="value_kind"),
        sa.CheckConstraint(choice_check("direction", DIRECTIONS), name="direction"),
        sa.CheckConstraint("multiplier > 0", name="multiplier_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    topic: Mapped[str] = mapped_column(sa.String(60), index=True)
    measure_type: Mapped[str] = mapped_column(sa.String(20))
    value_kind: Mapped[str] = mapped_column(sa.String(20))
    multiplier: Mapped[float] = mapped_column(sa.Float, default=1.0)
    unit_label: Mapped[str] = mapped_column(sa.String(60), default="")
    direction: Mapped[str] = mapped_column(sa.String(4))
    default_chart: Mapped[str | None] = mapped_column(sa.String(8))
    # True where no national definition was found and the wording is the centre's own proposal.
    is_proposal: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    source: Mapped[str] = mapped_column(sa.Text, default="")
    texts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    def text(self, language: str, key: str) -> str:
        wording = self.texts.get(language) or self.texts.get("nb") or {}
        return wording.get(key, "")


class MeasureDefinition(db.Model):
    """A measure as one network uses it, with its operational definition."""

    __tablename__ = "measure_definition"
    __table_args__ = (
        sa.UniqueConstraint("network_id", "code"),
        sa.CheckConstraint(choice_check("measure_type", MEASURE_TYPES), name="measure_type"),
        sa.CheckConstraint(choice_check("value_kind", VALUE_KINDS), name="value_kind"),
        sa.CheckConstraint(choice_check("direction", DIRECTIONS), name="direction"),
        sa.CheckConstraint(
            "default_chart IS NULL OR " + choice_check("default_chart", CHART_KINDS),
            name="default_chart",
        ),
        sa.CheckConstraint("multiplier > 0", name="multiplier_positive"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("measure_template.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(60))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(80), default="")
    measure_type: Mapped[str] = mapped_column(sa.String(20))
    value_kind: Mapped[str] = mapped_column(sa.String(20))
    multiplier: Mapped[float] = mapped_column(sa.Float, default=1.0)
    unit_label: Mapped[str] = mapped_column(sa.String(60), default="")
    numerator: Mapped[str] = mapped_column(sa.Text, default="")
    denominator: Mapped[str] = mapped_column(sa.Text, default="")
    inclusions: Mapped[str] = mapped_column(sa.Text, default="")
    exclusions: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    is_proposal: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    direction: Mapped[str] = mapped_column(sa.String(4))
    # Target on the plotted scale (a proportion as 0–1 times multiplier, a rate per multiplier).
    target: Mapped[float | None] = mapped_column(sa.Float)
    default_chart: Mapped[str | None] = mapped_column(sa.String(8))
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    network: Mapped[Network] = relationship(back_populates="measures")
    template: Mapped[MeasureTemplate | None] = relationship()

    @property
    def is_ratio(self) -> bool:
        return self.value_kind in RATIO_KINDS

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<MeasureDefinition {self.code}>"
