"""Drawing a run or SPC chart with matplotlib: the series, limits, centre lines and phases, the
markers and their labels (placed so that they never collide), the frame, the legend and the axes.
The chart's look follows qicharts2 (see :mod:`charts.spc`); its data is :mod:`charts.spcdata`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory, offset_copy

from charts import page, style
from charts.spcdata import Annotation, ChartText, Num, SpcFigureData
from charts.text import LaneItem, Measurer, allocate_lanes, auto_decimals, spread, tick_decimals
from measures.rules import SIGNAL_CLASSES


@dataclass(frozen=True)
class _Arrays:
    x: np.ndarray
    y: np.ndarray
    cl: np.ndarray | None
    lcl: np.ndarray | None
    ucl: np.ndarray | None
    lcl95: np.ndarray | None
    ucl95: np.ndarray | None
    cf: np.ndarray | None
    fitted: np.ndarray | None
    phase: np.ndarray
    segments: tuple[tuple[int, int], ...]  # (first, last) per phase, inclusive


def _arr(v: Sequence[Num] | None) -> np.ndarray | None:
    if v is None:
        return None
    return np.array([np.nan if a is None else float(a) for a in v], dtype=float)


def _arrays(d: SpcFigureData) -> _Arrays:
    n = len(d.periods)
    phase = np.array(d.phase if d.phase is not None else [0] * n, dtype=int)
    segments = []
    start = 0
    for i in range(1, n + 1):
        if i == n or phase[i] != phase[start]:
            segments.append((start, i - 1))
            start = i
    return _Arrays(
        np.arange(n, dtype=float),
        _arr(d.y),
        _arr(d.cl),
        _arr(d.lcl),
        _arr(d.ucl),
        _arr(d.lcl95),
        _arr(d.ucl95),
        _arr(d.counterfactual),
        _arr(d.fitted),
        phase,
        tuple(segments),
    )


def _y_range(d: SpcFigureData, a: _Arrays) -> tuple[float, float, np.ndarray]:
    """y limits and tick values: ticks bracket everything drawn; proportions stay in 0–100."""
    parts = [v for v in (a.y, a.cl, a.lcl, a.ucl, a.lcl95, a.ucl95, a.cf, a.fitted) if v is not None]
    vals = np.concatenate(parts) if parts else np.array([0.0])
    if d.target is not None:
        vals = np.append(vals, d.target)
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        vals = np.array([0.0, 1.0])
    lo, hi = float(vals.min()), float(vals.max())
    data_vals = a.y[np.isfinite(a.y)]
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    nonneg = lo >= 0 or (data_vals.size and data_vals.min() >= 0 and d.is_percent)
    if nonneg:
        ticks = ticks[ticks >= 0]
        lo = max(lo, 0.0)
    if d.is_percent and hi <= 100:
        ticks = ticks[ticks <= 100]
    # keep ticks inside the drawn data range, then pad a little so end points are not cut
    ticks = ticks[(ticks >= lo - (hi - lo)) & (ticks <= hi + (hi - lo))]
    vmin = min(lo, ticks[0]) if ticks.size else lo
    vmax = max(hi, ticks[-1]) if ticks.size else hi
    pad = (vmax - vmin) * 0.04
    return vmin - (pad if vmin < 0 or not nonneg or vmin > 0 else pad * 0.5), vmax + pad, ticks


def y_range(datas: Sequence[SpcFigureData]) -> tuple[float, float, np.ndarray]:
    """One y range and tick values covering several charts (small multiples share them)."""
    ranges = [_y_range(d, _arrays(d)) for d in datas]
    lo = min(r[0] for r in ranges)
    hi = max(r[1] for r in ranges)
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    eps = (hi - lo) * 1e-6
    return lo, hi, ticks[(ticks >= lo - eps) & (ticks <= hi + eps)]


def tick_texts(d: SpcFigureData, ticks: np.ndarray) -> list[str]:
    """The y tick labels as drawn (for measuring)."""
    step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    return [d.text.numbers.value(v, tick_decimals(step), d.is_percent) for v in ticks]


def legend_entries(datas: Sequence[SpcFigureData], sz: style.Size) -> list[tuple[dict, str]]:
    """Legend entries for what the charts show, without duplicates, in a fixed order."""
    out: list[tuple[dict, str]] = []
    seen: set[str] = set()
    for d in datas:
        for st, label in _legend_entries(d, sz):
            if label not in seen:
                seen.add(label)
                out.append((st, label))
    return out


def draw_legend(
    fig: Figure, entries: list[tuple[dict, str]], sz: style.Size, x0: float, y0: float, width: float
) -> float:
    """Draw legend entries in rows from ``y0`` upwards; returns the y above the legend."""
    return _draw_legend(fig, Measurer(fig), entries, sz, x0, y0, width)


def _point_signals(d: SpcFigureData) -> dict[int, tuple[str, str]]:
    """The (kind, signal class) to mark each point with: the highest-priority signal wins."""
    rank = {k: i for i, k in enumerate(style.SIGNAL_PRIORITY)}
    out: dict[int, tuple[str, str]] = {}
    for s in d.signals:
        for i in range(s.first, s.last + 1):
            if d.y[i] is None:
                continue
            cur = out.get(i)
            if cur is None or rank[s.kind] < rank[cur[0]]:
                out[i] = (s.kind, s.signal_class)
    return out


def draw_spc_panel(
    ax: Axes,
    data: SpcFigureData,
    sz: style.Size,
    *,
    annotations: bool = True,
    y_labels: bool = True,
    x_major: Sequence[int] = (),
    x_labels: Sequence[str] = (),
    x_minor: Sequence[int] = (),
    ylim: tuple[float, float, np.ndarray] | None = None,
) -> None:
    """Draw the series of a chart into ``ax`` (limits, centre line, target, counterfactual,
    phase breaks, data, signals, annotation lines) without titles or outside labels."""
    a = _arrays(data)
    lo, hi, ticks = ylim if ylim is not None else _y_range(data, a)
    _draw_series(ax, data, a, sz, annotations=annotations)
    ax.set_xlim(-0.6, len(data.periods) - 0.4)
    ax.set_ylim(lo, hi)
    _frame(ax, data, ticks, sz, y_labels=y_labels, x_major=x_major, x_labels=x_labels, x_minor=x_minor)


def _segments_of(values: np.ndarray, segs: Iterable[tuple[int, int]]):
    for first, last in segs:
        yield first, last, values[first : last + 1]


def _line(ax: Axes, x, y, **kw: Any) -> Line2D:
    """``ax.plot`` of one line, without its argument parsing and data-limit bookkeeping
    (every chart sets its limits itself). Lines without ``color`` have no visible stroke."""
    line = Line2D(x, y, **kw)
    ax.add_artist(line)
    return line


def _vline(ax: Axes, x: float, **kw: Any) -> Line2D:
    """``ax.axvline``: a line at data x across the height of the axes."""
    return _line(ax, [x, x], [0, 1], transform=ax.get_xaxis_transform(which="grid"), **kw)


def _draw_series(ax: Axes, d: SpcFigureData, a: _Arrays, sz: style.Size, *, annotations: bool = True) -> None:
    x = a.x
    if d.window is not None:
        ax.axvspan(d.window[0] - 0.5, d.window[1] + 0.5, color=style.IMPACT_WINDOW, lw=0, zorder=-2)
    # phase breaks: between the last point of one phase and the first of the next
    for first, _ in a.segments[1:]:
        _vline(ax, first - 0.5, color=style.PHASE_BREAK, lw=sz.lw("phase"), zorder=1)
    # limits: a light band and stepped lines per phase (varying n gives steps)
    for first, last in a.segments:
        xs = x[first : last + 1]

        def part(values: np.ndarray, first: int = first, last: int = last) -> np.ndarray:
            return values[first : last + 1] if last > first else values[[first, first]]

        if last == first:
            # A phase of one month (one that starts in the latest month): a line through one
            # point draws nothing, so its centre line and limits span the month's own width.
            xs = np.array([x[first] - 0.4, x[first] + 0.4])
        if a.lcl is not None and a.ucl is not None:
            lo, hi = part(a.lcl), part(a.ucl)
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax.fill_between(
                    xs,
                    lo,
                    hi,
                    where=ok,
                    step="mid",
                    color=style.LIMIT_BAND,
                    lw=0,
                    zorder=0,
                    interpolate=False,
                )
        for lim in (a.lcl, a.ucl):
            if lim is not None:
                _line(
                    ax,
                    xs,
                    part(lim),
                    drawstyle="steps-mid",
                    color=style.LIMIT,
                    lw=sz.lw("limit"),
                    zorder=2,
                )
        for lim in (a.lcl95, a.ucl95):
            if lim is not None:
                _line(
                    ax,
                    xs,
                    part(lim),
                    drawstyle="steps-mid",
                    color=style.LIMIT_INNER,
                    lw=sz.lw("limit_inner"),
                    ls=(0, (2, 2)),
                    zorder=2,
                )
        if a.cl is not None:
            cl = part(a.cl)
            dashed = d.runs_signal is not None and any(d.runs_signal[first : last + 1])
            _line(
                ax,
                xs,
                cl,
                drawstyle="steps-mid",
                color=style.CENTRE,
                lw=sz.lw("centre"),
                ls=(0, (5, 3)) if dashed else "-",
                zorder=3,
            )
    if a.fitted is not None:
        # a model's line: straight from month to month, broken only where the phase changes
        for first, last in a.segments:
            _line(
                ax,
                x[first : last + 1],
                a.fitted[first : last + 1],
                color=style.FITTED,
                lw=sz.lw("fitted"),
                zorder=3,
                solid_capstyle="round",
            )
    if d.target is not None:
        _line(
            ax,
            [0, 1],
            [d.target, d.target],
            transform=ax.get_yaxis_transform(which="grid"),
            color=style.TARGET,
            lw=sz.lw("target"),
            ls=(0, (6, 3)),
            zorder=3,
        )
    if a.cf is not None:
        _line(
            ax,
            x,
            a.cf,
            color=style.COUNTERFACTUAL,
            lw=sz.lw("counterfactual"),
            ls=(0, (1.5, 1.5)),
            zorder=4,
            solid_capstyle="round",
        )
    if annotations:
        for an in d.annotations:
            _vline(
                ax,
                an.index,
                color=style.ANNOTATION,
                lw=sz.lw("annotation"),
                ls=style.ANNOTATION_LINESTYLES[an.kind],
                zorder=1,
                alpha=0.8,
            )
    # highlight runs and trends: a translucent stroke under the points of the finding
    for s in d.signals:
        if s.kind in ("shift", "run", "trend") and s.last > s.first:
            seg = slice(s.first, s.last + 1)
            _line(
                ax,
                x[seg],
                a.y[seg],
                color=style.SIGNAL_COLOURS[s.signal_class],
                lw=sz.lw("highlight"),
                alpha=style.HIGHLIGHT_ALPHA,
                zorder=4,
                solid_capstyle="round",
                solid_joinstyle="round",
            )
    # the data: a line broken at missing months, and points
    _line(ax, x, a.y, color=style.DATA, lw=sz.lw("data"), zorder=5)
    excluded = set(d.excluded)
    normal = [i for i in range(len(x)) if np.isfinite(a.y[i]) and i not in excluded]
    marks = _point_signals(d)
    plain = [i for i in normal if i not in marks]
    _line(
        ax,
        x[plain],
        a.y[plain],
        ls="none",
        marker="o",
        ms=sz.ms("point"),
        color=style.DATA,
        mec="white",
        mew=sz.lw("axis") * 0.6,
        zorder=6,
    )
    ex = [i for i in sorted(excluded) if 0 <= i < len(x) and np.isfinite(a.y[i])]
    if ex:
        _line(
            ax,
            x[ex],
            a.y[ex],
            ls="none",
            marker="o",
            ms=sz.ms("point") * 1.1,
            mfc="white",
            mec=style.DATA,
            mew=sz.lw("data") * 0.8,
            zorder=6,
        )
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in sorted(marks.items()):
        groups.setdefault(key, []).append(i)
    for (kind, signal_class), idx in sorted(groups.items()):
        _line(ax, x[idx], a.y[idx], **_signal_marker_style(kind, signal_class, sz), zorder=7)


def _signal_marker_style(kind: str, signal_class: str, sz: style.Size, scale: float = 1.0) -> dict:
    return dict(
        ls="none",
        marker=style.SIGNAL_MARKERS[kind],
        ms=sz.ms("signal") * scale,
        mfc=style.SIGNAL_COLOURS[signal_class],
        mec="white" if signal_class == "improvement" else style.INK,
        mew=sz.lw("axis") * 0.9,
    )


def _frame(
    ax: Axes,
    d: SpcFigureData,
    ticks: np.ndarray,
    sz: style.Size,
    *,
    y_labels: bool = True,
    x_major: Sequence[int] = (),
    x_labels: Sequence[str] = (),
    x_minor: Sequence[int] = (),
) -> None:
    """Grid, baseline, tick marks and tick labels, drawn as a handful of artists.

    matplotlib's own Axis machinery creates a Tick (two lines, two texts) per tick and costs
    more than the rest of the chart together, so the frame is drawn directly."""
    ax.set_axis_off()
    n = len(d.periods)
    lo, hi = ax.get_ylim()
    inside = ticks[(ticks >= lo) & (ticks <= hi)]
    # small panels: keep every k-th tick so labels have 1.3 lines of room each
    ax_h = ax.get_position().height * ax.figure.get_size_inches()[1]
    need = Measurer.line_height(sz.pt("tick")) * 1.3
    k = 1
    while len(inside[::k]) > 1 and ax_h / max(len(inside[::k]) - 1, 1) < need:
        k += 1
    inside = inside[::k]
    ax.hlines(inside, -0.6, n - 0.4, colors=style.GRID, lw=sz.lw("axis"), zorder=-1)
    _line(
        ax,
        [0, 1],
        [0, 0],
        transform=ax.transAxes,
        color=style.AXIS,
        lw=sz.lw("axis"),
        clip_on=False,
        zorder=2,
    )
    fig = ax.figure
    if y_labels:
        nf = d.text.numbers
        step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        dec = tick_decimals(step)
        ytrans = offset_copy(
            blended_transform_factory(ax.transAxes, ax.transData), fig, x=-sz.base_pt * 0.35, units="points"
        )
        for v in inside:
            ax.text(
                0,
                v,
                nf.value(v, dec, d.is_percent),
                transform=ytrans,
                ha="right",
                va="center_baseline",
                fontsize=sz.pt("tick"),
                color=style.MUTED,
                clip_on=False,
                parse_math=False,
            )
    xbase = blended_transform_factory(ax.transData, ax.transAxes)
    tick_len = sz.base_pt * 0.35
    for idx, length in ((x_major, tick_len), (x_minor, tick_len * 0.5)):
        if len(idx):
            _line(
                ax,
                list(idx),
                [0] * len(idx),
                transform=xbase,
                ls="none",
                marker=TICKDOWN,
                ms=length,
                mew=sz.lw("axis"),
                color=style.AXIS,
                clip_on=False,
                zorder=2,
            )
    if len(x_labels):
        xtrans = offset_copy(xbase, fig, y=-(tick_len + sz.base_pt * 0.3), units="points")
        for i, label in zip(x_major, x_labels, strict=True):
            ax.text(
                i,
                0,
                label,
                transform=xtrans,
                ha="center",
                va="top",
                fontsize=sz.pt("tick"),
                color=style.MUTED,
                clip_on=False,
                parse_math=False,
            )


# --- the full chart --------------------------------------------------------------------


@dataclass
class _Box:
    """A rectangle in figure inches (origin bottom left)."""

    x: float
    y: float
    w: float
    h: float


def draw_spc(
    fig: Figure,
    data: SpcFigureData,
    sz: style.Size,
    box: tuple[float, float, float, float],
    *,
    show_title: bool = True,
) -> Axes:
    """Lay out and draw the full chart inside ``box`` (x, y, width, height in inches) of
    ``fig``: titles, annotation lanes, phase labels, the plot, right-hand value labels,
    month labels, the legend and the footnote. Returns the plot's axes."""
    d, t = data, data.text
    m = Measurer(fig)
    bx, by, bw, bh = box
    W, H = fig.get_size_inches()
    L = m.line_height(sz.base_pt)
    a = _arrays(d)
    n = len(d.periods)
    lo, hi, ticks = _y_range(d, a)
    dec = (
        d.decimals
        if d.decimals is not None
        else auto_decimals([v for v in d.y if v is not None], d.is_percent)
    )
    nf = t.numbers

    def fx(v: float) -> float:
        return v / W

    def fy(v: float) -> float:
        return v / H

    def put(x_in: float, y_in: float, s: str, role: str, **kw: Any):
        return page.put(fig, x_in, y_in, s, sz.pt(role), **kw)

    # --- horizontal layout ---
    pad = 0.45 * L
    tick_step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    tick_texts = [nf.value(v, tick_decimals(tick_step), d.is_percent) for v in ticks]
    ytick_w = max((m.width(s, sz.pt("tick")) for s in tick_texts), default=0.0)
    ylabel_w = m.line_height(sz.pt("axis")) + 0.3 * L if t.y_label else 0.0
    right_labels = _right_labels(d, a, dec)
    right_w = max((m.width(s, sz.pt("value"), w) for s, _, _, w in right_labels), default=0.0)
    ax_left = bx + pad + ylabel_w + ytick_w + 0.35 * L
    ax_right = bx + bw - pad - (right_w + 0.45 * L if right_w else 0.4 * L)
    ax_w = max(ax_right - ax_left, 1.0)
    slot = ax_w / (n + 0.2)

    def xin(i: float) -> float:
        return ax_left + (i + 0.6) * slot

    # --- top: title, subtitle ---
    top = by + bh - pad * 0.8
    if show_title:
        top = page.heading(fig, m, sz, bx + pad, top, bw - 2 * pad, t.title, t.subtitle)
        top -= 0.35 * L

    # --- annotation lanes and phase labels (lane 0 holds phase labels) ---
    ann_pt, phase_pt = sz.pt("annotation"), sz.pt("phase")
    lane_h = m.line_height(max(ann_pt, phase_pt)) * 1.22
    gap = 0.5 * L
    fixed: list[LaneItem] = []
    phase_texts: list[tuple[float, str]] = []
    has_phase_labels = any(d.phase_labels)
    if has_phase_labels:
        for k, (first, last) in enumerate(a.segments):
            label = d.phase_labels[k] if k < len(d.phase_labels) else ""
            if not label:
                continue
            left = xin(first - 0.5) + 0.2 * L if k else ax_left
            right_edge = xin(last + 0.5) - 0.3 * L if k < len(a.segments) - 1 else bx + bw - pad
            label = m.truncate(label, phase_pt, right_edge - left, "bold")
            if not label:
                continue
            w = m.width(label, phase_pt, "bold")
            fixed.append(LaneItem(xin(first - 0.5), left, left + w, 0))
            phase_texts.append((left, label))
    # An intervention that starts a phase of the same name is said once, by the phase label.
    phase_names = {
        (first, label.casefold())
        for (first, _last), label in zip(a.segments, d.phase_labels, strict=False)
        if label
    }
    anns = same_month_together(
        an for an in d.annotations if (an.index, an.label.casefold()) not in phase_names
    )
    labels, placed, notes = _place_annotations(anns, m, sz, xin, bx + pad, bx + bw - pad, gap, fixed, d.text)
    n_lanes = max([p.lane + 1 for p in placed if p] + [1 if fixed else 0])
    lanes_top = top
    ax_top = lanes_top - n_lanes * lane_h - (0.25 * L if n_lanes else 0)

    # --- bottom: footnote, legend, month labels ---
    bottom = by + pad * 0.8
    bottom = page.footnote(
        fig, m, sz, bx + pad, bottom, bw - 2 * pad, [t.notes_separator.join(notes), t.footnote]
    )
    legend = _legend_entries(d, sz)
    if legend:
        bottom = _draw_legend(fig, m, legend, sz, bx + pad, bottom, bw - 2 * pad)
    xt_h = m.line_height(sz.pt("tick")) + sz.base_pt * 0.3 / 72 + 0.25 * L
    ax_bottom = bottom + xt_h + 0.2 * L
    ax_h = max(ax_top - ax_bottom, 0.5)

    ax = fig.add_axes((fx(ax_left), fy(ax_bottom), fx(ax_w), fy(ax_h)))
    _draw_series(ax, d, a, sz)
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(lo, hi)
    major, labels_x, minor = month_ticks(d, m, sz, slot)
    _frame(ax, d, ticks, sz, x_major=major, x_labels=labels_x, x_minor=minor)
    if t.y_label:
        yl = m.truncate(t.y_label, sz.pt("axis"), ax_h)
        put(
            bx + pad + m.line_height(sz.pt("axis")) / 2,
            ax_bottom + ax_h / 2,
            yl,
            "axis",
            rotation=90,
            va="center",
            ha="center",
            color=style.TEXT,
        )

    # phase labels and annotation labels in their lanes
    mark_w = sz.ms("annotation") / 72.0

    def lane_y(lane: int) -> float:
        return ax_top + 0.25 * L + (lane + 0.5) * lane_h

    for first, _ in a.segments[1:]:
        if has_phase_labels:
            fig.add_artist(
                Line2D(
                    [fx(xin(first - 0.5))] * 2,
                    [fy(ax_top), fy(lane_y(0) + lane_h * 0.45)],
                    color=style.PHASE_BREAK,
                    lw=sz.lw("phase"),
                )
            )
    for left, label in phase_texts:
        put(
            left,
            lane_y(0),
            label,
            "phase",
            weight="bold",
            color=style.TEXT,
            va="center_baseline",
            ha="left",
            zorder=3,
            bbox=dict(boxstyle="square,pad=0.15", fc=style.BACKGROUND, ec="none"),
        )
    for an, label, p in zip(anns, labels, placed, strict=True):
        if p is None:
            continue
        yl = lane_y(p.lane)
        fig.add_artist(
            Line2D(
                [fx(p.anchor)] * 2,
                [fy(ax_top), fy(yl)],
                color=style.ANNOTATION,
                lw=sz.lw("annotation"),
                alpha=0.8,
            )
        )
        fig.add_artist(
            Line2D(
                [fx(p.anchor)],
                [fy(yl)],
                ls="none",
                marker=style.ANNOTATION_MARKERS[an.kind],
                ms=sz.ms("annotation"),
                color=style.ANNOTATION,
                mec="white",
                mew=0.5,
            )
        )
        if p.left < p.anchor - mark_w:  # label to the left of its marker
            put(
                p.right - mark_w - 0.2 * L,
                yl,
                label,
                "annotation",
                ha="right",
                va="center_baseline",
                color=style.TEXT,
            )
        else:
            put(
                p.left + mark_w + 0.2 * L,
                yl,
                label,
                "annotation",
                ha="left",
                va="center_baseline",
                color=style.TEXT,
            )

    # right-hand value labels (centre line, limits, target), spread so they never overlap
    if right_labels:

        def yin(v: float) -> float:
            return ax_bottom + (v - lo) / (hi - lo) * ax_h

        hts = [m.line_height(sz.pt("value")) * 1.05 for _ in right_labels]
        ys = spread([yin(v) for _, v, _, _ in right_labels], hts, ax_bottom - hts[0] / 2, ax_top + hts[0] / 2)
        for (s, _, colour, weight), yv in zip(right_labels, ys, strict=True):
            put(
                ax_right + 0.3 * L,
                yv,
                s,
                "value",
                color=colour,
                weight=weight,
                va="center_baseline",
                ha="left",
            )
    return ax


def same_month_together(annotations: Iterable[Annotation]) -> list[Annotation]:
    """One marker and one label per month ("PDSA 2, PDSA 3"), in time order: two markers on one
    stem could never both be labelled. An intervention's marker wins over a PDSA cycle's."""
    by_month: dict[int, list[Annotation]] = {}
    for an in sorted(annotations, key=lambda an: (an.index, an.label)):
        by_month.setdefault(an.index, []).append(an)
    together = []
    for index, group in by_month.items():
        kinds = [an.kind for an in group]
        kind = "intervention" if "intervention" in kinds else kinds[0]
        together.append(Annotation(index, ", ".join(an.label for an in group), kind))
    return together


MAX_LABEL_LANES = 3
MAX_NUMBER_LANES = 6


def _place_annotations(
    anns: Sequence[Annotation],
    m: Measurer,
    sz: style.Size,
    xin,
    lo: float,
    hi: float,
    gap: float,
    fixed: Sequence[LaneItem],
    t: ChartText,
) -> tuple[list[str], list[LaneItem | None], list[str]]:
    """Labels for the annotations and their lanes. Labels that cannot be placed in three
    lanes become numbers, explained in the footnote ("1 Nutrition bundle")."""
    mark_w = sz.ms("annotation") / 72.0
    L = m.line_height(sz.base_pt)
    pt = sz.pt("annotation")

    def candidates(index: int, label: str) -> list[tuple[float, float, float]]:
        a = xin(index)
        w = mark_w + 0.2 * L + m.width(label, pt)
        right = (a, a - mark_w / 2, a - mark_w / 2 + w)
        left = (a, a + mark_w / 2 - w, a + mark_w / 2)
        return [c for c in (right, left) if c[1] >= lo and c[2] <= hi] or [right if right[2] <= hi else left]

    labels = [an.label for an in anns]
    numbered: set[int] = set()
    placed: list[LaneItem | None] = []
    for max_lanes in (MAX_LABEL_LANES, MAX_LABEL_LANES, MAX_NUMBER_LANES):
        # numbers follow the order of the markers along the time axis
        numbers = {i: str(k + 1) for k, i in enumerate(sorted(numbered))}
        labels = [numbers.get(i, an.label) for i, an in enumerate(anns)]
        placed = allocate_lanes(
            [candidates(an.index, lab) for an, lab in zip(anns, labels, strict=True)], gap, max_lanes, fixed
        )
        # A label too long to fit either side of its marker within the figure becomes a number too.
        missing = {i for i, p in enumerate(placed) if p is None or p.left < lo or p.right > hi}
        if not missing:
            break
        numbered |= missing
    notes = [f"{lab}\u00a0{an.label}" for an, lab in zip(anns, labels, strict=True) if lab != an.label]
    return labels, placed, notes


def _right_labels(d: SpcFigureData, a: _Arrays, dec: int) -> list[tuple[str, float, str, str]]:
    """(text, y value, colour, weight) for the centre line, limits and target at the right."""
    nf = d.text.numbers
    out = []

    def last(v: np.ndarray | None) -> float | None:
        if v is None:
            return None
        first, lastp = a.segments[-1]
        seg = v[first : lastp + 1]
        ok = np.flatnonzero(np.isfinite(seg))
        return float(seg[ok[-1]]) if ok.size else None

    cl = last(a.cl if a.cl is not None else a.fitted)
    if cl is not None:
        out.append((nf.value(cl, dec, d.is_percent), cl, style.CENTRE, "bold"))
    for lim in (a.ucl, a.lcl):
        v = last(lim)
        if v is not None:
            out.append((nf.value(v, dec, d.is_percent), v, style.LIMIT, "normal"))
    if d.target is not None:
        out.append(
            (f"{d.text.target} {nf.value(d.target, dec, d.is_percent)}", d.target, style.TARGET, "bold")
        )
    return out


def month_ticks(
    d: SpcFigureData, m: Measurer, sz: style.Size, slot: float
) -> tuple[list[int], list[str], list[int]]:
    """Label every k-th month, k the smallest of 1, 2, 3, 4, 6, 12 for which labels fit;
    with dates, labels fall on months divisible by k (quarters, January).
    Returns (labelled positions, their labels, unlabelled positions)."""
    n = len(d.periods)
    pt = sz.pt("tick")
    widest = max((m.width(p, pt) for p in d.periods), default=0.0)
    space = m.line_height(sz.base_pt) * 0.6
    k = next((k for k in (1, 2, 3, 4, 6, 12, 24) if widest + space <= k * slot), 24)
    offset = 0
    if d.period_dates and k in (2, 3, 4, 6, 12):
        offset = next((i for i, dt in enumerate(d.period_dates) if (dt.month - 1) % k == 0), 0)
    major = list(range(offset, n, k))
    minor = [i for i in range(n) if i not in set(major)]
    return major, [d.periods[i] for i in major], minor


def _legend_entries(d: SpcFigureData, sz: style.Size) -> list[tuple[dict, str]]:
    t = d.text
    present = set(_point_signals(d).values())
    entries = []
    for kind in style.SIGNAL_PRIORITY:
        for signal_class in SIGNAL_CLASSES:
            if (kind, signal_class) in present:
                entries.append(
                    (
                        _signal_marker_style(kind, signal_class, sz, 0.9),
                        t.legend_signal.format(kind=t.kind(kind), signal_class=t.signal_class(signal_class)),
                    )
                )
    if d.excluded:
        entries.append(
            (
                dict(
                    ls="none",
                    marker="o",
                    ms=sz.ms("point") * 1.1,
                    mfc="white",
                    mec=style.DATA,
                    mew=sz.lw("data") * 0.8,
                ),
                t.excluded,
            )
        )
    if d.fitted is not None and t.fitted:
        entries.append((dict(color=style.FITTED, lw=sz.lw("fitted")), t.fitted))
    if d.window is not None and t.window:
        entries.append(
            (dict(ls="none", marker="s", ms=sz.ms("signal"), mfc=style.IMPACT_WINDOW, mec="none"), t.window)
        )
    if d.counterfactual is not None and t.counterfactual:
        entries.append(
            (
                dict(color=style.COUNTERFACTUAL, lw=sz.lw("counterfactual"), ls=(0, (1.5, 1.5))),
                t.counterfactual,
            )
        )
    if d.runs_signal is not None and any(d.runs_signal) and d.cl is not None and t.runs_signal:
        entries.append((dict(color=style.CENTRE, lw=sz.lw("centre"), ls=(0, (5, 3))), t.runs_signal))
    return entries


def _draw_legend(
    fig: Figure,
    m: Measurer,
    entries: list[tuple[dict, str]],
    sz: style.Size,
    x0: float,
    y0: float,
    width: float,
) -> float:
    """Draw legend entries left to right, wrapping rows, from the bottom ``y0`` upwards.
    Returns the y above the legend."""
    W, H = fig.get_size_inches()
    pt = sz.pt("legend")
    L = m.line_height(pt)
    sym_w = 1.6 * L
    rows: list[list[tuple[dict, str, float]]] = [[]]
    used = 0.0
    for st, label in entries:
        label = m.truncate(label, pt, width - sym_w - 0.3 * L)
        w = sym_w + 0.3 * L + m.width(label, pt)
        if rows[-1] and used + w > width:
            rows.append([])
            used = 0.0
        rows[-1].append((st, label, w))
        used += w + 1.0 * L
    row_h = L * 1.3
    y = y0 + (len(rows) - 1) * row_h + L * 0.5
    for row in rows:
        x = x0
        for st, label, w in row:
            if st.get("marker"):
                xs, ys = [(x + sym_w / 2) / W], [y / H]
            else:
                xs, ys = [x / W, (x + sym_w) / W], [y / H] * 2
            fig.add_artist(Line2D(xs, ys, **st))
            fig.text(
                (x + sym_w + 0.3 * L) / W,
                y / H,
                label,
                fontsize=pt,
                color=style.TEXT,
                va="center_baseline",
                ha="left",
                parse_math=False,
            )
            x += w + 1.0 * L
        y -= row_h
    return y0 + len(rows) * row_h + 0.2 * L
