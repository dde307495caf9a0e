"""Reminders: which month is due for a network today, who is reminded, and the e-mail they get.

A month's numbers are due on the network's reminder day of the month after it (the 5th unless the
network says otherwise); the team's members are reminded then ("due") and, when the team has still
not entered every measure, again a week later ("late"). A facilitator may also send one by hand
("by_hand"). Each reminder sent is a row of ``reminder``, unique per person, team, month and kind,
written before the e-mail goes: running the reminders twice, or on two servers at once, sends
nothing twice. A message names the team, the month, the measures not yet entered and the link to
the team's entry page for that month: never a number.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage
from flask_mailman.backends.base import BaseEmailBackend
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learnnet import clock
from learnnet.extensions import db
from learnnet.i18n import month_name
from learnnet.measurements.periods import add_months, month_start
from learnnet.models import Measurement, Network, Reminder, Team, UnitMembership, User
from learnnet.teams.services import completeness

log = logging.getLogger(__name__)

# A month is late this long after it was due.
LATE_AFTER = dt.timedelta(days=7)
# Who is reminded: those who enter a team's numbers.
REMINDED_ROLES = ("team_member",)


@dataclass(frozen=True)
class Due:
    """The month a network's teams are reminded of on a day, and which reminder it is."""

    period: dt.date
    kind: str  # "due" or "late"


@dataclass(frozen=True)
class Planned:
    """One reminder to send: to ``user``, about ``team``'s ``period``."""

    user: User
    team: Team
    period: dt.date
    kind: str


@dataclass(frozen=True)
class Sent:
    """What sending reminders did: those sent, and those already sent before (none sent twice)."""

    sent: tuple[Planned, ...]
    already: tuple[Planned, ...]
    failed: tuple[Planned, ...] = ()


def due_date(network: Network, period: dt.date) -> dt.date:
    """The day ``period``'s numbers are due: the network's reminder day of the month after."""
    return add_months(month_start(period), 1).replace(day=network.reminder_day)


def due_on(network: Network, today: dt.date) -> Due | None:
    """The month whose reminders go out to ``network``'s teams on ``today``, or None.

    From a month's due date until the next month's, that month is the one reminded of: "due" in
    its first week, "late" after. None when the network is not active or the month is not one of
    its months.
    """
    if network.status != "active":
        return None
    period = add_months(month_start(today), -1)
    if today < due_date(network, period):
        period = add_months(period, -1)
    if not network.start_date.replace(day=1) <= period <= network.end_date:
        return None
    kind = "late" if today >= due_date(network, period) + LATE_AFTER else "due"
    return Due(period, kind)


def recipients(team: Team) -> list[User]:
    """The team's members who get reminders: active, entering numbers, not turned off; by name."""
    query = (
        select(User)
        .join(UnitMembership, UnitMembership.user_id == User.id)
        .where(
            UnitMembership.unit_id == team.unit_id,
            User.active.is_(True),
            User.reminders.is_(True),
            User.role.in_(REMINDED_ROLES),
        )
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(query))


def is_entered(team: Team, period: dt.date) -> bool:
    """Whether ``team`` has entered every measure of its network for ``period``."""
    entered, due = completeness([team], [period])[(team.id, period)]
    return entered >= due


def missing_measures(team: Team, period: dt.date) -> list[str]:
    """The names of the measures ``team`` has not entered for ``period``, in the network's order."""
    entered = set(
        db.session.scalars(
            select(Measurement.measure_id).where(
                Measurement.team_id == team.id,
                Measurement.period == period,
                Measurement.deleted_at.is_(None),
            )
        )
    )
    return [m.name for m in team.network.measures if m.id not in entered]


def planned(today: dt.date) -> list[Planned]:
    """Every reminder due on ``today`` and not sent yet, over the active networks."""
    networks = db.session.scalars(select(Network).where(Network.status == "active").order_by(Network.id))
    plan: list[Planned] = []
    for network in networks:
        due = due_on(network, today)
        if due is None:
            continue
        for team in network.teams:
            if is_entered(team, due.period):
                continue
            sent = _already_sent(team, due.period, due.kind)
            plan.extend(
                Planned(user, team, due.period, due.kind) for user in recipients(team) if user.id not in sent
            )
    return plan


def _already_sent(team: Team, period: dt.date, kind: str) -> set[int]:
    query = select(Reminder.user_id).where(
        Reminder.team_id == team.id, Reminder.period == period, Reminder.kind == kind
    )
    return set(db.session.scalars(query))


def entry_link(team: Team, period: dt.date, public_url: str) -> str:
    """The address of ``team``'s entry page for ``period``, at ``public_url``."""
    parts = urlsplit(public_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(
        "teams.entry", {"team_id": team.id, "period": f"{period:%Y-%m}"}, force_external=True
    )


def language_of(user: User) -> str:
    """The language ``user`` reads their e-mail in: their own choice, else the default."""
    languages = current_app.config["LANGUAGES"]
    return user.language if user.language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def message(
    reminder: Planned, link: str, missing: list[str], connection: BaseEmailBackend | None = None
) -> EmailMessage:
    """The e-mail for one reminder, in its recipient's language."""
    with force_locale(language_of(reminder.user)):
        month = month_name(reminder.period)
        team = reminder.team.name
        if reminder.kind == "late":
            subject = _("Late: the numbers for %(month)s, %(team)s", month=month, team=team)
            opening = _(
                "The numbers for %(month)s for %(team)s were due on %(day)s and are not all entered yet.",
                month=month,
                team=team,
                day=_day(due_date(reminder.team.network, reminder.period)),
            )
        else:
            subject = _("Time to enter the numbers for %(month)s, %(team)s", month=month, team=team)
            opening = _("It is time to enter the numbers for %(month)s for %(team)s.", month=month, team=team)
        lines = [_("Hello %(name)s,", name=reminder.user.name), "", opening, ""]
        if missing:
            lines += [_("Not entered yet:"), *(f"- {name}" for name in missing), ""]
        lines += [
            _("Enter them here:"),
            link,
            "",
            _("You get this e-mail because you are a member of the team in %(network)s.",
              network=reminder.team.network.name),
            _("You can turn reminders off on your account page in learnnet."),
        ]
    return EmailMessage(
        subject=subject, body="\n".join(lines), to=[reminder.user.email], connection=connection
    )


def _day(day: dt.date) -> str:
    return format_date(day, "d. MMMM" if str(get_locale()) == "nb" else "d MMMM")


def send(
    reminders: list[Planned],
    connection: BaseEmailBackend,
    public_url: str,
    sent_by: User | None = None,
    commit: Callable[[], None] | None = None,
) -> Sent:
    """Send each of ``reminders`` that was not sent before, recording it first.

    Each is written (in a savepoint) before its e-mail goes; one that is there already, written by
    an earlier run or another server meanwhile, is not sent again. ``commit`` is called after each
    e-mail, so that one sent is never forgotten by a later failure.
    """
    sent, already, failed = [], [], []
    for reminder in reminders:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Reminder(
                        user_id=reminder.user.id,
                        team_id=reminder.team.id,
                        period=reminder.period,
                        kind=reminder.kind,
                        sent_at=clock.now(),
                        sent_by_id=sent_by.id if sent_by else None,
                    )
                )
                db.session.flush()
                missing = missing_measures(reminder.team, reminder.period)
                link = entry_link(reminder.team, reminder.period, public_url)
                message(reminder, link, missing, connection).send(fail_silently=False)
        except IntegrityError:
            already.append(reminder)
            continue
        except OSError:
            log.exception("reminder to user %s about team %s not sent", reminder.user.id, reminder.team.id)
            failed.append(reminder)
            continue
        sent.append(reminder)
        if commit is not None:
            commit()
    return Sent(tuple(sent), tuple(already), tuple(failed))


def by_hand(team: Team, period: dt.date) -> list[Planned]:
    """The reminders a facilitator sends by hand for ``team``'s ``period``: one to each member who
    gets reminders and has not had one by hand for that month."""
    sent = _already_sent(team, period, "by_hand")
    return [Planned(user, team, period, "by_hand") for user in recipients(team) if user.id not in sent]


def reminders_of(teams: list[Team], periods: list[dt.date]) -> dict[tuple[int, dt.date], list[Reminder]]:
    """The reminders sent about each (team, period), the earliest first."""
    if not teams or not periods:
        return {}
    query = (
        select(Reminder)
        .where(Reminder.team_id.in_([t.id for t in teams]), Reminder.period.in_(periods))
        .order_by(Reminder.sent_at, Reminder.id)
    )
    found: dict[tuple[int, dt.date], list[Reminder]] = defaultdict(list)
    for reminder in db.session.scalars(query):
        found[(reminder.team_id, reminder.period)].append(reminder)
    return dict(found)
