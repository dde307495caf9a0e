"""Run charts and SPC (Shewhart control) charts.

The qicharts2 look (Anhøj, qicharts2 0.8) is the floor: the data as a line with points, the
centre line labelled with its value, 3-sigma limits as stepped lines over a light band per
phase, gaps for missing months, a dashed centre line where the runs analysis signals
non-random variation. On top of it: phase breaks with labels, intervention and PDSA markers
with labels that never collide, a target line, signals marked by kind (shape) and class
(colour: improvement / concern / neutral), and an optional counterfactual line from an
interrupted-time-series model.

Entry points: :func:`render_spc` (bytes), :func:`build_spc_figure` (a Figure, e.g. for
tests), :func:`draw_spc` (into a region of an existing figure, used by the pack) and
:func:`draw_spc_panel` (the series alone, into an axes: small multiples).
:func:`from_measures` turns a ``measures.spc`` result into :class:`SpcFigureData`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from charts import render, style
from charts.spcdata import (
    ANNOTATION_KINDS,
    SIGNAL_KINDS,
    Annotation,
    ChartText,
    Signal,
    SpcFigureData,
    from_measures,
    with_text,
)
from charts.spcdraw import (
    draw_legend,
    draw_spc,
    draw_spc_panel,
    legend_entries,
    month_ticks,
    same_month_together,
    tick_texts,
    y_range,
)

__all__ = [
    "ANNOTATION_KINDS",
    "SIGNAL_KINDS",
    "Annotation",
    "ChartText",
    "Signal",
    "SpcFigureData",
    "build_spc_figure",
    "draw_legend",
    "draw_spc",
    "draw_spc_panel",
    "from_measures",
    "legend_entries",
    "month_ticks",
    "render_spc",
    "same_month_together",
    "tick_texts",
    "with_text",
    "y_range",
]


def render_spc(data: SpcFigureData, fmt: str = "png", size: str | style.Size = "web") -> bytes:
    """Render a run or SPC chart as PNG, SVG or PDF bytes (deterministic)."""
    sz = style.size(size)
    fig = build_spc_figure(data, sz)
    return render.figure_bytes(fig, fmt, sz, alt=data.alt)


def build_spc_figure(data: SpcFigureData, size: str | style.Size = "web") -> Figure:
    """The chart as a matplotlib Figure (Agg canvas), for callers that post-process it."""
    sz = style.size(size)
    with render.context(sz):
        fig = render.new_figure(sz)
        draw_spc(fig, data, sz, (0.0, 0.0, sz.width, sz.height))
    return fig
