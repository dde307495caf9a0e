"""How many of a network's teams show a signal each month: a stacked bar per month, from the bottom
special-cause improvement, special-cause concern, neither, and teams with no value that month.

The counts come from ``measures.network.signal_counts`` (each team's chart read with its rule set,
month by month); every word comes translated from the app. A bar's segments carry their numbers
where there is room, so the chart reads without colour; the order of the segments is fixed.

Entry points: :func:`render_signal_counts` (bytes), :func:`build_signal_counts_figure` (a Figure)
and :func:`draw_signal_counts` (into a region of an existing figure, used by the pack).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from charts import page, render, style
from charts.spcdraw import draw_legend, month_ticks
from charts.text import Measurer, NumberFormat
from measures.network import SIGNAL_GROUPS

__all__ = [
    "SignalText",
    "SignalCountsData",
    "build_signal_counts_figure",
    "draw_signal_counts",
    "render_signal_counts",
]


@dataclass(frozen=True)
class SignalText:
    """Every visible word of the chart, translated by the app (defaults: English)."""

    title: str = ""
    subtitle: str = ""
    y_label: str = "Teams"
    footnote: str = ""
    improvement: str = "Special cause: improvement"
    concern: str = "Special cause: concern"
    neither: str = "Neither"
    missing: str = "No value"
    alt_title: str = ""
    alt_description: str = ""
    numbers: NumberFormat = field(default_factory=NumberFormat)

    def group(self, name: str) -> str:
        return getattr(self, name)


@dataclass(frozen=True)
class SignalCountsData:
    """Per month (``periods``, labels already in the reader's language) the number of teams in each
    of ``measures.network.SIGNAL_GROUPS``."""

    periods: tuple[str, ...]
    improvement: tuple[int, ...]
    concern: tuple[int, ...]
    neither: tuple[int, ...]
    missing: tuple[int, ...]
    period_dates: tuple[_dt.date, ...] | None = None  # aligns month labels to quarters
    text: SignalText = field(default_factory=SignalText)

    def __post_init__(self) -> None:
        n = len(self.periods)
        for name in (*SIGNAL_GROUPS, "period_dates"):
            v = getattr(self, name)
            if v is not None and len(v) != n:
                raise ValueError(f"{name} has {len(v)} values for {n} periods")
            if name in SIGNAL_GROUPS and any(c < 0 for c in v):
                raise ValueError(f"{name} holds a negative count")

    def group(self, name: str) -> tuple[int, ...]:
        return getattr(self, name)

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(c) for c in zip(*(self.group(g) for g in SIGNAL_GROUPS), strict=True))

    @property
    def alt(self) -> render.AltText:
        t = self.text
        return render.AltText(t.alt_title or t.title, t.alt_description)


def render_signal_counts(data: SignalCountsData, fmt: str = "png", size: str | style.Size = "web") -> bytes:
    """The chart as PNG, SVG or PDF bytes (deterministic)."""
    sz = style.size(size)
    return render.figure_bytes(build_signal_counts_figure(data, sz), fmt, sz, alt=data.alt)


def build_signal_counts_figure(data: SignalCountsData, size: str | style.Size = "web") -> Figure:
    sz = style.size(size)
    with render.context(sz):
        fig = render.new_figure(sz)
        draw_signal_counts(fig, data, sz, (0.0, 0.0, sz.width, sz.height))
    return fig


def _bar_style(group: str) -> dict:
    return dict(
        color=style.SIGNAL_GROUP_COLOURS[group],
        edgecolor=style.SIGNAL_GROUP_EDGE if group == "missing" else style.BACKGROUND,
    )


def _legend_entries(d: SignalCountsData, sz: style.Size) -> list[tuple[dict, str]]:
    entries = []
    for group in SIGNAL_GROUPS:
        if group == "missing" and not any(d.missing):
            continue
        entries.append(
            (
                dict(
                    ls="none",
                    marker="s",
                    ms=sz.ms("signal") * 1.1,
                    mfc=style.SIGNAL_GROUP_COLOURS[group],
                    mec=style.SIGNAL_GROUP_EDGE if group == "missing" else style.SIGNAL_GROUP_COLOURS[group],
                    mew=sz.lw("axis"),
                ),
                d.text.group(group),
            )
        )
    return entries


def draw_signal_counts(
    fig: Figure, data: SignalCountsData, sz: style.Size, box: tuple[float, float, float, float]
) -> Axes:
    """Lay out and draw the chart inside ``box`` (x, y, width, height in inches) of ``fig``: title
    and subtitle, the bars with their numbers, month labels, the legend and the footnote."""
    d, t = data, data.text
    m = Measurer(fig)
    bx, by, bw, bh = box
    W, H = fig.get_size_inches()
    L = m.line_height(sz.base_pt)
    pad = 0.45 * L
    n = len(d.periods)
    top = page.heading(fig, m, sz, bx + pad, by + bh - pad * 0.8, bw - 2 * pad, t.title, t.subtitle)
    top -= 0.35 * L
    bottom = page.footnote(fig, m, sz, bx + pad, by + pad, bw - 2 * pad, [t.footnote], max_lines=2)
    bottom = draw_legend(fig, _legend_entries(d, sz), sz, bx + pad, bottom, bw - 2 * pad)
    bottom += m.line_height(sz.pt("tick")) * 1.2 + sz.base_pt * 0.65 / 72.0

    highest = max(d.totals, default=0) or 1
    ticks = MaxNLocator(nbins=5, integer=True).tick_values(0, highest)
    ticks = ticks[(ticks >= 0) & (ticks <= highest)]
    if highest not in ticks:
        ticks = np.append(ticks, highest)
    tick_w = max((m.width(t.numbers.number(v, 0), sz.pt("tick")) for v in ticks), default=0.0)
    ylabel_w = m.line_height(sz.pt("axis")) + 0.3 * L if t.y_label else 0.0
    ax_left = bx + pad + ylabel_w + tick_w + 0.35 * L
    ax_right = bx + bw - pad
    ax_w = max(ax_right - ax_left, 1.0)
    ax_h = max(top - bottom, 0.5)
    ax = fig.add_axes((ax_left / W, bottom / H, ax_w / W, ax_h / H))
    ax.set_axis_off()
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, highest * 1.02)
    ax.hlines(ticks, -0.6, n - 0.4, colors=style.GRID, lw=sz.lw("axis"), zorder=-1)
    ax.plot([-0.6, n - 0.4], [0, 0], color=style.AXIS, lw=sz.lw("axis"), zorder=3)

    x = np.arange(n)
    slot = ax_w / (n + 0.2)  # the x axis runs from -0.6 to n - 0.4
    unit_h = ax_h / (highest * 1.02)  # inches per team
    pt = sz.pt("tick") * 0.9
    fits_number = m.line_height(pt) * 0.95 <= unit_h and m.width("88", pt) <= slot * 0.72
    base = np.zeros(n)
    for group in SIGNAL_GROUPS:
        counts = np.asarray(d.group(group), float)
        ax.bar(x, counts, 0.72, bottom=base, lw=sz.lw("axis"), zorder=2, **_bar_style(group))
        if fits_number:
            for i in np.flatnonzero(counts):
                ax.text(
                    i,
                    base[i] + counts[i] / 2,
                    t.numbers.number(counts[i], 0),
                    ha="center",
                    va="center_baseline",
                    fontsize=pt,
                    color=style.ON_SIGNAL_GROUP_COLOURS[group],
                    parse_math=False,
                    zorder=4,
                )
        base += counts

    for v in ticks:
        page.put(
            fig,
            ax_left - 0.35 * L,
            bottom + v * unit_h,
            t.numbers.number(v, 0),
            sz.pt("tick"),
            color=style.MUTED,
            ha="right",
            va="center_baseline",
        )
    if t.y_label:
        page.put(
            fig,
            bx + pad,
            bottom + ax_h / 2,
            t.y_label,
            sz.pt("axis"),
            rotation=90,
            ha="center",
            va="top",
            rotation_mode="anchor",
        )
    major, labels, _minor = month_ticks(d, m, sz, slot)  # it reads the periods and their dates
    for i, label in zip(major, labels, strict=True):
        page.put(
            fig,
            ax_left + (i + 0.6) * slot,
            bottom - sz.base_pt * 0.5 / 72.0,
            label,
            sz.pt("tick"),
            color=style.MUTED,
            ha="center",
            va="top",
        )
    return ax
