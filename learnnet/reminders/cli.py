"""``flask reminders send``: the reminders due today, for cron or a systemd timer."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from learnnet import clock
from learnnet.extensions import db, mail
from learnnet.reminders import services as svc

reminders_cli = AppGroup("reminders", help="E-mail reminders that a month's numbers are due.")


@reminders_cli.command("send")
def send() -> None:
    """Send every reminder due today that was not sent before (running it again sends nothing twice)."""
    planned = svc.planned(clock.today())
    if not planned:
        click.echo("No reminders to send.")
        return
    with mail.get_connection() as connection:
        outcome = svc.send(planned, connection, current_app.config["PUBLIC_URL"], commit=db.session.commit)
    db.session.commit()
    click.echo(f"{len(outcome.sent)} reminders sent, {len(outcome.already)} sent before.")
    if outcome.failed:
        raise click.ClickException(f"{len(outcome.failed)} reminders could not be sent; run it again later.")
