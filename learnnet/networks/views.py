from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from charts.pack import slug
from charts.signals import render_signal_counts
from learnnet import clock, permissions
from learnnet.analysis.chartdata import FORMATS as CHART_FORMATS
from learnnet.analysis.chartdata import draw_figure, image_response, render
from learnnet.exports import FORMATS, Table, download
from learnnet.extensions import db
from learnnet.i18n import month_label
from learnnet.library import read_topics
from learnnet.measurements.periods import add_months, default_entry_period, months_between
from learnnet.models import MeasureDefinition, MeasureTemplate, Network, Region, Unit, User
from learnnet.networks import bp, figures
from learnnet.networks import services as svc
from learnnet.networks.forms import (
    AddMeasureForm,
    AddTeamForm,
    DefinitionForm,
    FacilitatorForm,
    NetworkForm,
    NewNetworkForm,
    RemoveFacilitatorForm,
    SessionForm,
)
from learnnet.networks.packs import packs_of
from learnnet.reminders.services import reminders_of
from learnnet.suppression import policy
from learnnet.teams.services import complete_teams_per_network, completeness


@bp.app_template_filter("session_heading")
def session_heading(session) -> str:
    """ "Learning session 2: Midway" in the page's language, the session's name said once."""
    return svc.session_heading(session, current_app.config["LANGUAGES"])


@bp.route("/")
@login_required
def index():
    query = permissions.visible_networks(current_user).order_by(Network.status, Network.start_date.desc())
    networks = list(db.session.scalars(query))
    period = default_entry_period(clock.today())
    return render_template(
        "networks/index.html",
        networks=networks,
        period=period,
        complete=complete_teams_per_network(networks, period),
        can_create=permissions.can_create_network(current_user),
    )


def _municipality_arg(network: Network) -> int | None:
    raw = request.args.get("municipality", "")
    if not raw.isdigit():
        return None
    wanted = int(raw)
    return wanted if wanted in dict(svc.municipalities_of(network)) else None


def _dashboard(network: Network):
    municipality_id = _municipality_arg(network)
    return svc.dashboard(network, _suppression(network), municipality_id=municipality_id), municipality_id


def _suppression(network: Network):
    return policy(current_user, list(network.teams), current_app.config["SMALL_NUMBER_THRESHOLD"])


def _measure_arg(network: Network) -> MeasureDefinition | None:
    """The measure the network's pooled charts show: the one asked for, else the first."""
    raw = request.args.get("measure", "")
    chosen = next((m for m in network.measures if raw.isdigit() and m.id == int(raw)), None)
    return chosen or (network.measures[0] if network.measures else None)


def _as_one(network: Network) -> dict:
    """The network seen as one, for its page: the pooled chart and the teams with a signal."""
    measure = _measure_arg(network)
    if measure is None:
        return {"pooled_measure": None}
    suppression = _suppression(network)
    threshold = current_app.config["SMALL_NUMBER_THRESHOLD"]
    pooled = svc.pooled_chart(network, measure, suppression)
    signals = svc.signal_counts(network, measure, suppression, periods=pooled.analysis.series.periods)
    return {
        "pooled_measure": measure,
        "pooled": pooled,
        "pooled_table": figures.pooled_table(pooled, threshold),
        "pooled_reading": figures.pooled_reading(pooled),
        "signals": signals,
        "signals_table": figures.signals_table(signals),
        "signals_text": figures.signals_description(signals),
    }


@bp.route("/<int:network_id>")
@login_required
def network(network_id: int):
    network = permissions.network_or_abort(network_id, current_user)
    packs = {s.id: packs_of(s)[:1] for s in network.sessions}
    board, municipality_id = _dashboard(network)
    last = min(default_entry_period(clock.today()), network.end_date.replace(day=1))
    periods = months_between(max(add_months(last, -5), network.start_date.replace(day=1)), last)
    return render_template(
        "networks/network.html",
        network=network,
        board=board,
        periods=periods,
        last_month=last,
        done=completeness(list(board.teams), periods),
        reminded=reminders_of(list(board.teams), periods),
        can_remind=permissions.can_send_reminder(current_user, network),
        municipalities=svc.municipalities_of(network),
        municipality_id=municipality_id,
        can_manage=permissions.can_manage_network(current_user, network),
        can_build=permissions.can_build_pack(current_user, network),
        can_compare=permissions.can_compare(current_user, network),
        next_session=svc.next_session(network, clock.today()),
        packs=packs,
        **_as_one(network),
    )


def _pooled_measure(network_id: int, measure_id: int) -> tuple[Network, MeasureDefinition]:
    network = permissions.network_or_abort(network_id, current_user)
    return network, permissions.one_or_404(MeasureDefinition, measure_id, network_id=network.id)


@bp.route("/<int:network_id>/measures/<int:measure_id>/pooled.<fmt>")
@login_required
def pooled_image(network_id: int, measure_id: int, fmt: str):
    if fmt not in CHART_FORMATS:
        abort(404)
    network, measure = _pooled_measure(network_id, measure_id)
    threshold = current_app.config["SMALL_NUMBER_THRESHOLD"]
    data = figures.pooled_figure(svc.pooled_chart(network, measure, _suppression(network)), threshold)
    if data is None:
        abort(404)
    return image_response(data, render, fmt, f"{slug(network.name)}-{slug(measure.label)}")


@bp.route("/<int:network_id>/measures/<int:measure_id>/signals.<fmt>")
@login_required
def signals_image(network_id: int, measure_id: int, fmt: str):
    if fmt not in CHART_FORMATS:
        abort(404)
    network, measure = _pooled_measure(network_id, measure_id)
    data = figures.signals_figure(svc.signal_counts(network, measure, _suppression(network)))
    return image_response(
        data, draw_figure(render_signal_counts), fmt, f"{slug(network.name)}-{slug(measure.label)}-signals"
    )


@bp.route("/<int:network_id>/measures/<int:measure_id>/pooled-table.<fmt>")
@login_required
def pooled_export(network_id: int, measure_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    network, measure = _pooled_measure(network_id, measure_id)
    threshold = current_app.config["SMALL_NUMBER_THRESHOLD"]
    table = figures.pooled_table(svc.pooled_chart(network, measure, _suppression(network)), threshold)
    return download(table, fmt, f"network-{network.id}-{slug(measure.label)}")


@bp.route("/<int:network_id>/measures/<int:measure_id>/signals-table.<fmt>")
@login_required
def signals_export(network_id: int, measure_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    network, measure = _pooled_measure(network_id, measure_id)
    table = figures.signals_table(svc.signal_counts(network, measure, _suppression(network)))
    return download(table, fmt, f"network-{network.id}-{slug(measure.label)}-signals")


def matrix_table(board: svc.Dashboard) -> Table:
    headers = [_("Team"), _("Municipality")]
    for measure in board.measures:
        headers += [
            f"{measure.label}: {_('latest month')}",
            f"{measure.label}: {_('value')}",
            f"{measure.label}: {_('variation')}",
            f"{measure.label}: {_('assurance')}",
        ]
    names = {
        "common": _("Common cause"),
        "improvement": _("Improvement"),
        "concern": _("Concern"),
        "neutral": _("Special cause"),
        "pass": _("Meets the target"),
        "fail": _("Misses the target"),
        "hit_and_miss": _("Hit and miss"),
    }
    rows = []
    for team in board.teams:
        row = [team.name, team.unit.municipality.name]
        for measure in board.measures:
            cell = board.cell(team, measure)
            if cell.hidden:
                row += [month_label(cell.period) if cell.period else None, _("suppressed"), None, None]
                continue
            row += [
                month_label(cell.period) if cell.period else None,
                None if cell.value is None else round(cell.value, 2),
                names.get(cell.variation or ""),
                names.get(cell.assurance or ""),
            ]
        rows.append(tuple(row))
    notes = ()
    if board.hidden_count:
        notes = (
            _(
                "Cells based on fewer than %(count)d are suppressed to protect privacy.",
                count=current_app.config["SMALL_NUMBER_THRESHOLD"],
            ),
        )
    return Table(board.network.name, tuple(headers), tuple(rows), notes)


@bp.route("/<int:network_id>/matrix.<fmt>")
@login_required
def matrix_export(network_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    network = permissions.network_or_abort(network_id, current_user)
    board, _municipality = _dashboard(network)
    return download(matrix_table(board), fmt, f"network-{network.id}-matrix")


# --- set-up ---------------------------------------------------------------------------------


def _templates() -> list[MeasureTemplate]:
    return list(
        db.session.scalars(select(MeasureTemplate).order_by(MeasureTemplate.topic, MeasureTemplate.code))
    )


def _template_groups(language: str) -> list[tuple[str, list[SelectChoice]]]:
    """The template library by topic, each topic and measure named in ``language``."""
    topics = read_topics()
    groups: dict[str, list[SelectChoice]] = {}
    for t in _templates():
        topic = topics.get(t.topic, {}).get(language) or t.topic
        groups.setdefault(topic, []).append(SelectChoice(t.id, t.text(language, "name") or t.code))
    return list(groups.items())


def _template_choices(language: str, leave_out: frozenset[int] = frozenset()) -> list[SelectChoice]:
    return [
        SelectChoice(choice.value, f"{topic} · {choice.label}")
        for topic, choices in _template_groups(language)
        for choice in choices
        if choice.value not in leave_out
    ]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_create_network(current_user):
        abort(403)
    form = NewNetworkForm()
    form.region.choices = [
        SelectChoice(r.id, r.name) for r in db.session.scalars(select(Region).order_by(Region.name))
    ]
    # The library in the reader's language; each measure is copied in the network's own language.
    language = str(get_locale())
    form.templates.choices = _template_choices(language)
    if request.method == "GET":
        today = clock.today()
        form.start_date.data = add_months(today.replace(day=1), 1)
        form.end_date.data = add_months(form.start_date.data, 12) - dt.timedelta(days=1)
    if form.validate_on_submit():
        if db.session.scalar(select(Network).where(Network.name == form.name.data)):
            form.name.errors.append(_("A network with this name exists already."))
        else:
            chosen = {t.id: t for t in _templates()}
            network = svc.create_network(
                current_user,
                region_id=form.region.data,
                name=form.name.data,
                topic=form.topic.data,
                description=form.description.data or "",
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                rule_set=form.rule_set.data,
                language=form.language.data,
                templates=[chosen[i] for i in form.templates.data if i in chosen],
                status=form.status.data,
            )
            db.session.commit()
            flash(_("The network is created. Add teams and learning sessions next."), "success")
            return redirect(url_for("networks.setup", network_id=network.id))
    return render_template("networks/new.html", form=form, template_groups=_template_groups(language))


@dataclass
class _SetupForms:
    network: NetworkForm
    measure: AddMeasureForm
    team: AddTeamForm
    session: SessionForm
    facilitator: FacilitatorForm


def _setup_forms(network: Network) -> _SetupForms:
    measure_form = AddMeasureForm(prefix="measure")
    # Only the measures the network has not got yet.
    added = {m.code for m in network.measures}
    measure_form.template.choices = _template_choices(
        network.language, frozenset(t.id for t in _templates() if t.code in added)
    )
    team_form = AddTeamForm(prefix="team")
    team_form.unit.choices = [
        SelectChoice(u.id, f"{u.municipality.name} · {u.name}") for u in svc.units_outside(network)
    ]
    facilitator_form = FacilitatorForm(prefix="facilitator")
    facilitator_form.person.choices = [
        SelectChoice(person.id, f"{person.name} ({person.email})")
        for person in svc.facilitator_candidates(network)
    ]
    session_form = SessionForm(prefix="session")
    session_form.period = (network.start_date, network.end_date)
    return _SetupForms(
        NetworkForm(obj=network, prefix="network"),
        measure_form,
        team_form,
        session_form,
        facilitator_form,
    )


def _saved(network: Network, message: str):
    """The request's one commit, and back to the set-up page with what was done."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("networks.setup", network_id=network.id))


# Each of the set-up page's forms: the response when it was done, None when its fields are wrong.
def _save_network(network: Network, forms: _SetupForms):
    form = forms.network
    if not form.validate_on_submit():
        return None
    fields = (
        "name", "topic", "description", "start_date", "end_date", "status", "rule_set", "language",
        "reminder_day",
    )
    svc.update_network(current_user, network, **{name: getattr(form, name).data for name in fields})
    return _saved(network, _("The network is saved."))


def _add_measure(network: Network, forms: _SetupForms):
    form = forms.measure
    if not form.validate_on_submit():
        return None
    template = db.session.get(MeasureTemplate, form.template.data)
    svc.add_measure(current_user, network, template, form.target.data)
    return _saved(network, _("The measure is added."))


def _add_team(network: Network, forms: _SetupForms):
    form = forms.team
    if not form.validate_on_submit():
        return None
    svc.add_team(current_user, network, db.session.get(Unit, form.unit.data), form.name.data or "")
    return _saved(network, _("The team is added."))


def _add_session(network: Network, forms: _SetupForms):
    form = forms.session
    if not form.validate_on_submit():
        return None
    svc.add_session(current_user, network, form.date.data, form.title.data or "")
    return _saved(network, _("The learning session is added."))


def _add_facilitator(network: Network, forms: _SetupForms):
    form = forms.facilitator
    chosen = form.person.raw_data[0] if form.person.raw_data else ""
    person = next((p for p in network.facilitators if str(p.id) == chosen), None)
    if person is None:
        if not form.validate_on_submit():
            return None
        person = db.session.get(User, form.person.data)
        try:
            svc.add_facilitator(current_user, network, person)
            db.session.commit()
        except IntegrityError:
            # Added twice at once (a double click): the first one stands.
            db.session.rollback()
    # else: sent twice (a double click, or from a page opened before): it is done already.
    return _saved(network, _("%(name)s facilitates the network now.", name=person.name))


def _remove_facilitator(network: Network, forms: _SetupForms):
    removal = RemoveFacilitatorForm()
    if not removal.validate_on_submit():
        return None
    person = next((p for p in network.facilitators if str(p.id) == removal.person.data), None)
    if person is None:
        # Removed already (a double click, or by someone else meanwhile).
        flash(_("That person no longer facilitates the network."), "info")
        return redirect(url_for("networks.setup", network_id=network.id))
    svc.remove_facilitator(current_user, network, person)
    response = _saved(network, _("%(name)s no longer facilitates the network.", name=person.name))
    if not permissions.can_manage_network(current_user, network):
        return redirect(url_for("networks.index"))
    return response


SETUP_ACTIONS = {
    "network": _save_network,
    "measure": _add_measure,
    "team": _add_team,
    "session": _add_session,
    "facilitator": _add_facilitator,
    "remove_facilitator": _remove_facilitator,
}


@bp.route("/<int:network_id>/setup", methods=["GET", "POST"])
@login_required
def setup(network_id: int):
    network = permissions.network_or_abort(network_id, current_user, manage=True)
    forms = _setup_forms(network)
    if request.method == "POST":
        action = SETUP_ACTIONS.get(request.form.get("action", ""))
        response = action(network, forms) if action is not None else None
        if response is not None:
            return response
        db.session.rollback()
        flash(_("Nothing was saved. Correct the fields marked below."), "danger")
    return render_template(
        "networks/setup.html",
        network=network,
        network_form=forms.network,
        measure_form=forms.measure,
        team_form=forms.team,
        session_form=forms.session,
        facilitator_form=forms.facilitator,
        remove_form=RemoveFacilitatorForm(),
    )


@bp.route("/<int:network_id>/measures/<int:measure_id>", methods=["GET", "POST"])
@login_required
def definition(network_id: int, measure_id: int):
    network = permissions.network_or_abort(network_id, current_user)
    measure = permissions.one_or_404(MeasureDefinition, measure_id, network_id=network.id)
    can_manage = permissions.can_manage_network(current_user, network)
    form = DefinitionForm(obj=measure)
    if request.method == "POST":
        if not can_manage:
            abort(403)
        if form.validate_on_submit():
            if svc.change_definition(current_user, measure, form.values()):
                db.session.commit()
                flash(_("The definition is saved; the earlier wording is kept in the history."), "success")
            else:
                flash(_("Nothing had changed; nothing was saved."), "info")
            return redirect(url_for("networks.definition", network_id=network.id, measure_id=measure.id))
        flash(_("Nothing was saved. Correct the fields marked below."), "danger")
    return render_template(
        "networks/definition.html",
        network=network,
        measure=measure,
        form=form,
        can_manage=can_manage,
        history=svc.definition_history(measure),
        labels=dict((f.name, f.label.text) for f in form),
    )
