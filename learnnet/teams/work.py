"""Interventions (change ideas) and their PDSA cycles: the team's log of what it tests."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from learnnet import audit, permissions
from learnnet.extensions import db
from learnnet.models import Intervention, PdsaCycle
from learnnet.teams.forms import PATIENT_WARNING, InterventionForm, PdsaForm

INTERVENTION_FIELDS = ("title", "short_label", "description", "start_date", "end_date")
PDSA_FIELDS = ("plan", "do", "study", "act", "start_date", "end_date", "outcome")


def _snapshot(obj, fields) -> dict:
    return {
        name: (value.isoformat() if hasattr(value, "isoformat") else value)
        for name in fields
        for value in [getattr(obj, name)]
    }


@login_required
def interventions(team_id: int):
    team = permissions.team_or_abort(team_id, current_user)
    return render_template(
        "teams/interventions.html",
        team=team,
        can_edit=permissions.can_enter_data(current_user, team),
    )


@login_required
def edit_intervention(team_id: int, intervention_id: int | None = None):
    team = permissions.team_or_abort(team_id, current_user, edit=True)
    intervention = (
        permissions.one_or_404(Intervention, intervention_id, team_id=team.id) if intervention_id else None
    )
    form = InterventionForm(obj=intervention, network=team.network)
    if form.validate_on_submit():
        before = _snapshot(intervention, INTERVENTION_FIELDS) if intervention else None
        if intervention is None:
            intervention = Intervention(team=team, created_by_id=current_user.id)
            db.session.add(intervention)
        form.populate_obj(intervention)
        db.session.flush()
        audit.record(
            current_user,
            "intervention.save",
            intervention,
            before=before,
            after=_snapshot(intervention, INTERVENTION_FIELDS),
        )
        db.session.commit()
        flash(_("The change idea is saved."), "success")
        return redirect(url_for("teams.interventions", team_id=team.id))
    return render_template(
        "teams/intervention_form.html",
        team=team,
        form=form,
        intervention=intervention,
        patient_warning=PATIENT_WARNING,
    )


@login_required
def edit_cycle(team_id: int, intervention_id: int, cycle_id: int | None = None):
    team = permissions.team_or_abort(team_id, current_user, edit=True)
    intervention = permissions.one_or_404(Intervention, intervention_id, team_id=team.id)
    cycle = None
    if cycle_id is not None:
        cycle = db.session.get(PdsaCycle, cycle_id)
        if cycle is None or cycle.intervention_id != intervention.id:
            abort(404)
    form = PdsaForm(obj=cycle, network=team.network)
    if cycle is None and not form.is_submitted():
        form.start_date.data = None
    if form.validate_on_submit():
        before = _snapshot(cycle, PDSA_FIELDS) if cycle else None
        if cycle is None:
            number = (
                db.session.scalar(
                    select(func.coalesce(func.max(PdsaCycle.number), 0)).where(
                        PdsaCycle.intervention_id == intervention.id
                    )
                )
                + 1
            )
            cycle = PdsaCycle(intervention=intervention, number=number)
            db.session.add(cycle)
        form.populate_obj(cycle)
        cycle.outcome = cycle.outcome or None
        db.session.flush()
        audit.record(current_user, "pdsa.save", cycle, before=before, after=_snapshot(cycle, PDSA_FIELDS))
        db.session.commit()
        flash(_("PDSA cycle %(number)d is saved.", number=cycle.number), "success")
        return redirect(
            url_for("teams.interventions", team_id=team.id, _anchor=f"intervention-{intervention.id}")
        )
    return render_template(
        "teams/pdsa_form.html",
        team=team,
        intervention=intervention,
        form=form,
        cycle=cycle,
        patient_warning=PATIENT_WARNING,
    )
