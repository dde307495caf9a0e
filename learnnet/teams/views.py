from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from learnnet import clock, permissions
from learnnet.extensions import db
from learnnet.i18n import month_name
from learnnet.measurements import recording
from learnnet.measurements.periods import parse_period
from learnnet.models import Measurement, MeasurementHistory
from learnnet.teams.forms import PATIENT_WARNING, entry_form, saved_row, typed_row
from learnnet.teams.services import (
    RowInput,
    baseline_periods,
    check_month,
    due_period,
    entry_periods,
    measures_with_data,
    missing_months,
    month_measurements,
    save_month,
    team_status,
)


@login_required
def team(team_id: int):
    team = permissions.team_or_abort(team_id, current_user)
    period = due_period(team, clock.today())
    return render_template(
        "teams/team.html",
        team=team,
        period=period,
        statuses=team_status(team, period),
        charted=measures_with_data(team),
        missing=missing_months(team, clock.today()),
        can_enter=permissions.can_enter_data(current_user, team),
    )


def _version(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


def _values(row) -> recording.Values:
    """What a row of the entry form holds (its fields already converted)."""
    return recording.Values(
        numerator=row.numerator.data if row.numerator else None,
        denominator=row.denominator.data if row.denominator else None,
        value=row.value.data if row.value else None,
        comment=row.comment.data or "",
    )


def _input(row) -> RowInput:
    return RowInput(row.measure, _values(row), _version(row.version.data))


def _is_live(measurement: Measurement | None) -> bool:
    return measurement is not None and not measurement.is_deleted


def _fill_row(row, measurement: Measurement | None) -> None:
    """Put a saved measurement's values into a row's fields (and its version into the hidden one)."""
    live = _is_live(measurement)
    if row.measure.is_ratio:
        row.numerator.data = measurement.numerator if live else None
        row.denominator.data = measurement.denominator if live else None
        row.numerator.raw_data = row.denominator.raw_data = None
    else:
        row.value.data = measurement.value if live else None
        row.value.raw_data = None
    row.comment.data = measurement.comment if live else ""
    row.version.data = str(measurement.version if measurement else 0)


@login_required
def entry(team_id: int):
    team = permissions.team_or_abort(team_id, current_user, edit=True)
    today = clock.today()
    periods = entry_periods(team, today)
    baseline = baseline_periods(team, today)
    period = parse_period(request.args.get("period")) or next(iter(periods or baseline), None)
    if period is None:
        abort(404)
    outside = period not in periods and period not in baseline
    measures = list(team.network.measures)
    saved_rows = month_measurements(team, period)
    page = dict(team=team, period=period, periods=periods, baseline=baseline, outside=outside)
    if request.method == "GET":
        # Opened far more often than saved: drawn from what is saved, with no form machinery.
        rows = [saved_row(m, saved_rows.get(m.id)) for m in measures]
        return _entry_page(page, rows, saved_rows, today)

    form, fields = entry_form(measures, request.form)
    conflicts: dict[int, Measurement] = {}
    problems: dict[int, list[recording.Problem]] = {}
    needs_confirmation = False
    if form.use_saved.data and form.use_saved.data.isdigit():
        # "Use the saved value" on a conflict: show what the other person saved.
        for row in fields:
            if row.measure.id == int(form.use_saved.data):
                _fill_row(row, saved_rows.get(row.measure.id))
        form.use_saved.data = ""
    elif outside:
        flash(
            _("%(month)s is outside the network's period; nothing was saved.", month=month_name(period)),
            "danger",
        )
    elif form.validate():
        inputs = [_input(row) for row in fields]
        outcome = save_month(
            team,
            period,
            inputs,
            current_user,
            confirmed=bool(form.confirm.data),
            earliest=baseline[-1] if period in baseline else None,
            saved=saved_rows,
        )
        if outcome.ok:
            db.session.commit()
            if outcome.saved:
                flash(
                    ngettext(
                        "Saved %(num)d measure for %(month)s.",
                        "Saved %(num)d measures for %(month)s.",
                        outcome.saved,
                        month=month_name(period),
                    ),
                    "success",
                )
            else:
                flash(_("Nothing had changed; nothing was saved."), "info")
            emptied = [m.short_name or m.name for m in outcome.emptied]
            if emptied:
                flash(
                    _(
                        "An emptied field does not delete a saved value; kept as saved: %(measures)s. "
                        "To remove a value, use “Delete this value” under it.",
                        measures=", ".join(emptied),
                    ),
                    "info",
                )
            return redirect(url_for("teams.entry", team_id=team.id, period=period.strftime("%Y-%m"), saved=1))
        db.session.rollback()
        problems = outcome.problems
        conflicts = {mid: m for mid, m in outcome.conflicts.items() if m is not None}
        needs_confirmation = outcome.needs_confirmation
        for row in fields:
            if row.measure.id in conflicts:
                # The next save starts from what is saved now: pressing Save keeps the user's values.
                row.version.data = str(conflicts[row.measure.id].version)
        if conflicts:
            flash(
                _(
                    "Someone else saved some of these numbers while you were editing. Nothing was saved; choose below."
                ),
                "warning",
            )
        elif needs_confirmation:
            flash(_("Some numbers look unusual. Check them, then tick the box and save again."), "warning")
        else:
            flash(_("Nothing was saved. Correct the fields marked below."), "danger")
    else:
        # Some fields are not numbers. The other rows' own errors (a numerator above its
        # denominator) are shown now too, rather than after the next try.
        readable = [_input(row) for row in fields if not row.errors]
        problems = check_month(team, period, readable, saved_rows)
        flash(_("Nothing was saved. Correct the fields marked below."), "danger")
    rows = [typed_row(row) for row in fields]
    return _entry_page(
        page,
        rows,
        saved_rows,
        today,
        problems=problems,
        conflicts=conflicts,
        needs_confirmation=needs_confirmation,
    )


def _entry_page(
    page: dict, rows, saved_rows, today, *, problems=None, conflicts=None, needs_confirmation=False
):
    team, period = page["team"], page["period"]
    recent = {status.measure.id: status.recent for status in team_status(team, period, months_back=3)}
    return render_template(
        "teams/entry.html",
        **page,
        rows=rows,
        saved_rows=saved_rows,
        recent=recent,
        problems=problems or {},
        conflicts=conflicts or {},
        needs_confirmation=needs_confirmation,
        missing=missing_months(team, today),
        patient_warning=PATIENT_WARNING,
        draft_key=f"{team.id}:{period:%Y-%m}",
        just_saved=request.args.get("saved") == "1" and request.method == "GET",
    )


@login_required
def delete_measurement(team_id: int, measurement_id: int):
    team = permissions.team_or_abort(team_id, current_user, edit=True)
    m = permissions.one_or_404(Measurement, measurement_id, team_id=team.id)
    result = recording.delete(m, current_user, base_version=_version(request.form.get("version")))
    if result.status == "conflict":
        flash(
            _("The value was changed by someone else; nothing was deleted. Look again and retry."), "warning"
        )
    else:
        db.session.commit()
        flash(
            _(
                "The value for %(month)s was deleted. You can restore it from the history.",
                month=month_name(m.period),
            ),
            "success",
        )
    return redirect(url_for("teams.entry", team_id=team.id, period=m.period.strftime("%Y-%m")))


@login_required
def restore_measurement(team_id: int, measurement_id: int, history_id: int):
    team = permissions.team_or_abort(team_id, current_user, edit=True)
    m = permissions.one_or_404(Measurement, measurement_id, team_id=team.id)
    history = db.session.get(MeasurementHistory, history_id)
    if history is None or history.measurement_id != m.id:
        abort(404)
    result = recording.restore(m, history, current_user, base_version=_version(request.form.get("version")))
    if result.status == "conflict":
        flash(
            _("The value was changed by someone else; nothing was restored. Look again and retry."), "warning"
        )
    else:
        db.session.commit()
        flash(_("The earlier value for %(month)s was restored.", month=month_name(m.period)), "success")
    return redirect(url_for("teams.entry", team_id=team.id, period=m.period.strftime("%Y-%m")))
