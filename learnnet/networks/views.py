from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user, login_required

from learnnet import permissions
from learnnet.extensions import db
from learnnet.models import Network
from learnnet.networks import bp
from learnnet.periods import add_months, default_entry_period, months_between
from learnnet.teams.services import complete_teams_per_network, completeness


@bp.route("/")
@login_required
def index():
    query = permissions.visible_networks(current_user).order_by(
        Network.status, Network.start_date.desc()
    )
    networks = list(db.session.scalars(query))
    period = default_entry_period(dt.date.today())
    return render_template(
        "networks/index.html",
        networks=networks,
        period=period,
        complete=complete_teams_per_network(networks, period),
    )


@bp.route("/<int:network_id>")
@login_required
def network(network_id: int):
    network = permissions.network_or_abort(network_id, current_user)
    last = min(default_entry_period(dt.date.today()), network.end_date.replace(day=1))
    periods = months_between(max(add_months(last, -5), network.start_date.replace(day=1)), last)
    return render_template(
        "networks/network.html",
        network=network,
        periods=periods,
        done=completeness(network.teams, periods),
    )
