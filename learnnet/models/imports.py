"""Uploaded import files, kept between the preview and the commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.jobs import JobColumns, state_check, state_column
from learnnet.models.types import UTCDateTime, choice_check

# The two jobs of an upload: checking it after the upload, saving it after the user confirmed it.
UPLOAD_WORK = ("check", "save")


class ImportUpload(JobColumns, db.Model):
    """A file a user uploaded to import, waiting for them to confirm it.

    Kept in the database, not on one server's disk or in its memory, because several app servers
    share one database and the confirming request may reach another server. ``key`` is the random
    name the confirm form sends back; it is only valid together with the same user. ``plan_digest``
    fingerprints what the preview showed, so a commit refuses when the data changed since.

    Checking the file and saving it are jobs (see :mod:`learnnet.jobs`): ``work`` says which one the
    upload is in, ``phase`` its state, and ``step``, ``rows_done`` and ``rows_total`` how far
    reading, checking or saving the file has come, committed chunk by chunk so any server can
    report it (see ``imports.status``).
    """

    __tablename__ = "import_upload"
    __table_args__ = (
        sa.CheckConstraint("(network_id IS NULL) <> (team_id IS NULL)", name="one_scope"),
        state_check("phase"),
        sa.CheckConstraint(choice_check("work", UPLOAD_WORK), name="work"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    plan_digest: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    work: Mapped[str] = mapped_column(sa.String(10), default="check", server_default="check")
    # A JobState; the step says what the job is doing: reading, checking, checked (waiting for the
    # user to confirm), queued (to be saved), saving, done, failed or stopped.
    phase: Mapped[str] = state_column()
    rows_done: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    rows_total: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # How saving ended ({"outcome": "done", "counts": {...}}), for the page that follows it.
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
