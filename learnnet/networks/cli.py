"""``flask packs``: make learning-session packs outside the web process (``flask packs work``, the old
name of ``flask jobs work``, is in :mod:`learnnet.cli` beside it)."""

from __future__ import annotations

import pathlib
import time
from dataclasses import replace
from functools import partial

import click
from flask.cli import AppGroup

from learnnet import jobs
from learnnet.extensions import db
from learnnet.models import JobState, LearningSession, SessionPack
from learnnet.networks import packs

packs_cli = AppGroup("packs", help="Learning-session chart packs.")


@packs_cli.command("build")
@click.argument("session_id", type=int)
@click.option("--language", type=click.Choice(["nb", "en"]), default="nb", show_default=True)
@click.option("--output", type=click.Path(file_okay=False), default=None, help="Also write the files here.")
def build_now(session_id: int, language: str, output: str | None):
    """Make the pack of one learning session now, and say how long it took."""
    session = db.session.get(LearningSession, session_id)
    if session is None:
        raise click.ClickException(f"no learning session {session_id}")
    pack = SessionPack(
        session_id=session.id, language=language, data_until=packs.data_until(session), error=""
    )
    db.session.add(pack)
    db.session.commit()
    if not jobs.claim(packs.JOB, pack.id):
        raise click.ClickException(f"a worker took pack {pack.id} first")
    started = time.perf_counter()
    jobs.run(replace(packs.JOB, work=partial(packs.build, reuse=False)), pack.id)
    elapsed = time.perf_counter() - started
    if pack.status != JobState.DONE:
        raise click.ClickException(f"the pack failed: {pack.error}")
    click.echo(
        f"{session.network.name}, session {session.number}: {len(pack.pdf)} bytes PDF, "
        f"{len(pack.png_zip)} bytes ZIP, {elapsed:.1f} s, hash {pack.content_hash[:12]}"
    )
    if output:
        folder = pathlib.Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        names = packs.file_names(pack)
        (folder / names.pdf).write_bytes(pack.pdf)
        (folder / names.zip).write_bytes(pack.png_zip)
        (folder / names.pptx).write_bytes(pack.pptx)
