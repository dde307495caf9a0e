"""Where each role lands after logging in."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from learnnet import clock, permissions
from learnnet.extensions import db
from learnnet.home import bp
from learnnet.measurements.periods import default_entry_period
from learnnet.models import Network, Team, Unit
from learnnet.teams.services import completeness

ROLE_HOMES = {
    "admin": "county.overview",
    "centre": "county.overview",
    "facilitator": "networks.index",
    "team_member": "home.my_teams",
    "viewer": "county.overview",
}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(ROLE_HOMES[current_user.role]))


@bp.route("/my-teams")
@login_required
def my_teams():
    period = default_entry_period(clock.today())
    query = (
        permissions.visible_teams(current_user)
        .order_by(Network.start_date.desc(), Team.name)
        # what each card shows, loaded with the teams rather than one query per team
        .options(
            contains_eager(Team.network).selectinload(Network.measures),
            joinedload(Team.unit).joinedload(Unit.municipality),
        )
    )
    teams = list(db.session.scalars(query))
    return render_template(
        "home/my_teams.html",
        teams=teams,
        period=period,
        done=completeness(teams, [period]),
        active_ids={n.id for n in db.session.scalars(select(Network).where(Network.status == "active"))},
    )
