"""An import file's way from the upload to the import: kept in the database, read and checked
after the request that brought it, previewed, confirmed, and saved after the confirming request.

Checking and saving are the two works of one kind of job (:data:`JOB`, see :mod:`learnnet.jobs`),
their progress recorded on the upload for any server to report.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import force_locale
from sqlalchemy import delete, select

from learnnet import clock, jobs
from learnnet.extensions import db
from learnnet.imports.services import Scope, commit_import, plan_import, plan_summary
from learnnet.imports.tables import FileProblem, Table, read_table, to_csv
from learnnet.models import ImportUpload, JobState, Network, Team, User
from learnnet.models.jobs import FINISHED, STOPPED

# Uploads not confirmed within this time are removed.
UPLOAD_LIFETIME = dt.timedelta(days=1)


def start_upload(
    scope: Scope, user: User, filename: str, content: bytes, language: str = "nb"
) -> ImportUpload:
    """Keep an uploaded file as it came, to be read and checked after this request (step "reading").

    :func:`check_upload` replaces the content by the rows as CSV once the file is checked.
    """
    _forget_old_uploads(user)
    upload = ImportUpload(
        key=secrets.token_urlsafe(32),
        user_id=user.id,
        network_id=scope.network.id if scope.team is None else None,
        team_id=scope.team.id if scope.team is not None else None,
        filename=filename[:255],
        content=content,
        work="check",
        phase=JobState.QUEUED,
        step="reading",
        result={"language": language},
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def is_ready(upload: ImportUpload) -> bool:
    """Checked and waiting for the user, or a save of it that stopped before it finished."""
    if upload.step == "checked":
        return True
    return upload.work == "save" and JOB.stopped(upload)


def _checking(report: jobs.Reporter):
    """Tells ``report`` how many rows are checked, as :func:`plan_import` goes."""
    return lambda done, total: report(step="checking", rows_done=done, rows_total=total)


def check_upload(upload: ImportUpload, report: jobs.Reporter) -> JobState:
    """Read and check an upload after the request that brought it; ``upload.result`` keeps the
    preview (see :func:`plan_summary`) in the uploader's language, or why the file cannot be read."""
    language = (upload.result or {}).get("language", "nb")
    with force_locale(language):
        report(step="reading", rows_done=0, rows_total=0)
        try:
            table = read_table(upload.filename, upload.content)
        except FileProblem as problem:
            upload.result = {"outcome": "unreadable", "message": str(problem), "language": language}
            upload.step = "failed"
            return JobState.FAILED
        scope = upload_scope(upload)
        plan = plan_import(scope, table, _checking(report))
        # The rows are kept as CSV, so an XLSX file is parsed only once; not before the check has
        # finished, so that a worker taking over a check reads the file as it came.
        upload.content = to_csv(table)
        upload.plan_digest = plan.digest
        upload.result = {"outcome": "checked", "preview": plan_summary(plan), "language": language}
        upload.step, upload.rows_done, upload.rows_total = "checked", len(table.rows), len(table.rows)
    return JobState.DONE


def queue_save(upload: ImportUpload, changes: int) -> None:
    """The user has confirmed the upload: it is saved after this request, as a job of its own."""
    upload.work, upload.step, upload.rows_done, upload.rows_total = "save", "queued", 0, changes
    upload.result = {"language": (upload.result or {}).get("language", "nb")}
    JOB.queue(upload)


def save_upload(upload: ImportUpload, report: jobs.Reporter) -> JobState:
    """Check a confirmed upload again and write it, all rows or none; ``upload.result`` says how it ended.

    Runs after the confirming request. Progress is committed as it goes; the rows themselves are
    written in the job's last transaction, together with how it ended.
    """
    scope = upload_scope(upload)
    user = db.session.get(User, upload.user_id)
    table = kept_table(upload)
    total = len(table.rows)
    plan = plan_import(scope, table, _checking(report))
    if plan.errors or plan.digest != upload.plan_digest:
        # Someone saved some of these months after the preview: the user must look again.
        upload.plan_digest = plan.digest
        upload.result = {**(upload.result or {}), "outcome": "changed"}
        upload.step, upload.rows_done, upload.rows_total = "checked", total, total
        return JobState.DONE
    report(step="saving", rows_done=0, rows_total=len(plan.changes))
    result = commit_import(scope, plan, user, filename=upload.filename)
    if result.status != "done":
        upload.result = {**(upload.result or {}), "outcome": "conflict"}
        upload.step, upload.rows_done = "failed", 0
        return JobState.FAILED
    upload.result = {**(upload.result or {}), "outcome": "done", "counts": result.counts}
    upload.step, upload.rows_done = "done", len(plan.changes)
    return JobState.DONE


def _work(upload: ImportUpload, report: jobs.Reporter) -> JobState:
    return (save_upload if upload.work == "save" else check_upload)(upload, report)


def _failed(upload: ImportUpload, error: Exception) -> None:
    upload.result = {**(upload.result or {}), "outcome": "error"}
    upload.step = "failed"


JOB = jobs.Kind("import", ImportUpload.phase, _work, _failed)


def stopped(upload: ImportUpload) -> bool:
    """Whether checking or saving the upload stopped before it finished, because its process died.

    A stalled job is given up here, so that no worker takes it over once the page has said it
    stopped (the request commits); one that a worker has just taken over is running again.
    """
    if JOB.is_stalled(upload):
        jobs.give_up(JOB, upload)
    return JOB.stopped(upload)


def progress_of(upload: ImportUpload) -> dict:
    total = upload.rows_total
    ended_early = JOB.stopped(upload)
    return {
        "phase": upload.phase,
        "step": STOPPED if ended_early else upload.step,
        "rows_done": upload.rows_done,
        "rows_total": total,
        "percent": 100
        if upload.phase == JobState.DONE
        else (int(100 * upload.rows_done / total) if total else 0),
        "finished": upload.phase in FINISHED or ended_early,
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
