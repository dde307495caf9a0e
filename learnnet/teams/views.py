from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user, login_required

from learnnet import permissions
from learnnet.periods import default_entry_period
from learnnet.teams import bp
from learnnet.teams.services import team_status


@bp.route("/<int:team_id>")
@login_required
def team(team_id: int):
    team = permissions.team_or_abort(team_id, current_user)
    period = default_entry_period(dt.date.today())
    return render_template(
        "teams/team.html",
        team=team,
        period=period,
        statuses=team_status(team, period),
        can_enter=permissions.can_enter_data(current_user, team),
    )
