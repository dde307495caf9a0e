"""Learning-session packs: start a build, follow its progress, download the files."""

from __future__ import annotations

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import undefer

from charts import slides
from learnnet import jobs, permissions
from learnnet.extensions import db
from learnnet.models import JobState, LearningSession, SessionPack
from learnnet.models.jobs import STOPPED
from learnnet.networks import bp
from learnnet.networks import packs as pack_service
from learnnet.networks.forms import NOTE_WARNING, pack_choice_form
from learnnet.networks.services import data_until, session_topic


def _session_or_abort(network_id: int, session_id: int) -> LearningSession:
    network = permissions.network_or_abort(network_id, current_user)
    return permissions.one_or_404(LearningSession, session_id, network_id=network.id)


def _pack_or_abort(pack_id: int, *files: str) -> SessionPack:
    options = [undefer(getattr(SessionPack, name)) for name in files]
    pack = permissions.one_or_404(SessionPack, pack_id, options=options)
    if not permissions.can_view_network(current_user, pack.session.network):
        abort(403)
    return pack


def step_text(pack: SessionPack) -> str:
    step = STOPPED if pack_service.JOB.stopped(pack) else pack.step
    return {
        "queued": _("Waiting to start…"),
        "collecting": _("Reading every team's numbers…"),
        "drawing": _("Drawing the charts…"),
        "done": _("Ready."),
        "failed": _("The pack could not be made."),
        STOPPED: _("The build stopped without finishing. Start it again."),
    }.get(step, step)


def status_of(pack: SessionPack) -> dict:
    done = pack.status == JobState.DONE
    stalled = pack_service.JOB.is_stalled(pack)
    return {
        "id": pack.id,
        "status": JobState.FAILED if stalled else pack.status,
        "progress": pack.progress,
        "step": step_text(pack),
        "finished": pack.is_finished or stalled,
        "pdf": url_for("networks.pack_file", pack_id=pack.id, kind="pdf") if done else None,
        "zip": url_for("networks.pack_file", pack_id=pack.id, kind="zip") if done else None,
        # packs made before presentations were made have none
        "pptx": url_for("networks.pack_file", pack_id=pack.id, kind="pptx")
        if done and pack.pptx_size
        else None,
        "seconds": pack.seconds,
    }


def notice_texts() -> dict[str, str]:
    """What the page says above the list about the pack being made, by its state."""
    return {
        "working": _("The pack is being made. You can keep working; it stays on this page when it is ready."),
        "done": _("The pack is ready. Download the PDF or the PNG files below."),
        "failed": _("The pack could not be made. Try again."),
    }


def notice_state(pack: SessionPack) -> str:
    status = status_of(pack)
    if not status["finished"]:
        return "working"
    return "done" if status["status"] == "done" else "failed"


def _choice_form(session: LearningSession, packs: list[SessionPack], formdata=None):
    """The form for what goes in; unsent, it holds the newest pack's choice (else everything)."""
    network = session.network
    choice = pack_service.choice_of(packs[0]) if packs else pack_service.default_choice(network)
    return pack_choice_form(
        pack_service.ordered_teams(network), list(network.measures), choice=choice, formdata=formdata
    )


@bp.route("/<int:network_id>/sessions/<int:session_id>/pack")
@login_required
def session_pack(network_id: int, session_id: int):
    session = _session_or_abort(network_id, session_id)
    return _pack_page(session, pack_service.packs_of(session))


def _pack_page(session: LearningSession, packs: list[SessionPack], form=None):
    # The pack just asked for (?pack=id), else one still being made, has a notice above the list.
    asked = request.args.get("pack", type=int)
    notice = next((p for p in packs if p.id == asked), None) or next(
        (p for p in packs if not p.is_finished and not pack_service.JOB.is_stalled(p)), None
    )
    return render_template(
        "networks/pack.html",
        session=session,
        network=session.network,
        until=data_until(session),
        topic=session_topic(session, current_app.config["LANGUAGES"]),
        packs=packs,
        notice=notice,
        notice_state=notice_state(notice) if notice is not None else None,
        notice_texts=notice_texts(),
        can_build=permissions.can_build_pack(current_user, session.network),
        status_of=status_of,
        form=form or _choice_form(session, packs),
        note_warning=NOTE_WARNING,
        content_of=lambda pack: pack_service.chosen(session.network, pack_service.choice_of(pack)),
    )


@bp.route("/<int:network_id>/sessions/<int:session_id>/pack", methods=["POST"])
@login_required
def build_pack(network_id: int, session_id: int):
    session = _session_or_abort(network_id, session_id)
    if not permissions.can_build_pack(current_user, session.network):
        abort(403)
    packs = pack_service.packs_of(session)
    if "choose" in request.form:  # the pack page's form; the dashboard's one click takes everything
        form = _choice_form(session, packs, formdata=request.form)
        if not form.validate():
            return _pack_page(session, packs, form), 400
        choice = form.choice()
    else:
        choice = pack_service.default_choice(session.network)
    for stalled in (p for p in packs if pack_service.JOB.is_stalled(p)):
        # Its process died: given up, so that no worker takes it over beside the new one.
        jobs.give_up(pack_service.JOB, stalled)
    # The same content again: the page follows the pack made or being made.
    pack, new = pack_service.ask_for_pack(session, current_user, str(get_locale() or "nb")[:2], choice)
    db.session.commit()
    if new:
        jobs.start(pack_service.JOB, pack)
    return redirect(
        url_for("networks.session_pack", network_id=network_id, session_id=session_id, pack=pack.id)
    )


@bp.route("/packs/<int:pack_id>/status")
@login_required
def pack_status(pack_id: int):
    pack = _pack_or_abort(pack_id)
    response = jsonify(status_of(pack))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/packs/<int:pack_id>/<kind>")
@login_required
def pack_file(pack_id: int, kind: str):
    if kind not in ("pdf", "zip", "pptx"):
        abort(404)
    pack = _pack_or_abort(pack_id, {"pdf": "pdf", "zip": "png_zip", "pptx": "pptx"}[kind])
    if pack.status != JobState.DONE or (kind == "pptx" and pack.pptx is None):
        abort(404)
    names = pack_service.file_names(pack)
    if kind == "pdf":
        response = Response(pack.pdf, mimetype="application/pdf")
        filename = names.pdf
    elif kind == "pptx":
        response = Response(pack.pptx, mimetype=slides.MIMETYPE)
        filename = names.pptx
    else:
        response = Response(pack.png_zip, mimetype="application/zip")
        filename = names.zip
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.set_etag(f"{pack.pdf_sha256}-{kind}")
    response.headers["Cache-Control"] = "private, max-age=0"
    return response
