"""The audit log for administrators: who changed what and when, with the values before and after."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request
from sqlalchemy import select

from learnnet.admin import bp, labels
from learnnet.extensions import db
from learnnet.models import AuditEvent, User

PAGE_SIZE = 50


@bp.route("/audit")
def audit_log():
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    user_id = request.args.get("user", type=int)
    action = (request.args.get("action") or "").strip()
    object_type = (request.args.get("object") or "").strip()
    day = request.args.get("day", "")
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    if action:
        query = query.where(AuditEvent.action.startswith(action[:60]))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type[:60])
    try:
        since = dt.date.fromisoformat(day) if day else None
    except ValueError:
        since = None
    if since:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.timezone.utc)
        query = query.where(AuditEvent.at >= start, AuditEvent.at < start + dt.timedelta(days=1))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "admin/audit.html",
        page=page,
        subjects=labels.subjects(page.items),
        labels=labels,
        users=db.session.scalars(select(User).order_by(User.name)).all(),
        actions=sorted(db.session.scalars(select(AuditEvent.action).distinct())),
        objects=sorted(db.session.scalars(select(AuditEvent.object_type).distinct())),
        selected={
            "user": user_id,
            "action": action,
            "object": object_type,
            "day": since.isoformat() if since else "",
        },
    )
