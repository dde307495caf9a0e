from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from learnnet import permissions
from learnnet.extensions import db, mail
from learnnet.i18n import month_name
from learnnet.measurements.periods import parse_period
from learnnet.models import Team
from learnnet.reminders import services as svc
from learnnet.reminders.forms import SendReminderForm


@login_required
def send_by_hand(network_id: int, team_id: int):
    """A facilitator reminds a team's members of a month, from the network's completeness grid."""
    network = permissions.network_or_abort(network_id, current_user)
    if not permissions.can_send_reminder(current_user, network):
        abort(403)
    team = permissions.one_or_404(Team, team_id, network_id=network.id)
    form = SendReminderForm()
    period = parse_period(form.period.data) if form.validate_on_submit() else None
    back = redirect(url_for("networks.network", network_id=network.id) + "#completeness")
    if period is None or not network.start_date.replace(day=1) <= period <= network.end_date:
        flash(_("Choose one of the network's months."), "danger")
        return back
    planned = svc.by_hand(team, period)
    if not planned:
        flash(
            _("No one more to remind: the members of %(team)s have been reminded of %(month)s by hand, "
              "or none of them gets reminders.", team=team.name, month=month_name(period)),
            "info",
        )
        return back
    public_url = current_app.config["PUBLIC_URL"]
    with mail.get_connection() as connection:
        outcome = svc.send(planned, connection, public_url, sent_by=current_user, commit=db.session.commit)
    db.session.commit()
    if outcome.sent:
        flash(
            ngettext(
                "%(num)d member of %(team)s is reminded of %(month)s.",
                "%(num)d members of %(team)s are reminded of %(month)s.",
                len(outcome.sent),
                team=team.name,
                month=month_name(period),
            ),
            "success",
        )
    if outcome.failed:
        flash(_("The e-mail could not be sent; try again later."), "danger")
    return back
