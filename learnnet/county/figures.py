"""The comparison's charts as ``charts`` data objects, translated; suppressed numbers are left out."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _

from charts.forest import ForestData, ForestRow
from charts.funnel import FunnelFigureData, FunnelText
from charts.funnel import from_measures as funnel_from_measures
from charts.multiples import SmallMultiplesData
from charts.spc import Annotation, ChartText, SpcFigureData
from learnnet.analysis.chartdata import blank, figure_data
from learnnet.county.services import Comparison, NetworkEffect, TeamChart
from learnnet.county.texts import funnel_method_text, unit_words
from learnnet.i18n import month_label, month_name, number, number_format


def _span(first, last) -> str:
    return f"{month_name(first)} – {month_name(last)}"


def _privacy_note(count: int, threshold: int) -> str:
    if not count:
        return ""
    return _(
        "%(count)d suppressed (fewer than %(threshold)d) to protect privacy.",
        count=count,
        threshold=threshold,
    )


def funnel_figure(comparison: Comparison) -> FunnelFigureData | None:
    if comparison.result is None or comparison.curves is None or not comparison.shown:
        return None
    measure = comparison.measure
    curves = comparison.curves
    notes = [_("Source: learnnet, %(network)s.", network=measure.network.name)]
    note = _privacy_note(comparison.hidden_count, comparison.threshold)
    if note:
        notes.append(note)
    hidden = {row.label for row in comparison.rows if row.hidden}
    shown = tuple(u for u in comparison.result.units if comparison.unit_labels[u.label] not in hidden)
    return funnel_from_measures(
        replace(comparison.result, units=shown),
        curves,
        labels=[comparison.unit_labels[u.label] for u in shown],
        multiplier=comparison.scale,
        is_percent=measure.unit_label == "%",
        direction=measure.direction,
        text=FunnelText(
            title=measure.name,
            subtitle=_span(comparison.window.first, comparison.window.last),
            x_label=_("Denominator (summed over the period)"),
            y_label=measure.unit_label,
            footnote=" ".join(notes),
            centre=_("Network"),
            limits95=_("Limits at 95%"),
            limits998=_("Limits at 99.8%"),
            adjusted=_("Limits widened for overdispersion"),
            inside=_("Within the limits at 95%"),
            numbers=number_format(),
            between=_("Between 95%% and 99.8%% (%(signal_class)s)", signal_class="{signal_class}"),
            beyond=_("Beyond 99.8%% (%(signal_class)s)", signal_class="{signal_class}"),
            class_improvement=_("better"),
            class_concern=_("worse"),
            class_neutral=_("different"),
            method=funnel_method_text(comparison.result),
            alt_description=_("Funnel plot of %(count)d units.", count=len(comparison.shown)),
        ),
    )


def multiples_figure(charts: list[TeamChart], comparison: Comparison) -> SmallMultiplesData | None:
    panels = []
    hidden_teams = 0
    for chart in charts:
        data = figure_data(chart.analysis, title=chart.team.name)
        if data is None:
            continue
        hidden_teams += chart.hidden
        panels.append(blank(data, chart.hidden_positions))
    if not panels:
        return None
    measure = comparison.measure
    notes = [_("Source: learnnet, %(network)s.", network=measure.network.name)]
    if hidden_teams:
        notes.append(
            _(
                "Months with counts below %(threshold)d are left out for teams you do not belong to.",
                threshold=comparison.threshold,
            )
        )
    return SmallMultiplesData(
        panels=tuple(panels),
        title=measure.name,
        subtitle=_("Every team, up to %(month)s", month=month_name(comparison.window.last)),
        footnote=" ".join(notes),
        shared_y=True,
        alt_description=_("The measure for each of %(count)d teams.", count=len(panels)),
    )


def effect_figure(effect: NetworkEffect) -> SpcFigureData | None:
    """The network's months (every team added up) with the model's line and the counterfactual."""
    if effect.aggregate is None or effect.at is None:
        return None
    measure = effect.measure
    scale = effect.scale
    hidden = set(effect.hidden_positions)
    y = tuple(None if (k in hidden or v is None) else v * scale for k, v in enumerate(effect.observed))
    fitted = tuple(float(v) * scale for v in effect.aggregate.fitted)
    counterfactual = tuple(
        float(v) * scale if k >= effect.at else None for k, v in enumerate(effect.aggregate.counterfactual)
    )
    at = effect.at
    span = _span(effect.periods[0], effect.periods[-1])
    return SpcFigureData(
        periods=tuple(month_label(p) for p in effect.periods),
        period_dates=effect.periods,
        y=y,
        fitted=fitted,
        window=(effect.impact.first, effect.impact.last) if effect.impact else (at, len(effect.periods) - 1),
        phase=tuple(0 if k < at else 1 for k in range(len(effect.periods))),
        phase_labels=(_("Before"), _("After")),
        counterfactual=counterfactual,
        target=measure.target,
        annotations=(Annotation(at, _("Change"), "event"),),
        is_percent=measure.unit_label == "%",
        text=ChartText(
            title=measure.name,
            subtitle=_("All teams added up · %(span)s", span=span),
            y_label=measure.unit_label,
            footnote=_(
                "Line: segmented regression fitted to the months; dashed: expected without the change."
            ),
            target=_("Target"),
            counterfactual=_("Expected without the change"),
            fitted=_("Fitted line"),
            window=_("Months the effect is averaged over"),
            alt_title=measure.name,
            numbers=number_format(),
        ),
    )


_CLASS = {"improved": "improvement", "worse": "concern", "unclear": "neutral"}


def forest_figure(effect: NetworkEffect, period: str) -> ForestData | None:
    """The ranked answer: each team's difference from what was expected, with its 95 % interval."""
    if not effect.teams or all(te.impact is None for te in effect.teams):
        return None
    scale = effect.scale

    def row(label: str, impact, verdict, note: str) -> ForestRow:
        if impact is None:
            return ForestRow(label, note=note)
        return ForestRow(
            label,
            impact.difference * scale,
            impact.ci_low * scale,
            impact.ci_high * scale,
            _CLASS.get(verdict or "", "neutral"),
        )

    rows = tuple(
        row(
            te.team.name,
            te.impact,
            te.verdict,
            _("hidden to protect privacy") if te.hidden else _("no estimate"),
        )
        for te in effect.teams
    )
    total = row(_("The network"), effect.impact, effect.verdict, "") if effect.impact is not None else None
    measure = effect.measure
    return ForestData(
        rows=rows,
        total=total,
        title=_("%(measure)s: difference from what was expected", measure=measure.name),
        subtitle=period,
        x_label=_("Observed minus expected without the change (%(unit)s)", unit=unit_words(measure)),
        footnote=_(
            "Points: the difference; bars: its 95 %% confidence interval. Blue: improved; orange: worse;"
            " grey: no clear change (the interval includes 0). Source: learnnet, %(network)s.",
            network=measure.network.name,
        ),
        zero_label=_("no change"),
        interval=_("%(low)s to %(high)s", low="{low}", high="{high}"),
        numbers=number_format(),
        decimals=1,
        alt_description=" ".join(
            f"{r.label}: {forest_value(r)}." for r in ((total,) if total else ()) + rows
        ),
    )


def forest_value(row: ForestRow) -> str:
    if not row.has_interval:
        return row.note
    return _(
        "%(value)s (95 %% CI %(low)s to %(high)s)",
        value=number(row.estimate, 1),
        low=number(row.low, 1),
        high=number(row.high, 1),
    )
