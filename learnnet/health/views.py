"""``/healthz``: the process answers. ``/readyz``: and the database answers too.

No login, no CSRF (GET only, and the blueprint is exempt), no session, and not counted by the
login throttle. Probes must be cheap: ``/healthz`` touches nothing, ``/readyz`` runs ``SELECT 1``.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import jsonify
from sqlalchemy.exc import SQLAlchemyError

from learnnet.extensions import db
from learnnet.health import bp

log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", **NO_STORE}


@bp.get("/readyz")
def readyz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        # The reason goes to the log, not to whoever can reach the probe.
        log.warning("readiness check failed: %s", error.__class__.__name__, exc_info=True)
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503, NO_STORE
    return jsonify(status="ok", database="ok"), 200, NO_STORE
