"""Team pages, every address under /teams/ in one map: the team and what is due, its monthly
entry, its measures' charts and chart settings, and its changes with their PDSA cycles.

The views are in :mod:`.views` (the team, its entry page, deleting and restoring a month),
:mod:`.measure` (a measure's chart and its settings) and :mod:`.work` (changes and PDSA cycles);
a team's import and export are the imports feature's (:mod:`learnnet.imports`).
"""

from flask import Blueprint

from learnnet.teams import measure, views, work

bp = Blueprint("teams", __name__, url_prefix="/teams")
bp.add_url_rule("/<int:team_id>", view_func=views.team)
bp.add_url_rule("/<int:team_id>/entry", view_func=views.entry, methods=["GET", "POST"])
bp.add_url_rule(
    "/<int:team_id>/measurements/<int:measurement_id>/delete",
    view_func=views.delete_measurement,
    methods=["POST"],
)
bp.add_url_rule(
    "/<int:team_id>/measurements/<int:measurement_id>/restore/<int:history_id>",
    view_func=views.restore_measurement,
    methods=["POST"],
)
bp.add_url_rule("/<int:team_id>/measures/<int:measure_id>", view_func=measure.measure)
bp.add_url_rule(
    "/<int:team_id>/measures/<int:measure_id>/settings", view_func=measure.chart_kind, methods=["POST"]
)
bp.add_url_rule(
    "/<int:team_id>/measures/<int:measure_id>/phases", view_func=measure.add_phase, methods=["POST"]
)
bp.add_url_rule(
    "/<int:team_id>/measures/<int:measure_id>/phases/<int:phase_id>/delete",
    view_func=measure.delete_phase,
    methods=["POST"],
)
bp.add_url_rule(
    "/<int:team_id>/measures/<int:measure_id>/exclusions", view_func=measure.add_exclusion, methods=["POST"]
)
bp.add_url_rule(
    "/<int:team_id>/measures/<int:measure_id>/exclusions/<int:exclusion_id>/delete",
    view_func=measure.delete_exclusion,
    methods=["POST"],
)
bp.add_url_rule("/<int:team_id>/measures/<int:measure_id>/chart.<fmt>", view_func=measure.measure_chart)
bp.add_url_rule("/<int:team_id>/interventions", view_func=work.interventions)
bp.add_url_rule("/<int:team_id>/interventions/new", view_func=work.edit_intervention, methods=["GET", "POST"])
bp.add_url_rule(
    "/<int:team_id>/interventions/<int:intervention_id>/edit",
    view_func=work.edit_intervention,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/<int:team_id>/interventions/<int:intervention_id>/cycles/new",
    view_func=work.edit_cycle,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/<int:team_id>/interventions/<int:intervention_id>/cycles/<int:cycle_id>/edit",
    view_func=work.edit_cycle,
    methods=["GET", "POST"],
)
