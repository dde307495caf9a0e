from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from charts.funnel import render_funnel
from charts.multiples import render_small_multiples
from charts.spc import render_spc
from learnnet import clock, permissions
from learnnet.county import bp
from learnnet.county import services as svc
from learnnet.county.figures import effect_figure, funnel_figure, multiples_figure
from learnnet.county.suppression import Suppression, policy
from learnnet.county.texts import (
    effect_sentence,
    funnel_choice_text,
    funnel_method_text,
    position_text,
    problem_text,
    verdict_text,
)
from learnnet.exports import FORMATS, Table, download
from learnnet.extensions import db
from learnnet.measurements.periods import default_entry_period, parse_period
from learnnet.models import MeasureDefinition, Network, Region
from learnnet.teams.services import complete_teams_per_network

IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


@bp.route("/")
@login_required
def overview():
    permissions.require_county(current_user)
    regions = list(db.session.scalars(select(Region).order_by(Region.name)))
    networks = list(db.session.scalars(select(Network).order_by(Network.start_date.desc())))
    period = default_entry_period(clock.today())
    return render_template(
        "county/overview.html",
        regions=regions,
        networks=networks,
        period=period,
        complete=complete_teams_per_network(networks, period),
        can_open_networks=permissions.sees_whole_county(current_user),
    )


@dataclass(frozen=True)
class Query:
    """What the comparison page was asked for, read from the address."""

    measure: MeasureDefinition
    window: svc.Window
    level: str
    adjust: str
    change: dt.date
    published: bool
    suppression: Suppression

    def args(self, **extra) -> dict:
        values = {
            "measure": self.measure.id,
            "first": self.window.first.strftime("%Y-%m"),
            "last": self.window.last.strftime("%Y-%m"),
            "level": self.level,
            "adjust": self.adjust,
            "change": self.change.strftime("%Y-%m"),
        }
        if self.published:
            values["published"] = 1
        return values | extra


def _measures_for(user) -> list[MeasureDefinition]:
    return [m for m in svc.comparable_measures() if permissions.can_compare(user, m.network)]


def _query() -> Query:
    """Parse the address; a malformed value falls back to its default rather than failing."""
    measures = _measures_for(current_user)
    if not permissions.can_view_county(current_user) and not measures:
        abort(403)
    measure = None
    raw = request.args.get("measure", "")
    if raw.isdigit():
        measure = db.session.get(MeasureDefinition, int(raw))
        if measure is None:
            abort(404)
        if not permissions.can_compare(current_user, measure.network):
            abort(403)
    else:
        network_raw = request.args.get("network", "")
        wanted = int(network_raw) if network_raw.isdigit() else None
        candidates = [m for m in measures if wanted is None or m.network_id == wanted]
        measure = candidates[0] if candidates else None
    if measure is None:
        abort(404)
    today = clock.today()
    window = svc.window_from(
        measure, today, parse_period(request.args.get("first")), parse_period(request.args.get("last"))
    )
    level = request.args.get("level", "unit")
    adjust = request.args.get("adjust", "auto")
    change = parse_period(request.args.get("change")) or measure.network.start_date.replace(day=1)
    published = request.args.get("published") == "1"
    teams = list(measure.network.teams)
    suppression = policy(
        current_user, teams, current_app.config["SMALL_NUMBER_THRESHOLD"], published=published
    )
    return Query(
        measure,
        window,
        level if level in svc.LEVELS else "unit",
        adjust if adjust in svc.ADJUSTMENTS else "auto",
        change,
        published,
        suppression,
    )


def _comparison(q: Query) -> svc.Comparison:
    return svc.compare(q.measure, q.window, q.suppression, level=q.level, adjust=q.adjust)


def _effect(q: Query) -> svc.NetworkEffect:
    return svc.network_effect(q.measure, q.change, q.window.last, q.suppression, q.window.first)


@bp.route("/compare")
@login_required
def compare():
    q = _query()
    comparison = _comparison(q)
    effect = _effect(q)
    charts = svc.team_charts(q.measure, q.window, q.suppression)
    return render_template(
        "county/compare.html",
        q=q,
        measures=_measures_for(current_user),
        comparison=comparison,
        effect=effect,
        effect_sentences=_effect_sentences(effect),
        has_funnel=funnel_figure(comparison) is not None,
        funnel_method_text=funnel_method_text,
        funnel_choice_text=funnel_choice_text,
        has_multiples=any(c.analysis.chart is not None for c in charts),
        charts_hidden=sum(1 for c in charts if c.hidden),
        may_publish=q.suppression.open_team_ids is None or q.published,
        position_text=position_text,
        verdict_text=verdict_text,
        problem_text=problem_text,
        team_sentence=lambda te: _team_sentence(effect, te),
    )


def _effect_sentences(effect: svc.NetworkEffect) -> list[str]:
    sentences = []
    if effect.pooled is not None:
        sentences.append(
            effect_sentence(
                effect.measure,
                effect.pooled,
                effect.scale,
                effect.change,
                effect.periods[-1],
                who=_("All teams pooled") if effect.complete else _("The teams shown, pooled"),
                effect_at_end=effect.aggregate.effect_at_end if effect.aggregate is not None else None,
            )
        )
    elif effect.aggregate is not None:
        sentences.append(
            effect_sentence(
                effect.measure,
                effect.aggregate,
                effect.scale,
                effect.change,
                effect.periods[-1],
                who=_("All teams added up") if effect.complete else _("The teams shown, added up"),
                effect_at_end=effect.aggregate.effect_at_end,
            )
        )
    return sentences


def _team_sentence(effect: svc.NetworkEffect, team_effect: svc.TeamEffect) -> str:
    if team_effect.result is None:
        return ""
    return effect_sentence(
        effect.measure,
        team_effect.result,
        effect.scale,
        effect.change,
        team_effect.periods[-1],
        who=team_effect.team.name,
        effect_at_end=team_effect.result.effect_at_end,
    )


# --- images -----------------------------------------------------------------------------------


def _image(data, render, fmt: str, name: str) -> Response:
    if fmt not in IMAGE_TYPES:
        abort(404)
    if data is None:
        abort(404)
    size = request.args.get("size", "web")
    if size not in ("web", "slide", "a4"):
        size = "web"
    response = Response(render(data, fmt, size), mimetype=IMAGE_TYPES[fmt])
    response.headers["Cache-Control"] = "private, no-cache"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/compare/funnel.<fmt>")
@login_required
def funnel_image(fmt: str):
    q = _query()
    return _image(funnel_figure(_comparison(q)), render_funnel, fmt, f"funnel-{q.measure.id}")


@bp.route("/compare/multiples.<fmt>")
@login_required
def multiples_image(fmt: str):
    q = _query()
    data = multiples_figure(svc.team_charts(q.measure, q.window, q.suppression), _comparison(q))
    return _image(data, render_small_multiples, fmt, f"teams-{q.measure.id}")


@bp.route("/compare/effect.<fmt>")
@login_required
def effect_image(fmt: str):
    q = _query()
    return _image(effect_figure(_effect(q)), render_spc, fmt, f"effect-{q.measure.id}")


# --- exports ----------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def comparison_table(comparison: svc.Comparison) -> Table:
    measure = comparison.measure
    first = _("Unit") if comparison.level == "unit" else _("Municipality")
    headers = (
        first,
        _("Municipality"),
        _("Numerator"),
        _("Denominator"),
        f"{_('Value')} ({measure.unit_label})".replace(" ()", ""),
        _("z-score"),
        _("Position"),
    )
    rows = []
    for row in comparison.rows:
        if row.hidden:
            rows.append((row.label, row.municipality, None, None, None, None, _("suppressed")))
        elif not row.has_data:
            rows.append((row.label, row.municipality, None, None, None, None, _("no numbers")))
        else:
            rows.append(
                (
                    row.label,
                    row.municipality,
                    row.numerator,
                    row.denominator,
                    _round(row.value),
                    _round(row.z),
                    position_text(row),
                )
            )
    notes = [f"{measure.name} · {comparison.window.first:%Y-%m} – {comparison.window.last:%Y-%m}"]
    if comparison.hidden_count:
        notes.append(
            _(
                "Units with a count below %(threshold)d are suppressed to protect privacy.",
                threshold=comparison.threshold,
            )
        )
    return Table(measure.label, headers, tuple(rows), tuple(notes))


def effect_table(effect: svc.NetworkEffect) -> Table:
    headers = (
        _("Team"),
        _("Reading"),
        _("Before the change"),
        _("From the change, in the period"),
        _("Level change"),
        _("95 % CI low"),
        _("95 % CI high"),
        _("Change in monthly trend"),
        _("95 % CI low"),
        _("95 % CI high"),
        _("Difference from expected in the last month"),
        _("Sentence"),
    )
    rows = []
    for te in effect.teams:
        if te.hidden:
            rows.append((te.team.name, _("suppressed")) + (None,) * 10)
        elif te.result is None:
            rows.append(
                (te.team.name, problem_text(te.problem), _round(te.before), _round(te.after)) + (None,) * 8
            )
        else:
            numbers = []
            for part in (te.result.level_change, te.result.slope_change):
                if part.ratio is not None:
                    numbers += [part.ratio, part.ratio_ci_low, part.ratio_ci_high]
                else:
                    numbers += [
                        part.estimate * effect.scale,
                        part.ci_low * effect.scale,
                        part.ci_high * effect.scale,
                    ]
            rows.append(
                (
                    te.team.name,
                    verdict_text(te.verdict),
                    _round(te.before),
                    _round(te.after),
                    *[_round(v, 3) for v in numbers],
                    _round(te.result.effect_at_end * effect.scale),
                    _team_sentence(effect, te),
                )
            )
    notes = tuple(_effect_sentences(effect))
    if any(te.hidden for te in effect.teams):
        notes += (
            _(
                "Teams with a count below %(threshold)d are suppressed to protect privacy.",
                threshold=current_app.config["SMALL_NUMBER_THRESHOLD"],
            ),
        )
    return Table(effect.measure.label, headers, tuple(rows), notes)


@bp.route("/compare/units.<fmt>")
@login_required
def units_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    q = _query()
    return download(
        comparison_table(_comparison(q)),
        fmt,
        f"units-{q.measure.id}-{q.window.first:%Y%m}-{q.window.last:%Y%m}",
    )


@bp.route("/compare/effects.<fmt>")
@login_required
def effects_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    q = _query()
    return download(effect_table(_effect(q)), fmt, f"effect-{q.measure.id}-{q.change:%Y%m}")
