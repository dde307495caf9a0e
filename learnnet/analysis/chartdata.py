"""From an :class:`~learnnet.analysis.Analysis` to the data object ``charts`` draws, in the user's language.

Everything visible on a chart is translated here; ``charts`` itself knows no language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from flask import Response, abort, request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from charts.render import drawing_version
from charts.spc import Annotation, ChartText, SpcFigureData, from_measures, render_spc
from learnnet.analysis import Analysis
from learnnet.analysis.readings import describe
from learnnet.i18n import month_label, month_name, number_format
from learnnet.kept import Kept

SIZES = ("web", "tablet", "slide", "a4")
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def chart_text(analysis: Analysis, *, title: str | None = None) -> ChartText:
    series = analysis.series
    measure, team = series.measure, series.team
    span = ""
    if series.periods:
        span = f"{month_name(series.periods[0])} – {month_name(series.periods[-1])}"
    kind = analysis.chart.kind if analysis.chart is not None else "run"
    network = series.network
    footnote_parts = [_("Source: learnnet, %(network)s.", network=network.name)]
    if team is None:
        footnote_parts.append(_("Every team pooled: %(pooled)s.", pooled=_pooled_how(measure.value_kind)))
    if analysis.choice is not None and analysis.choice.trial_limits:
        footnote_parts.append(_("Trial limits: the baseline is still short."))
    if kind == "run":
        footnote_parts.append(_("Centre line: median."))
    if team is None:
        subtitle = " · ".join(
            (network.name, ngettext("%(num)d team", "%(num)d teams", series.team_count), span)
        )
        whose = network.name
    else:
        subtitle = f"{team.name} · {team.unit.municipality.name} · {span}"
        whose = team.name
    return ChartText(
        title=title or measure.name,
        subtitle=subtitle,
        y_label=measure.unit_label,
        footnote=" ".join(footnote_parts),
        target=_("Target"),
        counterfactual=_("Expected without the change"),
        legend_signal=_("%(kind)s (%(signal_class)s)", kind="{kind}", signal_class="{signal_class}"),
        kind_outside=_("Outside the limits"),
        kind_two_of_three=_("2 of 3 beyond 2 sigma"),
        kind_shift=_("Shift"),
        kind_run=_("Long run"),
        kind_trend=_("Trend"),
        class_improvement=_("improvement"),
        class_concern=_("concern"),
        class_neutral=_("signal"),
        runs_signal=_("Dashed centre line: non-random variation"),
        excluded=_("Not every team has entered: left out of the calculation")
        if team is None
        else _("Excluded from the calculation"),
        alt_title=f"{measure.name}, {whose}",
        alt_description=describe(analysis).text,
        numbers=number_format(),
    )


def _pooled_how(value_kind: str) -> str:
    if value_kind in ("proportion", "rate"):
        return _("the sum of the numerators over the sum of the denominators")
    if value_kind == "count":
        return _("the sum of the counts")
    return _("the mean of the teams' values")


def annotations(analysis: Analysis) -> tuple[Annotation, ...]:
    """Interventions and their PDSA cycles as markers at the months they started (a pooled
    series has none: the teams' interventions are on the teams' charts)."""
    if analysis.series.team is None:
        return ()
    marks = []
    for intervention in analysis.series.team.interventions:
        k = analysis.series.index(intervention.start_date)
        if k is not None:
            marks.append(Annotation(k, intervention.label, "intervention"))
        for cycle in intervention.cycles:
            j = analysis.series.index(cycle.start_date)
            if j is not None and j != k:
                marks.append(Annotation(j, f"PDSA {cycle.number}", "pdsa"))
    return tuple(sorted(marks, key=lambda a: (a.index, a.kind, a.label)))


def figure_data(
    analysis: Analysis, *, counterfactual: Sequence[float | None] | None = None, title: str | None = None
) -> SpcFigureData | None:
    """The chart's data object, or None when there is nothing to draw."""
    if analysis.chart is None:
        return None
    series = analysis.series
    measure = series.measure
    excluded = set(series.partial)
    if analysis.settings is not None:
        excluded |= {
            k for k in (series.index(e.period) for e in analysis.settings.exclusions) if k is not None
        }
    return from_measures(
        analysis.chart,
        periods=[month_label(p) for p in series.periods],
        period_dates=series.periods,
        findings=analysis.reading.evaluation.findings if analysis.reading else (),
        text=chart_text(analysis, title=title),
        annotations=annotations(analysis),
        phase_labels=analysis.phase_labels,
        target=None if measure.target is None else measure.target,
        multiplier=analysis.scale,
        is_percent=measure.unit_label == "%",
        direction=measure.direction,
        counterfactual=counterfactual,
        excluded=tuple(sorted(excluded)),
    )


def etag(data, fmt: str, size: str) -> str:
    """A tag that changes whenever anything drawn changes (rendering is deterministic)."""
    key = repr((data, fmt, size, str(get_locale()), drawing_version())).encode()
    return hashlib.sha256(key).hexdigest()[:32]


# Drawn charts by their tag, per process: the same chart asked for again (a team page opened on
# several tablets, a projector refreshing) is drawn once. Rendering is deterministic and the tag
# covers everything drawn, so a kept image is never out of date. At most 32 MB.
_drawn = Kept(32 * 2**20, len)


def render(data: SpcFigureData, fmt: str, size: str, tag: str | None = None) -> bytes:
    """The chart's bytes; with its ``etag``, kept for the next request for the same chart."""
    if tag is None:
        return render_spc(data, fmt, size)
    found = _drawn.get(tag)
    if found is None:
        found = render_spc(data, fmt, size)
        _drawn.put(tag, found)
    return found


def image_response(data, draw, fmt: str, filename: str) -> Response:
    """A figure's bytes as a response: 404 for an unknown format or nothing to draw, 400 for an
    unknown size, and an ETag that changes whenever anything drawn changes (304 when unchanged).

    ``draw(data, fmt, size, tag)`` gives the bytes (:func:`render` for a chart, which keeps them).
    """
    if fmt not in FORMATS or data is None:
        abort(404)
    size = request.args.get("size", "web")
    if size not in SIZES:
        abort(400)
    tag = etag(data, fmt, size)
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = Response(draw(data, fmt, size, tag), mimetype=FORMATS[fmt])
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def draw_figure(render_bytes):
    """``render_bytes(data, fmt, size)`` as a ``draw`` for :func:`image_response`."""

    def draw(data, fmt: str, size: str, _tag: str) -> bytes:
        return render_bytes(data, fmt, size)

    return draw


def blank(data: SpcFigureData, positions: tuple[int, ...]) -> SpcFigureData:
    """The chart with the values at ``positions`` left out (drawn as gaps), and no signals there.

    The limits go too: on a p or u chart their width at a month is set by that month's
    denominator, so a limit drawn beside a gap would give the hidden count back.
    """
    if not positions:
        return data
    hidden = set(positions)

    def gaps(values):
        return None if values is None else tuple(None if k in hidden else v for k, v in enumerate(values))

    signals = tuple(s for s in data.signals if not any(k in hidden for k in range(s.first, s.last + 1)))
    return replace(
        data,
        y=gaps(data.y),
        lcl=gaps(data.lcl),
        ucl=gaps(data.ucl),
        lcl95=gaps(data.lcl95),
        ucl95=gaps(data.ucl95),
        signals=signals,
    )
