from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from charts.forest import forest_size, render_forest
from charts.funnel import render_funnel
from charts.multiples import render_small_multiples
from charts.signals import render_signal_counts
from learnnet import clock, permissions
from learnnet.analysis.chartdata import draw_figure, image_response, render
from learnnet.county import bp
from learnnet.county import services as svc
from learnnet.county.figures import effect_figure, forest_figure, funnel_figure, multiples_figure
from learnnet.county.texts import (
    answer_sentence,
    caution_text,
    effect_sentence,
    funnel_choice_text,
    funnel_method_text,
    impact_text,
    model_sentence,
    position_text,
    problem_text,
    unit_words,
    verdict_text,
)
from learnnet.exports import FORMATS, Table, download
from learnnet.extensions import db
from learnnet.i18n import month_name
from learnnet.measurements.periods import default_entry_period, parse_period
from learnnet.models import MeasureDefinition, Network, Region
from learnnet.networks import figures as network_figures
from learnnet.suppression import Suppression, policy
from learnnet.teams.services import complete_teams_per_network


@bp.route("/")
@login_required
def overview():
    permissions.require_county(current_user)
    regions = list(db.session.scalars(select(Region).order_by(Region.name)))
    networks = list(db.session.scalars(select(Network).order_by(Network.start_date.desc())))
    period = default_entry_period(clock.today())
    comparable: dict[int, list[MeasureDefinition]] = {}
    for measure in svc.comparable_measures():
        comparable.setdefault(measure.network_id, []).append(measure)
    return render_template(
        "county/overview.html",
        regions=regions,
        networks=networks,
        period=period,
        complete=complete_teams_per_network(networks, period),
        can_open_networks=permissions.sees_whole_county(current_user),
        comparable=comparable,
    )


@dataclass(frozen=True)
class Query:
    """What the comparison page was asked for, read from the address."""

    measure: MeasureDefinition
    window: svc.Window
    # One of svc.PERIODS, or "custom" when the months were given.
    period: str
    level: str
    adjust: str
    change: dt.date
    published: bool
    suppression: Suppression

    def args(self, **extra) -> dict:
        period = extra.pop("period", self.period)
        values = {"measure": self.measure.id}
        if period == "custom":
            values |= {
                "first": self.window.first.strftime("%Y-%m"),
                "last": self.window.last.strftime("%Y-%m"),
            }
        else:
            values["period"] = period
        values |= {
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
        if measure.value_kind not in ("proportion", "rate"):
            abort(404)  # only proportions and rates are compared across units
    else:
        network_raw = request.args.get("network", "")
        wanted = int(network_raw) if network_raw.isdigit() else None
        candidates = [m for m in measures if wanted is None or m.network_id == wanted]
        measure = candidates[0] if candidates else None
    if measure is None:
        abort(404)
    today = clock.today()
    first, last = parse_period(request.args.get("first")), parse_period(request.args.get("last"))
    period = request.args.get("period", "")
    if period not in svc.PERIODS:
        period = "custom" if first or last else svc.PERIODS[0]
    if period == "custom":
        window = svc.window_from(measure, today, first, last)
    else:
        window = svc.window_for(measure, today, period)
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
        period,
        level if level in svc.LEVELS else "unit",
        adjust if adjust in svc.ADJUSTMENTS else "auto",
        change,
        published,
        suppression,
    )


def _page(q: Query) -> svc.Page:
    return svc.comparison_page(q.measure, q.window, q.change, q.suppression, level=q.level, adjust=q.adjust)


def period_text(q: Query) -> str:
    span = f"{month_name(q.window.first)} – {month_name(q.window.last)}"
    if q.period == "year":
        return _("This year (%(span)s)", span=span)
    if q.period == "start":
        return _("Since the network started (%(span)s)", span=span)
    if q.period == "12":
        return _("The last 12 months (%(span)s)", span=span)
    return span


@bp.route("/compare")
@login_required
def compare():
    q = _query()
    page = _page(q)
    effect = page.effect
    return render_template(
        "county/compare.html",
        q=q,
        measures=_measures_for(current_user),
        periods=[(p, _period_choice(p)) for p in svc.PERIODS],
        comparison=page.comparison,
        effect=effect,
        answer=answer_sentence(effect, period_text(q), q.measure) if effect.teams else "",
        network_sentence=_network_sentence(effect),
        model=model_sentence(effect.impact) if effect.impact is not None else "",
        forest_pixels=_forest_pixels(forest_figure(effect, period_text(q))),
        has_funnel=funnel_figure(page.comparison) is not None,
        funnel_method_text=funnel_method_text,
        funnel_choice_text=funnel_choice_text,
        has_multiples=any(c.analysis.chart is not None for c in page.charts),
        charts_hidden=sum(1 for c in page.charts if c.hidden),
        complementary=len(page.protection.complementary),
        **_as_one(page),
        may_publish=q.suppression.open_team_ids is None or q.published,
        position_text=position_text,
        verdict_text=verdict_text,
        caution_text=caution_text,
        problem_text=problem_text,
        impact_text=lambda te: impact_text(q.measure, te.impact, effect.scale),
        team_sentence=lambda te: _team_sentence(effect, te),
    )


def _as_one(page: svc.Page) -> dict:
    threshold = current_app.config["SMALL_NUMBER_THRESHOLD"]
    return {
        "pooled": page.pooled,
        "pooled_table": network_figures.pooled_table(page.pooled, threshold),
        "pooled_reading": network_figures.pooled_reading(page.pooled),
        "signals": page.signals,
        "signals_table": network_figures.signals_table(page.signals),
        "signals_text": network_figures.signals_description(page.signals),
    }


def _forest_pixels(data) -> tuple[int, int] | None:
    return None if data is None else forest_size(data, "web").pixels


def _period_choice(period: str) -> str:
    return {"12": _("Last 12 months"), "year": _("This year"), "start": _("Since the network started")}[
        period
    ]


def _network_sentence(effect: svc.NetworkEffect) -> str:
    if effect.impact is None:
        return ""
    return effect_sentence(
        effect.measure, effect.impact, effect.scale, effect.first, effect.last, who=_("The network")
    )


def _team_sentence(effect: svc.NetworkEffect, team_effect: svc.TeamEffect) -> str:
    if team_effect.impact is None:
        return ""
    return effect_sentence(
        effect.measure, team_effect.impact, effect.scale, effect.first, effect.last, who=team_effect.team.name
    )


# --- images -----------------------------------------------------------------------------------


@bp.route("/compare/funnel.<fmt>")
@login_required
def funnel_image(fmt: str):
    q = _query()
    return image_response(
        funnel_figure(_page(q).comparison), draw_figure(render_funnel), fmt, f"funnel-{q.measure.id}"
    )


@bp.route("/compare/multiples.<fmt>")
@login_required
def multiples_image(fmt: str):
    q = _query()
    page = _page(q)
    data = multiples_figure(list(page.charts), page.comparison)
    return image_response(data, draw_figure(render_small_multiples), fmt, f"teams-{q.measure.id}")


@bp.route("/compare/effect.<fmt>")
@login_required
def effect_image(fmt: str):
    q = _query()
    return image_response(effect_figure(_page(q).effect), render, fmt, f"effect-{q.measure.id}")


@bp.route("/compare/pooled.<fmt>")
@login_required
def pooled_image(fmt: str):
    q = _query()
    data = network_figures.pooled_figure(_page(q).pooled, current_app.config["SMALL_NUMBER_THRESHOLD"])
    return image_response(data, render, fmt, f"network-{q.measure.id}")


@bp.route("/compare/signals.<fmt>")
@login_required
def signals_image(fmt: str):
    q = _query()
    page = _page(q)
    data = network_figures.signals_figure(page.signals) if page.signals.periods else None
    return image_response(data, draw_figure(render_signal_counts), fmt, f"signals-{q.measure.id}")


@bp.route("/compare/forest.<fmt>")
@login_required
def forest_image(fmt: str):
    q = _query()
    return image_response(
        forest_figure(_page(q).effect, period_text(q)),
        draw_figure(render_forest),
        fmt,
        f"forest-{q.measure.id}",
    )


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
    measure = effect.measure
    unit = f" ({measure.unit_label})".replace(" ()", "")
    headers = (
        _("Team"),
        _("Reading"),
        _("Before the change") + unit,
        _("Observed") + unit,
        _("Expected without the change") + unit,
        _("Difference") + f" ({unit_words(measure)})".replace(" ()", ""),
        _("95 % CI low"),
        _("95 % CI high"),
        _("From"),
        _("To"),
        _("Model"),
    )
    rows = []
    scale = effect.scale
    network = (
        [(_("The network"), effect.verdict, effect.before, effect.impact, effect.aggregate, None)]
        if effect.impact is not None
        else []
    )
    teams = [(te.team.name, te.verdict, te.before, te.impact, te.result, te) for te in effect.teams]
    for name, verdict, before, impact, result, te in network + teams:
        if te is not None and te.hidden:
            rows.append((name, _("suppressed")) + (None,) * 9)
        elif impact is None:
            rows.append(
                (name, problem_text(te.problem if te else effect.problem), _round(before)) + (None,) * 8
            )
        else:
            rows.append(
                (
                    name,
                    verdict_text(verdict),
                    _round(before),
                    _round(impact.observed * scale),
                    _round(impact.expected * scale),
                    _round(impact.difference * scale),
                    _round(impact.ci_low * scale),
                    _round(impact.ci_high * scale),
                    f"{effect.first:%Y-%m}",
                    f"{effect.last:%Y-%m}",
                    " ".join(filter(None, (model_sentence(impact), caution_text(result)))),
                )
            )
    notes = (_network_sentence(effect),) if effect.impact is not None else ()
    if effect.hidden_count or any(te.before is None and te.impact is not None for te in effect.teams):
        notes += (
            _(
                "Figures that would give away a count below %(threshold)d are suppressed to protect privacy.",
                threshold=current_app.config["SMALL_NUMBER_THRESHOLD"],
            ),
        )
    return Table(measure.label, headers, tuple(rows), notes)


@bp.route("/compare/units.<fmt>")
@login_required
def units_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    q = _query()
    return download(
        comparison_table(_page(q).comparison),
        fmt,
        f"units-{q.measure.id}-{q.window.first:%Y%m}-{q.window.last:%Y%m}",
    )


@bp.route("/compare/effects.<fmt>")
@login_required
def effects_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    q = _query()
    return download(effect_table(_page(q).effect), fmt, f"effect-{q.measure.id}-{q.change:%Y%m}")
