"""Reminders that get a month's numbers in: sent by ``flask reminders send`` on the network's
reminder day and a week later (:mod:`.cli`), or by a facilitator by hand from the network's
completeness grid (:mod:`.views`); the work, the e-mails and the record of what was sent are in
:mod:`.services`.
"""

from flask import Blueprint

from learnnet.reminders import views

bp = Blueprint("reminders", __name__)
bp.add_url_rule(
    "/networks/<int:network_id>/teams/<int:team_id>/reminders", view_func=views.send_by_hand, methods=["POST"]
)
