from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from learnnet import permissions
from learnnet.county import bp
from learnnet.extensions import db
from learnnet.models import Network, Region
from learnnet.periods import default_entry_period
from learnnet.teams.services import complete_teams_per_network


@bp.route("/")
@login_required
def overview():
    permissions.require_county(current_user)
    regions = list(db.session.scalars(select(Region).order_by(Region.name)))
    networks = list(db.session.scalars(select(Network).order_by(Network.start_date.desc())))
    period = default_entry_period(dt.date.today())
    return render_template(
        "county/overview.html",
        regions=regions,
        networks=networks,
        period=period,
        complete=complete_teams_per_network(networks, period),
        can_open_networks=permissions.sees_whole_county(current_user),
    )
