"""A team's measure: the full chart, its reading, the data and the chart settings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from charts.pack import slug
from learnnet import audit, permissions
from learnnet.analysis import analyse_team_measure, chart_settings, load_series
from learnnet.analysis.chartdata import FORMATS, figure_data, image_response, render
from learnnet.analysis.readings import describe
from learnnet.extensions import db
from learnnet.measurements.periods import parse_period
from learnnet.models import ChartExclusion, ChartPhase, ChartSettings, MeasureDefinition
from learnnet.teams.forms import PATIENT_WARNING, ChartKindForm, ExclusionForm, PhaseForm


def _settings_snapshot(settings: ChartSettings) -> dict:
    return {
        "chart_kind": settings.chart_kind,
        "freeze_period": settings.freeze_period.isoformat() if settings.freeze_period else None,
        "phases": [[p.start_period.isoformat(), p.label] for p in settings.phases],
        "exclusions": [[e.period.isoformat(), e.reason] for e in settings.exclusions],
    }


@login_required
def measure(team_id: int, measure_id: int):
    team = permissions.team_or_abort(team_id, current_user)
    return _page(team, permissions.one_or_404(MeasureDefinition, measure_id, network_id=team.network_id))


def _page(team, measure: MeasureDefinition, refused=None):
    """The measure page; ``refused`` is a settings form that was not saved, shown again as typed."""
    settings = chart_settings(team, measure)
    analysis = analyse_team_measure(team, measure, settings=settings)
    series = analysis.series
    periods = list(series.periods)
    forms = {
        "kind_form": ChartKindForm(
            measure.value_kind,
            periods,
            _filled(series),
            formdata=None,
            data={
                "chart_kind": (settings.chart_kind or "") if settings else "",
                "freeze_period": settings.freeze_period.strftime("%Y-%m")
                if settings and settings.freeze_period
                else "",
            },
        ),
        "phase_form": PhaseForm(periods, formdata=None),
        "exclusion_form": ExclusionForm(periods, formdata=None),
    }
    for name, form in forms.items():
        if refused is not None and type(form) is type(refused):
            forms[name] = refused
    return render_template(
        "teams/measure.html",
        team=team,
        measure=measure,
        analysis=analysis,
        reading=describe(analysis),
        settings=settings,
        can_change=permissions.can_change_chart_settings(current_user, team),
        settings_open=refused is not None,
        patient_warning=PATIENT_WARNING,
        **forms,
    )


def _settings_for_change(team_id: int, measure_id: int):
    team = permissions.team_or_abort(team_id, current_user)
    if not permissions.can_change_chart_settings(current_user, team):
        abort(403)
    measure = permissions.one_or_404(MeasureDefinition, measure_id, network_id=team.network_id)
    settings = chart_settings(team, measure)
    if settings is None:
        settings = ChartSettings(team_id=team.id, measure_id=measure.id)
        db.session.add(settings)
        db.session.flush()
    return team, measure, settings, load_series(team, measure)


def _filled(series) -> list:
    """The months of a series that have numbers."""
    return [p for p, y in zip(series.periods, series.y, strict=True) if y is not None]


def _done(team, measure, settings, before: dict, message: str):
    db.session.flush()
    db.session.refresh(settings)
    audit.record(
        current_user, "chart_settings.change", settings, before=before, after=_settings_snapshot(settings)
    )
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("teams.measure", team_id=team.id, measure_id=measure.id, _anchor="settings"))


def _refused(team, measure, form):
    """The page again, with the form as typed and its problems beside the fields."""
    db.session.rollback()
    flash(_("Nothing was saved. Correct the fields marked below."), "danger")
    return _page(team, measure, refused=form)


@login_required
def chart_kind(team_id: int, measure_id: int):
    team, measure, settings, series = _settings_for_change(team_id, measure_id)
    form = ChartKindForm(measure.value_kind, list(series.periods), _filled(series))
    if not form.validate_on_submit():
        return _refused(team, measure, form)
    before = _settings_snapshot(settings)
    settings.chart_kind = form.chart_kind.data or None
    settings.freeze_period = parse_period(form.freeze_period.data)
    return _done(team, measure, settings, before, _("The chart settings are saved."))


@login_required
def add_phase(team_id: int, measure_id: int):
    team, measure, settings, series = _settings_for_change(team_id, measure_id)
    form = PhaseForm(list(series.periods))
    if not form.validate_on_submit():
        return _refused(team, measure, form)
    start = parse_period(form.start_period.data)
    if any(p.start_period == start for p in settings.phases):
        form.start_period.errors.append(_("A phase already starts in that month."))
        return _refused(team, measure, form)
    before = _settings_snapshot(settings)
    settings.phases.append(ChartPhase(start_period=start, label=form.label.data))
    return _done(team, measure, settings, before, _("The new phase is saved."))


@login_required
def delete_phase(team_id: int, measure_id: int, phase_id: int):
    return _remove(team_id, measure_id, "phases", phase_id, _("The phase is removed."))


@login_required
def add_exclusion(team_id: int, measure_id: int):
    team, measure, settings, series = _settings_for_change(team_id, measure_id)
    form = ExclusionForm(list(series.periods))
    if not form.validate_on_submit():
        return _refused(team, measure, form)
    period = parse_period(form.period.data)
    if any(e.period == period for e in settings.exclusions):
        form.period.errors.append(_("That month is already left out."))
        return _refused(team, measure, form)
    before = _settings_snapshot(settings)
    settings.exclusions.append(ChartExclusion(period=period, reason=form.reason.data))
    return _done(team, measure, settings, before, _("The month is left out of the calculation."))


@login_required
def delete_exclusion(team_id: int, measure_id: int, exclusion_id: int):
    return _remove(
        team_id, measure_id, "exclusions", exclusion_id, _("The month is back in the calculation.")
    )


def _remove(team_id: int, measure_id: int, collection: str, item_id: int, message: str):
    """Remove a phase or an excluded month from a chart's settings."""
    team, measure, settings, _series = _settings_for_change(team_id, measure_id)
    items = getattr(settings, collection)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        abort(404)
    before = _settings_snapshot(settings)
    items.remove(item)
    return _done(team, measure, settings, before, message)


@login_required
def measure_chart(team_id: int, measure_id: int, fmt: str):
    """The chart as PNG, SVG or PDF, cached by the browser until anything drawn changes."""
    if fmt not in FORMATS:
        abort(404)
    team = permissions.team_or_abort(team_id, current_user)
    measure = permissions.one_or_404(MeasureDefinition, measure_id, network_id=team.network_id)
    data = figure_data(analyse_team_measure(team, measure))
    return image_response(data, render, fmt, f"{slug(team.name)}-{slug(measure.label)}")
