"""Work that runs after the request that asked for it: a learning-session pack, saving an import.

The work's whole state is a database row, so any worker or server can report its progress. The
request commits the row first, then calls :func:`start`, which runs the work the way
``PACK_RUNNER`` says: in a thread with an app context and a database session of its own
(``"thread"``, the default), left queued for ``flask packs work`` (``"worker"``), or in the
request itself (``"inline"``, for tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask, current_app

from learnnet.extensions import db


def run_by_id(app: Flask, work: Callable[[int], None], row_id: int) -> None:
    """Run ``work(row_id)`` in an app context and database session of its own."""
    with app.app_context():
        try:
            work(row_id)
        finally:
            db.session.remove()


def start(name: str, row_id: int, work: Callable[[int], None], inline: Callable[[], None]) -> None:
    """Start the work on a committed row: ``inline()`` in the request, or ``work(row_id)`` in a thread."""
    runner = current_app.config.get("PACK_RUNNER", "thread")
    if runner == "inline":
        inline()
    elif runner == "thread":
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        threading.Thread(
            target=run_by_id, args=(app, work, row_id), name=f"{name}-{row_id}", daemon=True
        ).start()
    # "worker": `flask packs work` picks it up.
