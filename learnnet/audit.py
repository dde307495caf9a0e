"""Writing audit events; every change a user makes leaves one."""

from __future__ import annotations

from typing import Any

from learnnet.extensions import db
from learnnet.models import AuditEvent, User


def record(
    user: User | None,
    action: str,
    obj: Any | None = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the request commits it with the change itself."""
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "none"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values of ``before`` and ``after`` that differ, as the event's before and after (both
    empty when nothing changed)."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
