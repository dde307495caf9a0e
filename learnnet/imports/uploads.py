"""An import file's way from the upload to the import: kept in the database, read and checked
after the request that brought it, previewed, confirmed, and saved after the confirming request
(see :mod:`learnnet.jobs`), its progress recorded on the upload for any server to report.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from flask_babel import force_locale
from sqlalchemy import and_ as sa_and
from sqlalchemy import delete, select, update
from sqlalchemy import or_ as sa_or

from learnnet import clock
from learnnet.extensions import db
from learnnet.imports.services import Scope, commit_import, plan_import, plan_summary
from learnnet.imports.tables import FileProblem, Table, read_table, to_csv
from learnnet.models import ImportUpload, Network, Team, User

log = logging.getLogger(__name__)
# Uploads not confirmed within this time are removed.
UPLOAD_LIFETIME = dt.timedelta(days=1)
# A check or save whose progress has not moved in this long died with its request.
STALLED_AFTER = dt.timedelta(minutes=15)


def start_upload(
    scope: Scope, user: User, filename: str, content: bytes, language: str = "nb"
) -> ImportUpload:
    """Keep an uploaded file as it came, before it is read, in the phase "reading".

    :func:`upload_read` replaces the content by the rows as CSV once the file could be read.
    """
    _forget_old_uploads(user)
    upload = ImportUpload(
        key=secrets.token_urlsafe(32),
        user_id=user.id,
        network_id=scope.network.id if scope.team is None else None,
        team_id=scope.team.id if scope.team is not None else None,
        filename=filename[:255],
        content=content,
        phase="reading",
        result={"language": language},
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def upload_read(upload: ImportUpload, table: Table) -> None:
    """The file could be read: keep its rows as CSV (an XLSX file is parsed only once)."""
    upload.content = to_csv(table)
    upload.rows_total = len(table.rows)
    upload.rows_done = 0
    upload.phase = "checking"
    upload.progress_at = clock.now()


def record_progress(upload: ImportUpload, phase: str, done: int, total: int) -> None:
    """Commit how far ``upload`` has come, so another request can report it.

    Loaded objects are not expired by this commit: a plan in the middle of its work keeps them.
    """
    upload.phase, upload.rows_done, upload.rows_total = phase, done, total
    upload.progress_at = clock.now()
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def is_ready(upload: ImportUpload, now: dt.datetime | None = None) -> bool:
    """Checked and waiting for the user, or left half-way by a request that died."""
    if upload.phase == "checked":
        return True
    moved = upload.progress_at or upload.created_at
    if moved is None:
        return False
    return (
        upload.phase in ("reading", "checking", "queued", "saving")
        and (now or clock.now()) - moved > STALLED_AFTER
    )


def check_upload(upload: ImportUpload) -> None:
    """Read and check an upload after the request that brought it; ``upload.result`` keeps the
    preview (see :func:`plan_summary`) in the uploader's language, or why the file cannot be read."""
    language = (upload.result or {}).get("language", "nb")
    try:
        with force_locale(language):
            record_progress(upload, "reading", 0, 0)
            try:
                table = read_table(upload.filename, upload.content)
            except FileProblem as problem:
                upload.result = {"outcome": "unreadable", "message": str(problem), "language": language}
                record_progress(upload, "failed", 0, 0)
                return
            upload_read(upload, table)
            db.session.commit()
            scope = upload_scope(upload)
            plan = plan_import(
                scope, table, lambda done, all_: record_progress(upload, "checking", done, all_)
            )
            upload.plan_digest = plan.digest
            upload.result = {"outcome": "checked", "preview": plan_summary(plan), "language": language}
            record_progress(upload, "checked", len(table.rows), len(table.rows))
    except Exception:  # the page must say it failed, never wait for ever
        log.exception("checking import upload %s failed", upload.id)
        db.session.rollback()
        upload.result = {"outcome": "error", "language": language}
        record_progress(upload, "failed", upload.rows_done, upload.rows_total)


def check_upload_by_id(upload_id: int) -> None:
    upload = db.session.get(ImportUpload, upload_id)
    if upload is not None:
        check_upload(upload)


def save_upload(upload: ImportUpload) -> None:
    """Check a confirmed upload again and write it, all rows or none; ``upload.result`` says how it ended.

    Runs after the confirming request (see :func:`jobs.start`). Progress is committed as it goes;
    the rows themselves are written in one transaction.
    """
    try:
        scope = upload_scope(upload)
        user = db.session.get(User, upload.user_id)
        table = kept_table(upload)
        total = len(table.rows)
        plan = plan_import(scope, table, lambda done, all_: record_progress(upload, "checking", done, all_))
        if plan.errors or plan.digest != upload.plan_digest:
            # Someone saved some of these months after the preview: the user must look again.
            upload.plan_digest = plan.digest
            upload.result = {**(upload.result or {}), "outcome": "changed"}
            record_progress(upload, "checked", total, total)
            return
        record_progress(upload, "saving", 0, len(plan.changes))
        result = commit_import(scope, plan, user, filename=upload.filename)
        if result.status != "done":
            db.session.rollback()
            upload.result = {**(upload.result or {}), "outcome": "conflict"}
            record_progress(upload, "failed", 0, len(plan.changes))
            return
        upload.result = {**(upload.result or {}), "outcome": "done", "counts": result.counts}
        record_progress(upload, "done", len(plan.changes), len(plan.changes))
    except Exception:  # the page must say it failed, never wait for ever
        log.exception("saving import upload %s failed", upload.id)
        db.session.rollback()
        upload.result = {**(upload.result or {}), "outcome": "error"}
        record_progress(upload, "failed", upload.rows_done, upload.rows_total)


def save_upload_by_id(upload_id: int) -> None:
    upload = db.session.get(ImportUpload, upload_id)
    if upload is not None:
        save_upload(upload)


def claim_next_upload() -> tuple[str, ImportUpload] | None:
    """Take the oldest upload waiting to be checked ("check") or saved ("save"), as (work, upload);
    safe with several workers. An upload waiting to be checked is "reading" with no progress yet."""
    waiting = sa_or(
        ImportUpload.phase == "queued",
        sa_and(ImportUpload.phase == "reading", ImportUpload.progress_at.is_(None)),
    )
    while True:
        found = db.session.execute(
            select(ImportUpload.id, ImportUpload.phase).where(waiting).order_by(ImportUpload.id).limit(1)
        ).first()
        if found is None:
            return None
        claimed = db.session.execute(
            update(ImportUpload)
            .where(ImportUpload.id == found.id, waiting)
            .values(
                phase="checking" if found.phase == "queued" else "reading",
                rows_done=0,
                progress_at=clock.now(),
            )
        ).rowcount
        db.session.commit()
        if claimed:
            return ("save" if found.phase == "queued" else "check"), db.session.get(ImportUpload, found.id)


def progress_of(upload: ImportUpload) -> dict:
    total = upload.rows_total
    return {
        "phase": upload.phase,
        "rows_done": upload.rows_done,
        "rows_total": total,
        "percent": 100
        if upload.phase in ("checked", "done")
        else (int(100 * upload.rows_done / total) if total else 0),
        "finished": upload.phase in ("checked", "done", "failed"),
    }


def _forget_old_uploads(user: User) -> None:
    db.session.execute(
        delete(ImportUpload).where(
            ImportUpload.user_id == user.id, ImportUpload.created_at < clock.now() - UPLOAD_LIFETIME
        )
    )


def kept_table(upload: ImportUpload) -> Table:
    return read_table("kept.csv", upload.content)


def find_upload(key: str, user: User) -> ImportUpload | None:
    """The user's own upload with this key, if it is still there."""
    upload = db.session.scalar(select(ImportUpload).where(ImportUpload.key == key))
    if upload is None or upload.user_id != user.id or upload.created_at < clock.now() - UPLOAD_LIFETIME:
        return None
    return upload


def upload_scope(upload: ImportUpload) -> Scope:
    if upload.team_id is not None:
        team = db.session.get(Team, upload.team_id)
        return Scope(team.network, team)
    return Scope(db.session.get(Network, upload.network_id))
