"""Small multiples: one measure across many teams on a shared axis, or all measures of one
team (each panel with its own axis).

Panels are drawn with :func:`charts.spc.draw_spc_panel`, so a panel reads like a small
version of the full chart: limits, centre line, target, signals by shape and colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

from matplotlib.figure import Figure

from charts import page, render, style
from charts.spc import (
    SpcFigureData,
    draw_legend,
    draw_spc_panel,
    legend_entries,
    month_ticks,
    tick_texts,
    y_range,
)
from charts.text import Measurer, auto_decimals


@dataclass(frozen=True)
class SmallMultiplesData:
    """Panels in reading order; each panel's ``text.title`` is its panel title (a team name
    or a measure name). ``shared_y`` puts every panel on one y axis (one measure, many
    teams); otherwise each panel keeps its own axis and unit (one team, many measures)."""

    panels: tuple[SpcFigureData, ...]
    title: str = ""
    subtitle: str = ""
    footnote: str = ""
    shared_y: bool = True
    columns: int | None = None
    alt_description: str = ""

    def __post_init__(self) -> None:
        if not self.panels:
            raise ValueError("small multiples need at least one panel")

    @property
    def alt(self) -> render.AltText:
        return render.AltText(self.title, self.alt_description)


PANEL_SCALE = 0.78  # panel text relative to the size's base font


def render_small_multiples(
    data: SmallMultiplesData, fmt: str = "png", size: str | style.Size = "slide"
) -> bytes:
    """Render small multiples as PNG, SVG or PDF bytes (deterministic)."""
    sz = style.size(size)
    return render.figure_bytes(build_small_multiples_figure(data, sz), fmt, sz, alt=data.alt)


def build_small_multiples_figure(data: SmallMultiplesData, size: str | style.Size = "slide") -> Figure:
    sz = style.size(size)
    with render.context(sz):
        fig = render.new_figure(sz)
        draw_small_multiples(fig, data, sz, (0.0, 0.0, sz.width, sz.height))
    return fig


def grid_shape(n: int, width: float, height: float, columns: int | None = None) -> tuple[int, int]:
    """Columns and rows for n panels, keeping panels about twice as wide as high."""
    if columns is None:
        columns = max(1, min(n, round(math.sqrt(n * width / height / 2.0 * 1.0) + 0.49)))
    return columns, math.ceil(n / columns)


def draw_small_multiples(
    fig: Figure,
    data: SmallMultiplesData,
    sz: style.Size,
    box: tuple[float, float, float, float],
    *,
    show_title: bool = True,
) -> None:
    """Draw the panels (with heading, legend and footnote) inside ``box`` (inches)."""
    m = Measurer(fig)
    bx, by, bw, bh = box
    L = m.line_height(sz.base_pt)
    pad = 0.45 * L
    top = by + bh - pad * 0.8
    if show_title:
        top = page.heading(fig, m, sz, bx + pad, top, bw - 2 * pad, data.title, data.subtitle)
        top -= 0.3 * L
    bottom = page.footnote(fig, m, sz, bx + pad, by + pad * 0.8, bw - 2 * pad, [data.footnote])
    legend = legend_entries(data.panels, sz)
    if legend:
        bottom = draw_legend(fig, legend, sz, bx + pad, bottom, bw - 2 * pad)

    psz = replace(sz, base_pt=sz.base_pt * PANEL_SCALE)
    pl = m.line_height(psz.base_pt)
    n = len(data.panels)
    cols, rows = grid_shape(n, bw, top - bottom, data.columns)
    shared = y_range(data.panels) if data.shared_y else None
    ranges = [shared or y_range([p]) for p in data.panels]
    ytick_w = max(
        m.width(s, psz.pt("tick"))
        for p, r in zip(data.panels, ranges, strict=True)
        for s in tick_texts(p, r[2]) or [""]
    )
    left_margin = ytick_w + 0.5 * pl
    grid_left = bx + pad + (left_margin if shared else 0.0)
    cell_w = (bx + bw - pad - grid_left) / cols
    cell_h = (top - bottom) / rows
    # one measure on one axis: one number format for every panel's headline, from all its values
    shared_decimals = _decimals(data.panels) if data.shared_y else None
    panel_w = cell_w - (0.0 if shared else left_margin) - 0.6 * pl
    # full team names, wrapped onto two lines where one is not enough (every title gets the room)
    names = [
        _title_lines(
            m, p.text.title, psz.pt("panel"), panel_w - _centre_width(m, p, psz, pl, shared_decimals)
        )
        for p in data.panels
    ]
    title_lines = max(len(lines) for lines in names)
    title_h = m.line_height(psz.pt("panel")) * (1.3 + 1.1 * (title_lines - 1))
    xlab_h = m.line_height(psz.pt("tick")) + psz.base_pt * 0.7 / 72
    for k, panel in enumerate(data.panels):
        r, c = divmod(k, cols)
        x0 = grid_left + c * cell_w
        y_top = top - r * cell_h
        own_left = 0.0 if shared else left_margin
        ax_x = x0 + own_left
        ax_w = cell_w - own_left - 0.6 * pl
        last_row = r == rows - 1 or k + cols >= n
        ax_y = y_top - cell_h + (xlab_h if last_row or not shared else 0.35 * pl)
        ax_h = y_top - title_h - ax_y - 0.2 * pl
        # panel title, and the latest centre line value at the right
        cl_text = _latest_centre(panel, shared_decimals)
        line_h = m.line_height(psz.pt("panel")) * 1.1
        first_y = y_top - title_h / 2 + line_h * (len(names[k]) - 1) / 2
        for j, line in enumerate(names[k]):
            page.put(
                fig,
                ax_x,
                first_y - j * line_h,
                line,
                psz.pt("panel"),
                weight="bold",
                color=style.INK,
                va="center_baseline",
                ha="left",
            )
        if cl_text:
            page.put(
                fig,
                ax_x + ax_w,
                first_y,
                cl_text,
                psz.pt("panel"),
                color=style.MUTED,
                va="center_baseline",
                ha="right",
            )
        W, H = fig.get_size_inches()
        ax = fig.add_axes((ax_x / W, ax_y / H, ax_w / W, max(ax_h, 0.2) / H))
        slot = ax_w / (len(panel.periods) + 0.2)
        major, labels, minor = month_ticks(panel, m, psz, slot)
        show_x = last_row or not shared
        draw_spc_panel(
            ax,
            panel,
            psz,
            y_labels=(c == 0) or not shared,
            x_major=major,
            x_labels=labels if show_x else (),
            x_minor=minor,
            ylim=ranges[k],
        )


def _decimals(panels: Sequence[SpcFigureData]) -> int:
    """One number of decimals for panels of one measure: the first panel's own setting, else
    what all their values together need (:func:`charts.text.auto_decimals`)."""
    if panels[0].decimals is not None:
        return panels[0].decimals
    values = [v for p in panels for v in p.y if v is not None]
    return auto_decimals(values, panels[0].is_percent)


def _latest_centre(d: SpcFigureData, decimals: int | None = None) -> str:
    """The latest centre line value, as the panel's headline number, with ``decimals`` (those
    of its measure) or, by default, the decimals the panel's own values need."""
    if d.cl is None:
        return ""
    vals = [v for v in d.cl if v is not None]
    if not vals:
        return ""
    dec = decimals if decimals is not None else _decimals([d])
    return d.text.numbers.value(vals[-1], dec, d.is_percent)


def _centre_width(m: Measurer, d: SpcFigureData, psz: style.Size, pl: float, decimals: int | None) -> float:
    text = _latest_centre(d, decimals)
    return m.width(text, psz.pt("panel")) + 0.4 * pl if text else 0.0


def _title_lines(m: Measurer, title: str, pt: float, width: float) -> list[str]:
    """The panel title whole on one line, else wrapped onto two (the second cut only if even
    two lines cannot hold it)."""
    lines = m.wrap(title, pt, width, "bold")
    if len(lines) <= 2:
        return lines
    return [lines[0], m.truncate(" ".join(lines[1:]), pt, width, "bold")]
