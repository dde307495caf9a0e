"""The ranked answer: one row per unit, its effect as a point and its confidence interval as a bar
(a forest plot), sorted by effect, with the network's own row set apart at the top.

The app gives the rows in the order to draw them, the words, and the number format; this module
only lays them out. Every row carries its numbers as text beside the bar, so the figure reads
without the axis, and a row without numbers (hidden for privacy, or no estimate) says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from matplotlib.figure import Figure

from charts import page, render, style
from charts.text import Measurer, NumberFormat


@dataclass(frozen=True)
class ForestRow:
    """One unit (or the network): ``estimate`` inside ``low`` … ``high``; ``signal_class`` is
    "improvement", "concern" or "neutral" (the interval includes no change). Without an estimate
    the row shows ``note`` instead (e.g. "hidden to protect privacy")."""

    label: str
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    signal_class: str = "neutral"
    note: str = ""

    @property
    def has_interval(self) -> bool:
        values = (self.estimate, self.low, self.high)
        return all(v is not None and math.isfinite(v) for v in values)


@dataclass(frozen=True)
class ForestData:
    rows: tuple[ForestRow, ...]
    # The network's row, drawn first and apart from the units.
    total: ForestRow | None = None
    title: str = ""
    subtitle: str = ""
    x_label: str = ""
    footnote: str = ""
    # "no change" under the zero line; "{low} to {high}" for an interval's text.
    zero_label: str = "no change"
    interval: str = "{low} to {high}"
    numbers: NumberFormat = NumberFormat()
    decimals: int = 1
    alt_description: str = ""

    def __post_init__(self) -> None:
        if not self.rows and self.total is None:
            raise ValueError("a forest plot needs at least one row")

    @property
    def alt(self) -> render.AltText:
        return render.AltText(self.title, self.alt_description)


def forest_size(data: ForestData, size: str | style.Size = "web") -> style.Size:
    """The size, made taller when the rows need it: each row has room for a name on two lines."""
    sz = style.size(size)
    line = sz.base_pt * 1.25 / 72
    rows = len(data.rows) + (1.6 if data.total is not None else 0)
    needed = line * (2.4 * rows + 10.5)
    return sz if needed <= sz.height else replace(sz, height=round(needed, 2))


def render_forest(data: ForestData, fmt: str = "png", size: str | style.Size = "web") -> bytes:
    """Render the forest plot as PNG, SVG or PDF bytes (deterministic)."""
    sz = forest_size(data, size)
    return render.figure_bytes(build_forest_figure(data, sz), fmt, sz, alt=data.alt)


def _signed(numbers: NumberFormat, value: float, decimals: int) -> str:
    text = numbers.number(value, decimals)
    return text if value < 0 or round(value, decimals) == 0 else "+" + text


def value_text(data: ForestData, row: ForestRow) -> str:
    """The row's numbers as printed beside its bar: "+12.3 (4.1 to 20.5)"."""
    if not row.has_interval:
        return row.note
    d, n = data.decimals, data.numbers
    interval = data.interval.format(low=_signed(n, row.low, d), high=_signed(n, row.high, d))
    return f"{_signed(n, row.estimate, d)} ({interval})"


def build_forest_figure(data: ForestData, size: str | style.Size = "web") -> Figure:
    sz = forest_size(data, size)
    with render.context(sz):
        fig = render.new_figure(sz)
        _draw(fig, data, sz)
    return fig


def _draw(fig: Figure, data: ForestData, sz: style.Size) -> None:
    m = Measurer(fig)
    L = m.line_height(sz.base_pt)
    pad = 0.45 * L
    top = page.heading(fig, m, sz, pad, sz.height - pad * 0.8, sz.width - 2 * pad, data.title, data.subtitle)
    bottom = page.footnote(fig, m, sz, pad, pad * 0.8, sz.width - 2 * pad, [data.footnote])
    tick = sz.pt("tick")
    rows = ([data.total] if data.total is not None else []) + list(data.rows)
    # Full names, on two lines when one is too long: a cut name is a different unit to a reader.
    widest = sz.width * 0.32
    labels = ["\n".join(m.wrap(r.label, tick, widest, "bold")) for r in rows]
    label_w = max(m.width(line, tick, "bold") for s in labels for line in s.split("\n")) + 0.4 * L
    texts = [value_text(data, r) for r in rows]
    text_w = min(sz.width * 0.3, max(m.width(t, tick) for t in texts) + 0.4 * L)
    axis_bottom = bottom + m.line_height(sz.pt("axis")) * 2.6
    left, right = pad + label_w, sz.width - pad - text_w
    W, H = fig.get_size_inches()
    ax = fig.add_axes((left / W, axis_bottom / H, (right - left) / W, (top - 0.3 * L - axis_bottom) / H))
    gap = 0.6 if data.total is not None else 0.0
    y_of = [len(rows) - 1 - k + (gap if data.total is not None and k == 0 else 0.0) for k in range(len(rows))]
    values = [v for r in rows if r.has_interval for v in (r.low, r.high)] + [0.0]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - 0.06 * span, hi + 0.06 * span)
    ax.set_ylim(-0.6, len(rows) - 0.1 + gap)
    ax.axvline(0.0, color=style.CENTRE, lw=sz.lw("centre"), zorder=1)
    for k, (row, y) in enumerate(zip(rows, y_of, strict=True)):
        bold = data.total is not None and k == 0
        ax.text(
            -0.02, y, labels[k], transform=ax.get_yaxis_transform(), ha="right", va="center",
            fontsize=tick, fontweight="bold" if bold else "normal", color=style.INK, parse_math=False,
        )  # fmt: skip
        ax.text(
            1.02, y, texts[k], transform=ax.get_yaxis_transform(), ha="left", va="center",
            fontsize=tick, color=style.TEXT if row.has_interval else style.MUTED, parse_math=False,
        )  # fmt: skip
        if not row.has_interval:
            continue
        colour = style.SIGNAL_COLOURS.get(row.signal_class, style.COMMON_CAUSE)
        if row.signal_class == "neutral":
            colour = style.COMMON_CAUSE
        ax.plot([row.low, row.high], [y, y], color=colour, lw=sz.lw("data") * 2.2, solid_capstyle="butt")
        marker = "D" if bold else "o"
        ax.plot([row.estimate], [y], marker=marker, color=colour, ms=sz.ms("signal"), mec="white", zorder=3)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(style.AXIS)
    ax.tick_params(axis="x", labelsize=tick, colors=style.MUTED)
    ax.xaxis.set_major_formatter(
        _Formatter(data.numbers, max(0, data.decimals - 1) if span > 5 else data.decimals)
    )
    ax.set_xlabel(data.x_label, fontsize=sz.pt("axis"), color=style.TEXT)
    ax.text(
        0.0, len(rows) - 0.1 + gap, " " + data.zero_label, ha="left", va="top",
        fontsize=sz.pt("footnote"), color=style.MUTED, parse_math=False,
    )  # fmt: skip
    ax.grid(axis="x", color=style.GRID, lw=sz.lw("axis"))
    ax.set_axisbelow(True)


class _Formatter:
    """Tick labels in the user's number format."""

    def __init__(self, numbers: NumberFormat, decimals: int) -> None:
        self.numbers, self.decimals = numbers, decimals

    def __call__(self, value: float, _pos=None) -> str:
        return _signed(self.numbers, value, self.decimals)
