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
    unlabelled: str = "Not labelled for lack of space: {names}"
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
    foot_parts = [t.adjusted if d.adjusted else "", t.footnote]
    # labels are placed after the axes exist; reserve a line for names left unlabelled
    unl_reserve = m.line_height(sz.pt("footnote")) * 2
    bottom = page.footnote(fig, m, sz, bx + pad, by + pad * 0.8 + unl_reserve, bw - 2 * pad, foot_parts)
    bottom = draw_legend(fig, entries, sz, bx + pad, bottom, bw - 2 * pad)
    xlab_h = m.line_height(sz.pt("axis")) if t.x_label else 0.0
    ax_bottom = bottom + xlab_h + m.line_height(sz.pt("tick")) + 0.6 * L
    ytw = max((m.width(s, sz.pt("tick")) for s in ytexts), default=0.0)
    ax_left = bx + pad + (m.line_height(sz.pt("axis")) + 0.3 * L if t.y_label else 0) + ytw + 0.4 * L
    ax_right = bx + bw - pad - 0.5 * L
    ax_top = top - 0.3 * L
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
    classes = [d.classify(u) for u in d.units]
    for key in sorted(set(classes)):
        idx = [i for i, c in enumerate(classes) if c == key]
        ax.plot(
            [d.units[i].denominator for i in idx],
            [d.units[i].value for i in idx],
            **_marker(*key, sz),
            zorder=5 if key[0] == "inside" else 6,
            clip_on=False,
        )
    # labels: outliers first, then large units; each tries eight spots around its point
    unlabelled = _label_points(fig, ax, m, d, classes, sz, (ax_left, ax_bottom, ax_right, ax_top))
    if unlabelled:
        page.footnote(
            fig,
            m,
            sz,
            bx + pad,
            by + pad * 0.8,
            bw - 2 * pad,
            [t.unlabelled.format(names=", ".join(unlabelled))],
            max_lines=2,
        )


def _label_points(
    fig: Figure,
    ax: Any,
    m: Measurer,
    d: FunnelFigureData,
    classes: list[tuple[str, str]],
    sz: style.Size,
    bounds: tuple[float, float, float, float],
) -> list[str]:
    pt = sz.pt("annotation") * 0.95
    lh = m.line_height(pt)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    left, bottom, right, top = bounds

    def to_in(u: FunnelUnit) -> tuple[float, float]:
        return (
            left + (u.denominator - x0) / (x1 - x0) * (right - left),
            bottom + (u.value - y0) / (y1 - y0) * (top - bottom),
        )

    r = sz.ms("funnel") / 72.0 * 0.6
    pts = [to_in(u) for u in d.units]
    # obstacles: every point's marker
    boxes: list[tuple[float, float, float, float]] = [(px - r, py - r, px + r, py + r) for px, py in pts]
    rank = {"beyond": 0, "between": 1, "inside": 2}
    order = sorted(range(len(d.units)), key=lambda i: (rank[classes[i][0]], -d.units[i].denominator, i))
    unlabelled = []
    gap = 0.12 * lh
    for i in order:
        u, (px, py) = d.units[i], pts[i]
        w = m.width(u.label, pt)
        # right, left, above, below, then the four diagonals
        spots = [
            (px + r + gap, py - lh / 2),
            (px - r - gap - w, py - lh / 2),
            (px - w / 2, py + r + gap),
            (px - w / 2, py - r - gap - lh),
            (px + r, py + r),
            (px - r - w, py + r),
            (px + r, py - r - lh),
            (px - r - w, py - r - lh),
        ]
        for sx, sy in spots:
            b = (sx, sy, sx + w, sy + lh)
            if b[0] < left or b[2] > right + 0.3 * lh or b[1] < bottom or b[3] > top:
                continue
            if any(
                b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]
                for k, o in enumerate(boxes)
                if k != i
            ):
                continue
            boxes.append(b)
            # a white backing keeps limit lines from running through the name
            page.put(
                fig,
                sx,
                sy + lh / 2,
                u.label,
                pt,
                ha="left",
                va="center_baseline",
                color=style.TEXT,
                zorder=4,
                bbox=dict(boxstyle="square,pad=0.05", fc=style.BACKGROUND, ec="none", alpha=0.85),
            )
            break
        else:
            unlabelled.append(u.label)
    return unlabelled
