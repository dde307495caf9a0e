"""Command-line tools: ``flask users``, ``flask templates``, ``flask demo`` and ``flask jobs``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from learnnet import audit, jobs
from learnnet.accounts import PasswordPolicyError, check_password_policy
from learnnet.auth.services import find_user
from learnnet.auth.throttle import forget_failures
from learnnet.demo import DEMO_USERS, database_is_empty, load_demo
from learnnet.extensions import db
from learnnet.imports import uploads
from learnnet.library import load_templates
from learnnet.models import ROLES, Unit, UnitMembership, User
from learnnet.networks import packs
from learnnet.networks.cli import packs_cli

users_cli = AppGroup("users", help="Manage user accounts.")
templates_cli = AppGroup("templates", help="The measure template library.")
demo_cli = AppGroup("demo", help="The demo county.")
jobs_cli = AppGroup("jobs", help="Work done after the request: chart packs, checking and saving imports.")

# Every kind of job, imports first: someone waits on the page for them, and they are quick.
JOBS = (uploads.JOB, packs.JOB)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--unit", "units", multiple=True, help="Name of a unit the user works in (repeatable).")
@click.option("--lead", is_flag=True, help="The user leads the team(s) of those units.")
@click.option("--language", type=click.Choice(["nb", "en"]), default=None)
def create_user(email, name, role, password, units, lead, language):
    """Create a user account."""
    email = email.strip().lower()
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"a user with e-mail {email} already exists")
    try:
        check_password_policy(password)
    except PasswordPolicyError as error:
        raise click.ClickException(str(error)) from None
    user = User(email=email, name=name.strip(), role=role, language=language)
    user.set_password(password)
    for unit_name in units:
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name))
        if unit is None:
            raise click.ClickException(f"no unit named {unit_name!r}")
        user.memberships.append(UnitMembership(unit=unit, is_lead=lead))
    db.session.add(user)
    db.session.flush()
    audit.record(None, "user.create", user, after={"email": email, "role": role})
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(email, password):
    """Give a user a new password (the minimum password policy applies)."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    try:
        check_password_policy(password)
    except PasswordPolicyError as error:
        raise click.ClickException(str(error)) from None
    user.set_password(password)
    audit.record(None, "user.set_password", user)
    db.session.commit()
    click.echo(f"New password set for {user.email}.")


@users_cli.command("unlock")
@click.argument("email")
def unlock_command(email):
    """Forget an account's failed log-ins, so the login throttle lets it in at once."""
    count = forget_failures(db.session, email)
    db.session.commit()
    click.echo(f"{count} failed log-in(s) forgotten for {email.strip().lower()}.")


@templates_cli.command("load")
def load_templates_command():
    """Load or update the measure templates shipped with learnnet."""
    count = load_templates(db.session)
    db.session.commit()
    click.echo(f"{count} measure templates loaded.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@click.option("--seed", default=2026, show_default=True)
def load_demo_command(if_empty, seed):
    """Build the demo county (Vestfold): units, networks, months of data and one user per role."""
    if if_empty and not database_is_empty(db.session):
        click.echo("The database already has data; the demo county was not loaded.")
        return
    if not database_is_empty(db.session):
        raise click.ClickException("the database already has data; load the demo into an empty one")
    summary = load_demo(db.session, seed=seed)
    db.session.commit()
    click.echo(summary.describe())
    click.echo("The demo logins: flask demo logins")


@demo_cli.command("logins")
def demo_logins_command():
    """Print the demo logins, one per line: role, e-mail, password."""
    _echo_logins()


def _echo_logins(indent: str = "") -> None:
    for user in DEMO_USERS:
        click.echo(f"{indent}{user.role:<12} {user.email:<30} {user.password}")


@jobs_cli.command("work")
@click.option("--once", is_flag=True, help="Do the jobs waiting now, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks for new jobs.")
def work_command(once: bool, interval: float):
    """Do every kind of job as it comes, one at a time: make learning-session packs, check and save
    imports, and take over those whose process died. Several workers may run side by side."""
    jobs.work(JOBS, once=once, interval=interval, echo=click.echo)


@packs_cli.command("work")
@click.option("--once", is_flag=True, help="Do the jobs waiting now, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks for new jobs.")
@click.pass_context
def work(ctx: click.Context, once: bool, interval: float):
    """The old name of `flask jobs work`, which does every kind of job; kept for one release."""
    click.echo("flask packs work is now flask jobs work; the old name goes in the next release.", err=True)
    ctx.invoke(work_command, once=once, interval=interval)
