"""Funnel plots for comparing units (Spiegelhalter, "Funnel plots for comparing institutional
performance", Stat Med 2005): each unit's value against its denominator, with 95 % and
99.8 % control limits around the network's value, optionally widened for overdispersion.

Limits come from ``measures.funnel`` (curves over denominators); this module only draws.
Points inside the 95 % limits are grey circles; between 95 % and 99.8 % hollow, coloured
circles; beyond 99.8 % filled coloured diamonds, blue when the unit is better than the
network in the measure's improvement direction, orange when worse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory, offset_copy

from charts import page, render, style
from charts.spc import draw_legend
from charts.text import Measurer, NumberFormat, auto_decimals, tick_decimals
from measures.rules import SIGNAL_CLASSES


@dataclass(frozen=True)
class FunnelUnit:
    """One unit: its label (e.g. ward name), denominator and value (display units)."""

    label: str
    denominator: float
    value: float
    # from measures.funnel (exact limits at the unit's own denominator); when None the
    # unit is classed against the interpolated curves
    outside95: bool | None = None
    outside998: bool | None = None
    side: str | None = None  # "above" / "below"


@dataclass(frozen=True)
class FunnelText:
    title: str = ""
    subtitle: str = ""
    x_label: str = "Denominator"
    y_label: str = ""
    footnote: str = ""
    centre: str = "Network"
    limits95: str = "95% limits"
    limits998: str = "99.8% limits"
    adjusted: str = "Limits widened for overdispersion"
    inside: str = "Within the 95% limits"
    between: str = "Between 95% and 99.8% ({signal_class})"
    beyond: str = "Beyond 99.8% ({signal_class})"
    class_improvement: str = "better"
    class_concern: str = "worse"
    class_neutral: str = "different"
    method: str = ""  # one sentence: which limits, on which scale (replaces ``adjusted``)
    alt_description: str = ""
    numbers: NumberFormat = field(default_factory=NumberFormat)


@dataclass(frozen=True)
class FunnelFigureData:
    """Units and limit curves; curves are sampled at ``denominators`` (ascending)."""

    units: tuple[FunnelUnit, ...]
    centre: float
    denominators: tuple[float, ...]
    lower95: tuple[float, ...]
    upper95: tuple[float, ...]
    lower998: tuple[float, ...]
    upper998: tuple[float, ...]
    adjusted: bool = False
    is_percent: bool = False
    direction: str | None = None  # the measure's improvement direction: "up", "down" or None
    decimals: int | None = None
    text: FunnelText = field(default_factory=FunnelText)

    def __post_init__(self) -> None:
        n = len(self.denominators)
        for name in ("lower95", "upper95", "lower998", "upper998"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} values for {n} denominators")
        if n < 2:
            raise ValueError("limit curves need at least two denominators")

    @property
    def alt(self) -> render.AltText:
        return render.AltText(self.text.title, self.text.alt_description)

    def classify(self, u: FunnelUnit) -> tuple[str, str]:
        """(band, signal class): band is inside / between / beyond; the signal class improvement,
        concern or neutral, from which side of the limits the unit falls."""
        if u.outside95 is not None:
            if not u.outside95:
                return "inside", "neutral"
            band = "beyond" if u.outside998 else "between"
            return band, self._signal_class(u.side == "above")
        x = np.asarray(self.denominators, float)
        lo95, hi95 = (np.interp(u.denominator, x, self.lower95), np.interp(u.denominator, x, self.upper95))
        lo998, hi998 = (
            np.interp(u.denominator, x, self.lower998),
            np.interp(u.denominator, x, self.upper998),
        )
        if lo95 <= u.value <= hi95:
            return "inside", "neutral"
        band = "beyond" if (u.value > hi998 or u.value < lo998) else "between"
        return band, self._signal_class(u.value > hi95)

    def _signal_class(self, high: bool) -> str:
        if self.direction == "up":
            return "improvement" if high else "concern"
        if self.direction == "down":
            return "concern" if high else "improvement"
        return "neutral"


def from_measures(
    result: Any,
    curves: Any,
    *,
    text: FunnelText | None = None,
    multiplier: float = 1.0,
    is_percent: bool = False,
    direction: str | None = None,
    labels: Sequence[str] | None = None,
) -> FunnelFigureData:
    """Build :class:`FunnelFigureData` from ``measures.funnel.funnel(...)`` (the units, each
    with its limits and whether it lies outside them) and ``measures.funnel.funnel_limits``
    (curves over denominators; pass ``phi``/``tau2``/``adjustment`` from the result when the
    limits are adjusted). ``multiplier`` scales values to display units (100 for percent,
    1000 for a rate per 1,000 bed-days); ``labels`` replaces the units' own labels."""
    units = []
    for k, u in enumerate(result.units):
        label = labels[k] if labels is not None else str(u.label)
        units.append(
            FunnelUnit(
                label,
                float(u.denominator),
                float(u.value) * multiplier,
                bool(u.outside95),
                bool(u.outside998),
                u.side,
            )
        )

    def scaled(values: Any) -> tuple[float, ...]:
        return tuple(float(v) * multiplier for v in values)

    return FunnelFigureData(
        units=tuple(units),
        centre=float(result.target) * multiplier,
        denominators=tuple(float(v) for v in curves.denominator),
        lower95=scaled(curves.lower95),
        upper95=scaled(curves.upper95),
        lower998=scaled(curves.lower998),
        upper998=scaled(curves.upper998),
        adjusted=result.adjustment is not None,
        is_percent=is_percent,
        direction=direction,
        text=text or FunnelText(),
    )


def render_funnel(data: FunnelFigureData, fmt: str = "png", size: str | style.Size = "web") -> bytes:
    """Render a funnel plot as PNG, SVG or PDF bytes (deterministic)."""
    sz = style.size(size)
    return render.figure_bytes(build_funnel_figure(data, sz), fmt, sz, alt=data.alt)


def build_funnel_figure(data: FunnelFigureData, size: str | style.Size = "web") -> Figure:
    sz = style.size(size)
    with render.context(sz):
        fig = render.new_figure(sz)
        draw_funnel(fig, data, sz, (0.0, 0.0, sz.width, sz.height))
    return fig


def _marker(band: str, signal_class: str, sz: style.Size, scale: float = 1.0) -> dict:
    ms = sz.ms("funnel") * scale
    if band == "inside":
        return dict(ls="none", marker="o", ms=ms * 0.85, mfc=style.DATA, mec="white", mew=sz.lw("axis") * 0.6)
    colour = style.SIGNAL_COLOURS[signal_class]
    if band == "between":
        return dict(ls="none", marker="o", ms=ms, mfc="white", mec=colour, mew=sz.lw("data") * 1.2)
    return dict(
        ls="none",
        marker="D",
        ms=ms,
        mfc=colour,
        mec="white" if signal_class == "improvement" else style.INK,
        mew=sz.lw("axis"),
    )


def draw_funnel(
    fig: Figure, data: FunnelFigureData, sz: style.Size, box: tuple[float, float, float, float]
) -> None:
    d, t = data, data.text
    m = Measurer(fig)
    W, H = fig.get_size_inches()
    bx, by, bw, bh = box
    L = m.line_height(sz.base_pt)
    pad = 0.45 * L
    nf = t.numbers
    top = page.heading(fig, m, sz, bx + pad, by + bh - pad * 0.8, bw - 2 * pad, t.title, t.subtitle) - 0.4 * L

    x = np.asarray(d.denominators, float)
    curves = [np.asarray(c, float) for c in (d.lower998, d.lower95, d.upper95, d.upper998)]
    vals = np.concatenate([*curves, [u.value for u in d.units], [d.centre]])
    vals = vals[np.isfinite(vals)]
    ux = [u.value for u in d.units] + [d.centre]
    lo_data, hi_data = min(ux), max(ux)
    span = max(hi_data - lo_data, abs(d.centre) * 0.2, 1e-9)
    # the curves explode at small denominators: show them only around the data
    lo = max(float(vals.min()), lo_data - 0.6 * span)
    hi = min(float(vals.max()), hi_data + 0.6 * span)
    if d.is_percent:
        lo, hi = max(lo, 0.0), min(hi, 100.0)
    if all(v >= 0 for v in ux):
        lo = max(lo, 0.0)
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    ticks = ticks[(ticks >= lo - 1e-9) & (ticks <= hi + 1e-9)]
    ypad = (hi - lo) * 0.04
    ylim = (lo - ypad, hi + ypad)
    xmax = max(max((u.denominator for u in d.units), default=1.0) * 1.08, 1.0)
    xlim = (0.0, xmax)
    xticks = MaxNLocator(nbins=6, integer=True).tick_values(0, xmax)
    xticks = xticks[(xticks >= 0) & (xticks <= xmax)]
    dec = d.decimals if d.decimals is not None else auto_decimals([u.value for u in d.units], d.is_percent)
    ystep = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    ytexts = [nf.value(v, tick_decimals(ystep), d.is_percent) for v in ticks]
    xtexts = [nf.number(v, 0) for v in xticks]

    # legend and footnote at the bottom
    bands = {d.classify(u) for u in d.units}
    entries = [
        (dict(color=style.CENTRE, lw=sz.lw("centre")), f"{t.centre} {nf.value(d.centre, dec, d.is_percent)}"),
        (dict(color=style.LIMIT, lw=sz.lw("limit"), ls=(0, (4, 2))), t.limits95),
        (dict(color=style.LIMIT, lw=sz.lw("limit")), t.limits998),
    ]
    order = (("inside", "between", "beyond"), SIGNAL_CLASSES)
    for band, signal_class in sorted(bands, key=lambda b: (order[0].index(b[0]), order[1].index(b[1]))):
        template = {"inside": t.inside, "between": t.between, "beyond": t.beyond}[band]
        entries.append(
            (
                _marker(band, signal_class, sz, 0.9),
                template.format(signal_class=getattr(t, f"class_{signal_class}")),
            )
        )
    foot_parts = [t.method or (t.adjusted if d.adjusted else ""), t.footnote]
    bottom = page.footnote(fig, m, sz, bx + pad, by + pad * 0.8, bw - 2 * pad, foot_parts)
    bottom = draw_legend(fig, entries, sz, bx + pad, bottom, bw - 2 * pad)
    xlab_h = m.line_height(sz.pt("axis")) if t.x_label else 0.0
    ax_bottom = bottom + xlab_h + m.line_height(sz.pt("tick")) + 0.6 * L
    ytw = max((m.width(s, sz.pt("tick")) for s in ytexts), default=0.0)
    ax_left = bx + pad + (m.line_height(sz.pt("axis")) + 0.3 * L if t.y_label else 0) + ytw + 0.4 * L
    ax_right = bx + bw - pad - 0.5 * L
    ax_top = top - 0.3 * L
    classes = [d.classify(u) for u in d.units]
    # names beside their points where they fit; the others are numbered and listed in a key
    # to the right of the plot, for which the plot gives up room when it is needed
    plan = _plan_labels(m, d, classes, sz, (ax_left, ax_bottom, ax_right, ax_top), xlim, ylim)
    key_layout = None
    right_edge = ax_right
    for _ in range(3):
        names = [d.units[p.index].label for p in plan if p.number]
        if not names or (key_layout is not None and key_layout.fits(m, names)):
            break
        key_layout = _key_layout(m, names, sz.pt("annotation") * 0.95, ax_top - ax_bottom, 0.4 * bw)
        ax_right = right_edge - key_layout.width - 0.8 * L
        plan = _plan_labels(m, d, classes, sz, (ax_left, ax_bottom, ax_right, ax_top), xlim, ylim)
    ax = fig.add_axes((ax_left / W, ax_bottom / H, (ax_right - ax_left) / W, (ax_top - ax_bottom) / H))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    # frame: grid, baseline, tick labels
    ax.hlines(ticks, *xlim, colors=style.GRID, lw=sz.lw("axis"), zorder=-1)
    ax.plot([0, 1], [0, 0], transform=ax.transAxes, color=style.AXIS, lw=sz.lw("axis"), clip_on=False)
    ytrans = offset_copy(
        blended_transform_factory(ax.transAxes, ax.transData), fig, x=-sz.base_pt * 0.35, units="points"
    )
    for v, s in zip(ticks, ytexts, strict=True):
        ax.text(
            0,
            v,
            s,
            transform=ytrans,
            ha="right",
            va="center_baseline",
            fontsize=sz.pt("tick"),
            color=style.MUTED,
            parse_math=False,
        )
    xtrans = offset_copy(
        blended_transform_factory(ax.transData, ax.transAxes), fig, y=-sz.base_pt * 0.4, units="points"
    )
    for v, s in zip(xticks, xtexts, strict=True):
        ax.text(
            v,
            0,
            s,
            transform=xtrans,
            ha="center",
            va="top",
            fontsize=sz.pt("tick"),
            color=style.MUTED,
            parse_math=False,
        )
    if t.x_label:
        page.put(fig, (ax_left + ax_right) / 2, bottom, t.x_label, sz.pt("axis"), ha="center", va="bottom")
    if t.y_label:
        yl = m.truncate(t.y_label, sz.pt("axis"), ax_top - ax_bottom)
        page.put(
            fig,
            bx + pad + m.line_height(sz.pt("axis")) / 2,
            (ax_top + ax_bottom) / 2,
            yl,
            sz.pt("axis"),
            rotation=90,
            ha="center",
            va="center",
        )
    # limits and centre
    ax.axhline(d.centre, color=style.CENTRE, lw=sz.lw("centre"), zorder=3)
    for c, ls in zip(curves, ("-", (0, (4, 2)), (0, (4, 2)), "-"), strict=True):
        ax.plot(x, c, color=style.LIMIT, lw=sz.lw("limit"), ls=ls, zorder=2)
    ax.fill_between(x, curves[1], curves[2], color=style.LIMIT_BAND, lw=0, zorder=0)
    # points
    for key in sorted(set(classes)):
        idx = [i for i, c in enumerate(classes) if c == key]
        ax.plot(
            [d.units[i].denominator for i in idx],
            [d.units[i].value for i in idx],
            **_marker(*key, sz),
            zorder=5 if key[0] == "inside" else 6,
            clip_on=False,
        )
    _draw_labels(fig, d, sz, m, plan, ax_right + 0.8 * L, ax_top, key_layout)


@dataclass(frozen=True)
class _Label:
    """A unit's label as planned, in figure inches: its name beside the point, or a number
    (beside it, or further away with a leader line to it) that the key beside the plot names."""

    index: int
    text: str
    box: tuple[float, float, float, float]
    number: bool = False
    leader: bool = False
    point: tuple[float, float] = (0.0, 0.0)


def _distance(box: tuple[float, float, float, float], p: tuple[float, float]) -> float:
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return float(np.hypot(dx, dy))


def _overlaps(b: tuple[float, float, float, float], o: tuple[float, float, float, float]) -> bool:
    return b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]


def _plan_labels(
    m: Measurer,
    d: FunnelFigureData,
    classes: list[tuple[str, str]],
    sz: style.Size,
    bounds: tuple[float, float, float, float],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> list[_Label]:
    """Where each unit's label goes (outliers first, then large units).

    A name goes in one of eight spots around its point, and only where it is clearly nearer
    its own point than any other, clear of every marker and label; a unit whose name finds no
    such spot gets a number instead, placed the same way, else at the nearest free spot further
    out with a leader line to its point, so that no label can be read as another unit's.
    """
    pt = sz.pt("annotation") * 0.95
    lh = m.line_height(pt)
    (x0, x1), (y0, y1) = xlim, ylim
    left, bottom, right, top = bounds
    pts = [
        (
            left + (u.denominator - x0) / (x1 - x0) * (right - left),
            bottom + (u.value - y0) / (y1 - y0) * (top - bottom),
        )
        for u in d.units
    ]
    r = sz.ms("funnel") / 72.0 * 0.6
    gap = 0.12 * lh
    boxes: list[tuple[float, float, float, float]] = [(px - r, py - r, px + r, py + r) for px, py in pts]
    rank = {"beyond": 0, "between": 1, "inside": 2}
    order = sorted(range(len(d.units)), key=lambda i: (rank[classes[i][0]], -d.units[i].denominator, i))

    def free(b, i: int) -> bool:
        if b[0] < left or b[2] > right + 0.3 * lh or b[1] < bottom or b[3] > top:
            return False
        return not any(_overlaps(b, o) for k, o in enumerate(boxes) if k != i)

    def own(b, i: int) -> bool:
        near = _distance(b, pts[i]) + r
        return all(_distance(b, q) > near for k, q in enumerate(pts) if k != i)

    def beside(i: int, w: float):
        px, py = pts[i]
        # right, left, above, below, then the four diagonals
        for sx, sy in (
            (px + r + gap, py - lh / 2),
            (px - r - gap - w, py - lh / 2),
            (px - w / 2, py + r + gap),
            (px - w / 2, py - r - gap - lh),
            (px + r, py + r),
            (px - r - w, py + r),
            (px + r, py - r - lh),
            (px - r - w, py - r - lh),
        ):
            b = (sx, sy, sx + w, sy + lh)
            if free(b, i) and own(b, i):
                return b
        return None

    plan: dict[int, _Label] = {}
    for i in order:
        b = beside(i, m.width(d.units[i].label, pt))
        if b is not None:
            boxes.append(b)
            plan[i] = _Label(i, d.units[i].label, b, point=pts[i])
    # numbers in the units' own order, so the key reads as the units were given
    numbered = [i for i in range(len(d.units)) if i not in plan]
    for number, i in enumerate(numbered, start=1):
        text = str(number)
        w = m.width(text, pt, "bold")
        b = beside(i, w)
        leader = False
        if b is None:
            leader = True
            px, py = pts[i]
            b = (px - w / 2, py - lh / 2, px + w / 2, py + lh / 2)  # on the point: the last resort
            for step in range(2, 14):
                radius = step * 0.6 * lh
                spots = [
                    (px + radius * np.cos(a) - w / 2, py + radius * np.sin(a) - lh / 2)
                    for a in np.linspace(0, 2 * np.pi, 24, endpoint=False)
                ]
                hit = next((s for s in spots if free((s[0], s[1], s[0] + w, s[1] + lh), i)), None)
                if hit is not None:
                    b = (hit[0], hit[1], hit[0] + w, hit[1] + lh)
                    break
        boxes.append(b)
        plan[i] = _Label(i, text, b, number=True, leader=leader, point=pts[i])
    return [plan[i] for i in range(len(d.units))]


def _draw_labels(
    fig: Figure,
    d: FunnelFigureData,
    sz: style.Size,
    m: Measurer,
    plan: list[_Label],
    key_x: float,
    key_top: float,
    key: _Key | None,
) -> None:
    pt = sz.pt("annotation") * 0.95
    for label in plan:
        x0, y0, x1, y1 = label.box
        if label.leader:
            # from the number's edge to the point, under the markers
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            px, py = label.point
            fig.add_artist(
                Line2D(
                    [cx, px],
                    [cy, py],
                    transform=fig.dpi_scale_trans,
                    color=style.MUTED,
                    lw=sz.lw("axis"),
                    zorder=3.5,
                    gid=f"funnel-leader-{label.index}",
                )
            )
        # a white backing keeps limit lines from running through the text
        text = page.put(
            fig,
            x0,
            (y0 + y1) / 2,
            label.text,
            pt,
            ha="left",
            va="center_baseline",
            color=style.TEXT,
            weight="bold" if label.number else "normal",
            zorder=4,
            bbox=dict(boxstyle="square,pad=0.05", fc=style.BACKGROUND, ec="none", alpha=0.85),
        )
        text.set_gid(f"funnel-{'number' if label.number else 'label'}-{label.index}")
    numbered = [p for p in plan if p.number]
    if not numbered or key is None:
        return
    # the key: each number and the unit's full name, wrapped rather than cut
    key_pt, col_w, indent, per_col = key.pt, key.column, key.indent, key.per_column
    entries = [(p, m.wrap(d.units[p.index].label, key_pt, col_w - indent)) for p in numbered]
    klh = m.line_height(key_pt) * 1.1
    x, y, used = key_x, key_top - klh / 2, 0
    for p, name_lines in entries:
        if used and used + len(name_lines) > per_col:
            x, y, used = x + col_w + key.gap, key_top - klh / 2, 0
        page.put(fig, x, y, p.text, key_pt, ha="left", va="center_baseline", weight="bold",
                 color=style.TEXT, gid=f"funnel-keynumber-{p.index}")
        for line in name_lines:
            page.put(fig, x + indent, y, line, key_pt, ha="left", va="center_baseline",
                     color=style.TEXT, gid=f"funnel-key-{p.index}")
            y -= klh
            used += 1


def _columns(heights: list[int], per_col: int) -> int:
    """Columns needed to list entries of these heights (lines) in order, ``per_col`` lines each."""
    cols, used = 1, 0
    for h in heights:
        if used and used + h > per_col:
            cols, used = cols + 1, 0
        used += h
    return cols


@dataclass(frozen=True)
class _Key:
    """The key's type size and columns (inches)."""

    pt: float
    columns: int
    column: float
    indent: float
    per_column: int

    @property
    def gap(self) -> float:
        return self.indent / 2

    @property
    def width(self) -> float:
        return self.columns * self.column + (self.columns - 1) * self.gap

    def fits(self, m: Measurer, names: list[str]) -> bool:
        lines = [m.wrap(s, self.pt, self.column - self.indent) for s in names]
        whole = all(" ".join(ls) == s for ls, s in zip(lines, names, strict=True))
        return whole and _columns([len(ls) for ls in lines], self.per_column) <= self.columns


def _key_layout(m: Measurer, names: list[str], pt: float, room: float, max_width: float) -> _Key:
    """The narrowest key that lists ``names`` whole within ``room`` of height: one column in
    full type if it can, else smaller type and more columns, no wider than ``max_width``."""
    key = None
    for scale in (1.0, 0.85, 0.72, 0.6):
        size = pt * scale
        indent = m.width("99  ", size, "bold")
        widest = max(m.width(s, size) for s in names) * 1.03 + indent
        per_col = max(1, int(room // (m.line_height(size) * 1.1)))
        for cols in (1, 2, 3, 4):
            column = min(widest, (max_width - (cols - 1) * indent / 2) / cols)
            key = _Key(size, cols, column, indent, per_col)
            if key.fits(m, names):
                return key
    return key
