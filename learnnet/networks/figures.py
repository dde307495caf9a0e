"""The network seen as one, in the reader's language: the pooled chart and the count of teams with a
signal as the data ``charts`` draws, and both as tables (on the page and as downloads)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from charts.signals import SignalCountsData, SignalText
from charts.spc import SpcFigureData, with_text
from learnnet.analysis.chartdata import blank, figure_data
from learnnet.analysis.readings import ReadingText, brief, describe
from learnnet.exports import Table
from learnnet.i18n import month_label, month_name, number_format
from learnnet.networks.services import PooledChart, SignalChart


def _span(periods) -> str:
    return f"{month_name(periods[0])} – {month_name(periods[-1])}" if periods else ""


def pooled_notes(chart: PooledChart, threshold: int) -> tuple[str, ...]:
    """What a reader of the pooled chart must know: partial months and hidden months."""
    notes = []
    if chart.partial_count:
        notes.append(
            _(
                "Months that not every team has entered are drawn hollow and left out of the "
                "calculation: the table says how many of the %(count)d teams each month holds.",
                count=chart.team_count,
            )
        )
    if chart.hidden_count:
        notes.append(
            _(
                "Months that could give away a count below %(count)d of a team you may not open "
                "are not shown.",
                count=threshold,
            )
        )
    return tuple(notes)


def pooled_figure(chart: PooledChart, threshold: int) -> SpcFigureData | None:
    """The pooled chart's data object, or None when there is nothing to draw."""
    data = figure_data(chart.analysis)
    if data is None:
        return None
    notes = pooled_notes(chart, threshold)
    if not chart.hidden_count:
        return data
    text = data.text
    return with_text(
        blank(data, tuple(k for k, month in enumerate(chart.months) if month.hidden)),
        footnote=" ".join((text.footnote, *notes[-1:])),
        alt_description=" ".join((text.alt_description, *notes[-1:])),
    )


def pooled_reading(chart: PooledChart) -> ReadingText:
    """The pooled chart's reading: the short reading (:func:`brief`) is its headline, the month-by-month
    detail one click away."""
    short = brief(chart.analysis)
    full = describe(chart.analysis)
    rest = ((full.headline,) if full.headline != short.headline else ()) + full.details
    return ReadingText(short.text, tuple(d for d in rest if d not in short.details), full.code)


def _whole(v: float | None) -> float | int | None:
    """Counts as whole numbers in the table (entered counts may be stored as decimals)."""
    return int(v) if v is not None and v == int(v) else v


def pooled_table(chart: PooledChart, threshold: int) -> Table:
    measure = chart.measure
    headers = [_("Month")]
    if measure.is_ratio:
        headers += [_("Numerator"), _("Denominator")]
    headers += [measure.unit_label or _("Value"), _("Teams")]
    rows = []
    for month in reversed(chart.months):
        row: list = [month_label(month.period)]
        if month.hidden:
            row += [None, None] if measure.is_ratio else []
            row += [_("suppressed")]
        else:
            if measure.is_ratio:
                row += [_whole(month.numerator), _whole(month.denominator)]
            row += [None if month.value is None else round(month.value, 2)]
        row.append(f"{month.teams}/{chart.team_count}")
        rows.append(tuple(row))
    title = f"{chart.network.name}: {measure.label}"
    return Table(title, tuple(headers), tuple(rows), pooled_notes(chart, threshold))


def _group_names() -> dict[str, str]:
    return {
        "improvement": _("Special cause: improvement"),
        "concern": _("Special cause: concern"),
        "neither": _("Neither"),
        "missing": _("No value"),
    }


def signals_notes(chart: SignalChart) -> tuple[str, ...]:
    notes = [
        _(
            "Each team's own chart, read month by month with the network's rules; neither: common-cause "
            "variation, or a signal that is neither better nor worse."
        )
    ]
    if chart.suppressed:
        notes.append(_("A team's month that is suppressed to protect privacy counts as no value."))
    return tuple(notes)


def signals_description(chart: SignalChart) -> str:
    """The latest month in words: the chart's text alternative."""
    if not chart.periods:
        return _("No months to show yet.")
    counts = chart.counts
    return _(
        "In %(month)s, of %(teams)d teams, %(improvement)d showed special-cause improvement, "
        "%(concern)d special-cause concern and %(neither)d neither; %(missing)d had no value.",
        month=month_name(chart.periods[-1]),
        teams=chart.team_count,
        improvement=counts.improvement[-1],
        concern=counts.concern[-1],
        neither=counts.neither[-1],
        missing=counts.missing[-1],
    )


def signals_figure(chart: SignalChart) -> SignalCountsData:
    names = _group_names()
    title = _("Teams with a signal: %(measure)s", measure=chart.measure.label)
    return SignalCountsData(
        periods=tuple(month_label(p) for p in chart.periods),
        improvement=chart.counts.improvement,
        concern=chart.counts.concern,
        neither=chart.counts.neither,
        missing=chart.counts.missing,
        period_dates=chart.periods,
        text=SignalText(
            title=title,
            subtitle=" · ".join(
                part
                for part in (
                    chart.network.name,
                    ngettext("%(num)d team", "%(num)d teams", chart.team_count),
                    _span(chart.periods),
                )
                if part
            ),
            y_label=_("Teams"),
            footnote=" ".join(signals_notes(chart)),
            alt_title=f"{title}, {chart.network.name}",
            alt_description=signals_description(chart),
            numbers=number_format(),
            **names,
        ),
    )


def signals_table(chart: SignalChart) -> Table:
    names = _group_names()
    groups = ("improvement", "concern", "neither", "missing")
    rows = tuple(
        (month_label(period), *(chart.counts.group(g)[k] for g in groups))
        for k, period in reversed(list(enumerate(chart.periods)))
    )
    title = f"{chart.network.name}: {_('Teams with a signal: %(measure)s', measure=chart.measure.label)}"
    return Table(title, (_("Month"), *(names[g] for g in groups)), rows, signals_notes(chart))
