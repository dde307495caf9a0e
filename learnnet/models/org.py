"""The organisation: county (region) → municipality → unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnnet.extensions import db
from learnnet.models.types import choice_check

if TYPE_CHECKING:
    from learnnet.models.networks import Network, Team

UNIT_KINDS = ("nursing_home_ward", "home_care_district", "supported_housing", "short_term_ward", "other")
# What a unit's size counts: beds in a ward, service users in home care.
SIZE_KINDS = ("beds", "service_users")


class Region(db.Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="region", order_by="Municipality.name"
    )
    networks: Mapped[list[Network]] = relationship(back_populates="region")

    def __repr__(self) -> str:
        return f"<Region {self.name}>"


class Municipality(db.Model):
    __tablename__ = "municipality"
    __table_args__ = (sa.UniqueConstraint("region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Statistics Norway's four-digit municipality number, where known.
    number: Mapped[str | None] = mapped_column(sa.String(4))
    # Raised by every change (the mapper's version counter): the organisation pages refuse a save
    # made from an older version (learnnet/admin/organisation.py).
    version: Mapped[int] = mapped_column(sa.Integer, server_default="1")

    region: Mapped[Region] = relationship(back_populates="municipalities")
    units: Mapped[list[Unit]] = relationship(back_populates="municipality", order_by="Unit.name")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Municipality {self.name}>"


class Unit(db.Model):
    """A nursing-home ward, home-care district or other unit that can join a network."""

    __tablename__ = "unit"
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "name"),
        sa.CheckConstraint(choice_check("kind", UNIT_KINDS), name="kind"),
        sa.CheckConstraint(choice_check("size_kind", SIZE_KINDS), name="size_kind"),
        sa.CheckConstraint("size IS NULL OR size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int | None] = mapped_column(sa.Integer)
    size_kind: Mapped[str] = mapped_column(sa.String(20), default="beds")
    # Raised by every change (the mapper's version counter): the organisation pages refuse a save
    # made from an older version (learnnet/admin/organisation.py).
    version: Mapped[int] = mapped_column(sa.Integer, server_default="1")

    municipality: Mapped[Municipality] = relationship(back_populates="units")
    teams: Mapped[list[Team]] = relationship(back_populates="unit")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"
