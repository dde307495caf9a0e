"""Learning-session packs: the PDF, the PNG ZIP and the PowerPoint presentation of a session's
charts, built in the background.

The row is the whole state of a build (a job, see :mod:`learnnet.jobs`), so any web worker or
server can report its progress and serve the finished files: nothing about a build lives in a
process's memory.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.jobs import FINISHED, JobColumns, state_check, state_column
from learnnet.models.types import UTCDateTime

if TYPE_CHECKING:
    from learnnet.models.accounts import User
    from learnnet.models.networks import LearningSession


class SessionPack(JobColumns, db.Model):
    __tablename__ = "session_pack"
    __table_args__ = (
        state_check("status"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.CheckConstraint("language IN ('nb', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_session.id", ondelete="CASCADE"), index=True
    )
    # A JobState; its step says what the build is doing (collecting, drawing, ...).
    status: Mapped[str] = state_column()
    progress: Mapped[int] = mapped_column(sa.Integer, default=0)
    language: Mapped[str] = mapped_column(sa.String(5), default="nb")
    # The last month of data in the pack (the month before the session).
    data_until: Mapped[dt.date] = mapped_column(sa.Date)
    # What the facilitator chose to put in (teams, measures in order, a text per team), as
    # PackChoice.as_json() gives it; None for a pack made before there was a choice: everything.
    choice: Mapped[dict | None] = mapped_column(sa.JSON)
    # SHA-256 of what was asked for (the session, the choice, the language and the version of every
    # series drawn): pressing the button again for the same content finds this pack.
    request_key: Mapped[str | None] = mapped_column(sa.String(64))
    # SHA-256 of everything drawn: the same hash means the same files.
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    png_zip: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # None for a pack made before presentations were made
    pptx: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    pdf_size: Mapped[int | None] = mapped_column(sa.Integer)
    zip_size: Mapped[int | None] = mapped_column(sa.Integer)
    pptx_size: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[LearningSession] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
