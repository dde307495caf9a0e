"""Upload → preview → confirm for imports; file downloads for templates and exports."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from learnnet import clock, jobs, permissions
from learnnet.config import MAX_UPLOAD_BYTES
from learnnet.extensions import db
from learnnet.imports import bp
from learnnet.imports.export import export_rows, file_stem, reference_sheets, template_rows
from learnnet.imports.forms import ConfirmForm, UploadForm
from learnnet.imports.services import Scope, plan_import, plan_summary
from learnnet.imports.tables import COLUMN_LABELS, write_csv, write_xlsx
from learnnet.imports.uploads import (
    JOB,
    find_upload,
    is_ready,
    kept_table,
    progress_of,
    queue_save,
    start_upload,
    stopped,
    upload_scope,
)
from learnnet.measurements.recording import HISTORY_MONTHS
from learnnet.models import JobState
from learnnet.models.jobs import FINISHED, STOPPED

# Problems and updates listed on the preview page; the rest are counted.
SHOWN = 500
FORMATS = 'any(xlsx, csv, "csv-semicolon")'
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "csv-semicolon": "text/csv; charset=utf-8",
}


def _network_scope(network_id: int, *, importing: bool = False) -> Scope:
    network = permissions.network_or_abort(network_id, current_user)
    if importing and not permissions.can_import_network(current_user, network):
        abort(403)
    return Scope(network)


def _team_scope(team_id: int, *, importing: bool = False) -> Scope:
    team = permissions.team_or_abort(team_id, current_user)
    if importing and not permissions.can_import_team(current_user, team):
        abort(403)
    return Scope(team.network, team)


def _scope_url(scope: Scope) -> str:
    if scope.team is not None:
        return url_for("teams.team", team_id=scope.team.id)
    return url_for("networks.network", network_id=scope.network.id)


@bp.app_context_processor
def data_links_helper() -> dict:
    """``data_links(team=…)`` / ``data_links(network=…)``: the import and export links the user may use."""

    def data_links(team=None, network=None) -> dict:
        if not current_user.is_authenticated:
            return {}
        if team is not None:
            ids = {"team_id": team.id}
            may_import = permissions.can_import_team(current_user, team)
            may_export = permissions.can_view_team(current_user, team)
            prefix = "imports.team_"
        else:
            ids = {"network_id": network.id}
            may_import = permissions.can_import_network(current_user, network)
            may_export = permissions.can_view_network(current_user, network)
            prefix = "imports.network_"
        links = {}
        if may_import:
            links["import"] = url_for(prefix + "import", **ids)
        if may_export:
            links["export"] = {fmt: url_for(prefix + "export", fmt=fmt, **ids) for fmt in MIMETYPES}
        return links

    return {"data_links": data_links}


@bp.route("/networks/<int:network_id>/import", methods=["GET", "POST"])
@login_required
def network_import(network_id: int):
    return _upload(_network_scope(network_id, importing=True))


@bp.route("/teams/<int:team_id>/import", methods=["GET", "POST"])
@login_required
def team_import(team_id: int):
    return _upload(_team_scope(team_id, importing=True))


def _upload(scope: Scope):
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            form.file.errors.append(_("The file is larger than %(size)d MB.", size=MAX_UPLOAD_BYTES // 2**20))
        else:
            # Kept as it came, then read and checked after this request, with its progress shown.
            kept = start_upload(
                scope, current_user, upload.filename or "", content, str(get_locale() or "nb")[:2]
            )
            db.session.commit()
            jobs.start(JOB, kept)
            return _checked(kept, form)
    return _upload_page(scope, form)


def _upload_page(scope: Scope, form: UploadForm):
    return render_template(
        "imports/upload.html",
        scope=scope,
        form=form,
        history_months=HISTORY_MONTHS,
        back=_scope_url(scope),
        template_links=_template_links(scope),
    )


def _checked(upload, form: UploadForm | None = None):
    """An upload being checked: its progress page; once checked, its preview (or why not)."""
    scope = upload_scope(upload)
    outcome = (upload.result or {}).get("outcome")
    ended_early = stopped(upload)
    if upload.phase not in FINISHED:
        return redirect(url_for("imports.progress", key=upload.key))
    if outcome == "checked":
        preview = upload.result["preview"]
        key = upload.key
        if preview["errors"]:
            # Nothing can be confirmed until the file is corrected: it is not kept.
            db.session.delete(upload)
            db.session.commit()
            key = None
        return _preview(scope, preview, upload.filename, ConfirmForm(key=key))
    form = form or UploadForm()
    if outcome == "unreadable":
        form.file.errors = [*form.file.errors, upload.result["message"]]
    elif ended_early:
        form.file.errors = [
            *form.file.errors,
            _("Checking the file stopped before it was finished. Please upload it again."),
        ]
    else:
        form.file.errors = [*form.file.errors, _("The file could not be checked. Please upload it again.")]
    # Nothing to confirm: the problem is shown and the file is not kept.
    db.session.delete(upload)
    db.session.commit()
    return _upload_page(scope, form)


@bp.route("/imports/<key>/status")
@login_required
def status(key: str):
    """How far reading, checking or saving the user's own upload has come, as JSON."""
    upload = find_upload(key, current_user)
    if upload is None:
        abort(404)
    progress = progress_of(upload)
    response = jsonify({**progress, "text": str(STEPS.get(progress["step"], progress["step"]))})
    response.headers["Cache-Control"] = "no-store"
    return response


def _preview(scope: Scope, preview: dict, filename: str, confirm: ConfirmForm, status: int = 200):
    """The preview page, from :func:`plan_summary` of the plan."""
    updates = [{**u, "period": dt.date.fromisoformat(u["period"])} for u in preview["updates"]]
    return render_template(
        "imports/preview.html",
        scope=scope,
        plan=preview,
        filename=filename,
        confirm=confirm,
        counts=preview["counts"],
        problems=preview["problems"],
        column_labels=COLUMN_LABELS,
        updates=updates,
        upload_form=UploadForm(),
        upload_url=_import_url(scope),
        back=_scope_url(scope),
    ), status


def _import_url(scope: Scope) -> str:
    if scope.team is not None:
        return url_for("imports.team_import", team_id=scope.team.id)
    return url_for("imports.network_import", network_id=scope.network.id)


@bp.route("/imports/commit", methods=["POST"])
@login_required
def commit():
    form = ConfirmForm()
    upload = find_upload(form.key.data or "", current_user) if form.validate() else None
    if upload is None:
        flash(_("The uploaded file is no longer waiting to be imported. Please upload it again."), "warning")
        return redirect(url_for("home.index"))
    scope = upload_scope(upload)
    allowed = (
        permissions.can_import_team(current_user, scope.team)
        if scope.team is not None
        else permissions.can_import_network(current_user, scope.network)
    )
    if not allowed:
        abort(403)
    if not is_ready(upload):
        flash(_("The file is still being checked or saved. Wait until it is done."), "warning")
        return redirect(_import_url(scope))
    plan = plan_import(scope, kept_table(upload))
    if plan.digest != upload.plan_digest:
        upload.plan_digest = plan.digest
        db.session.commit()
        flash(
            _("The saved numbers changed since the preview. Nothing was imported; check the new preview."),
            "warning",
        )
        return _preview(scope, plan_summary(plan, SHOWN), upload.filename, ConfirmForm(key=upload.key), 409)
    if plan.warnings and not form.accept_warnings.data:
        form.accept_warnings.errors = [_("Tick the box to import rows with warnings.")]
        return _preview(scope, plan_summary(plan, SHOWN), upload.filename, form, 422)
    # Saved after this request, so its progress can be shown; all rows or none, as before.
    queue_save(upload, len(plan.changes))
    db.session.commit()
    jobs.start(JOB, upload)
    return _after_saving(upload)


def _after_saving(upload):
    """Where a confirmed upload goes next: its progress page while it is saved, then its result."""
    scope = upload_scope(upload)
    outcome = (upload.result or {}).get("outcome")
    if upload.phase == JobState.DONE and outcome == "done":
        counts = upload.result["counts"]
        flash(
            _(
                "Imported %(file)s: %(created)d new, %(updated)d changed, %(unchanged)d already saved.",
                file=upload.filename,
                created=counts["create"],
                updated=counts["update"] + counts["restore"],
                unchanged=counts["unchanged"],
            ),
            "success",
        )
        db.session.delete(upload)
        db.session.commit()
        return redirect(_scope_url(scope))
    if outcome in ("changed", "conflict"):
        flash(
            _(
                "Someone saved some of these months while the file was imported. "
                "Nothing was imported; please upload it again."
            ),
            "warning",
        )
        return redirect(_import_url(scope))
    if stopped(upload):
        db.session.commit()
        flash(
            _(
                "The import stopped before it was finished. "
                "Nothing was imported; please upload the file again."
            ),
            "danger",
        )
        return redirect(_import_url(scope))
    if outcome == "error" or upload.phase == JobState.FAILED:
        flash(_("The import failed. Nothing was imported; please upload the file again."), "danger")
        return redirect(_import_url(scope))
    if upload.phase not in FINISHED:
        return redirect(url_for("imports.progress", key=upload.key))
    return redirect(_import_url(scope))


@bp.route("/imports/<key>")
@login_required
def progress(key: str):
    """The user's confirmed upload being saved: a progress bar, then where the result is."""
    upload = find_upload(key, current_user)
    if upload is None:
        abort(404)
    if upload.phase in FINISHED or JOB.is_stalled(upload):
        return _after_saving(upload) if upload.work == "save" else _checked(upload)
    return render_template(
        "imports/progress.html",
        upload=upload,
        status=progress_of(upload),
        step_text=STEPS,
        scope=upload_scope(upload),
    )


STEPS = {
    "reading": _l("Reading the file…"),
    "queued": _l("Waiting to start…"),
    "checking": _l("Checking every row…"),
    "saving": _l("Saving…"),
    "checked": _l("Checked."),
    "done": _l("Imported."),
    "failed": _l("The import failed."),
    STOPPED: _l("Stopped before it was finished."),
}


# --------------------------------------------------------------------------- downloads
def _template_links(scope: Scope) -> dict[str, str]:
    if scope.team is not None:
        return {fmt: url_for("imports.team_template", team_id=scope.team.id, fmt=fmt) for fmt in MIMETYPES}
    return {
        fmt: url_for("imports.network_template", network_id=scope.network.id, fmt=fmt) for fmt in MIMETYPES
    }


@bp.route(f"/networks/<int:network_id>/import/template/<{FORMATS}:fmt>")
@login_required
def network_template(network_id: int, fmt: str):
    return _template(_network_scope(network_id, importing=True), fmt)


@bp.route(f"/teams/<int:team_id>/import/template/<{FORMATS}:fmt>")
@login_required
def team_template(team_id: int, fmt: str):
    return _template(_team_scope(team_id, importing=True), fmt)


def _template(scope: Scope, fmt: str) -> Response:
    today = clock.today()
    rows = template_rows(scope, today)
    sheets = [("Data", rows), *reference_sheets(scope)]
    word = _("template")
    return _download(fmt, rows, sheets, f"{file_stem(scope, today)}-{word}")


@bp.route(f"/networks/<int:network_id>/export/<{FORMATS}:fmt>")
@login_required
def network_export(network_id: int, fmt: str):
    return _export(_network_scope(network_id), fmt)


@bp.route(f"/teams/<int:team_id>/export/<{FORMATS}:fmt>")
@login_required
def team_export(team_id: int, fmt: str):
    return _export(_team_scope(team_id), fmt)


def _export(scope: Scope, fmt: str) -> Response:
    rows = export_rows(scope)
    return _download(fmt, rows, [("Data", rows)], file_stem(scope, clock.today()))


def _download(fmt: str, rows, sheets, stem: str) -> Response:
    if fmt == "xlsx":
        body, name = write_xlsx(sheets), f"{stem}.xlsx"
    else:
        body, name = write_csv(rows, excel_nb=fmt == "csv-semicolon"), f"{stem}.csv"
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
