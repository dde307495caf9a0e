"""The summary matrix: teams × measures with variation and assurance icons, for the front of
a learning-session pack.

Icon semantics follow NHS England's "Making Data Count" (MDC) SPC icons:
variation — common cause (grey), special cause improvement high/low (blue, H/L),
special cause concern high/low (orange, H/L), special cause without a direction
(purple, H/L); assurance against the target — passes (blue, ✔), fails (orange, ✘),
hit and miss (grey, ?). Variation icons are circles and assurance icons rounded squares, and
each carries a letter, so the matrix reads without colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch

from charts import page, render, style
from charts.text import Measurer

VARIATIONS = (
    "common",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
    "neutral",
)
ASSURANCES = ("pass", "fail", "hit_and_miss")


@dataclass(frozen=True)
class MatrixCell:
    """One team × measure: its variation and assurance (None: not enough data / no
    target) and an optional short value text (e.g. the latest value "72 %"); a second line after
    a newline is drawn smaller beneath it ("72 %\nokt. 2026")."""

    variation: str | None = None
    assurance: str | None = None
    value: str = ""

    def __post_init__(self) -> None:
        if self.variation is not None and self.variation not in VARIATIONS:
            raise ValueError(f"unknown variation {self.variation!r}")
        if self.assurance is not None and self.assurance not in ASSURANCES:
            raise ValueError(f"unknown assurance {self.assurance!r}")


@dataclass(frozen=True)
class MatrixText:
    title: str = ""
    subtitle: str = ""
    footnote: str = ""
    team_heading: str = "Team"
    variation_heading: str = "Variation"
    assurance_heading: str = "Assurance"
    missing: str = "Not enough data"
    legend: Mapping[str, str] = field(
        default_factory=lambda: {
            "common": "Common cause",
            "improvement_high": "Improvement (higher)",
            "improvement_low": "Improvement (lower)",
            "concern_high": "Concern (higher)",
            "concern_low": "Concern (lower)",
            "neutral_high": "Special cause (higher)",
            "neutral_low": "Special cause (lower)",
            "neutral": "Special cause (runs)",
            "pass": "Meets the target",
            "fail": "Misses the target",
            "hit_and_miss": "Hit and miss",
        }
    )
    alt_description: str = ""


@dataclass(frozen=True)
class SummaryMatrixData:
    """``cells[i][j]`` is team ``teams[i]`` × measure ``measures[j]``."""

    teams: tuple[str, ...]
    measures: tuple[str, ...]
    cells: tuple[tuple[MatrixCell, ...], ...]
    text: MatrixText = field(default_factory=MatrixText)

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.teams) or any(len(r) != len(self.measures) for r in self.cells):
            raise ValueError("cells must have one row per team and one cell per measure")

    @property
    def alt(self) -> render.AltText:
        return render.AltText(self.text.title, self.text.alt_description)


def render_matrix(data: SummaryMatrixData, fmt: str = "png", size: str | style.Size = "a4") -> bytes:
    """Render the summary matrix as PNG, SVG or PDF bytes (deterministic)."""
    sz = style.size(size)
    return render.figure_bytes(build_matrix_figure(data, sz), fmt, sz, alt=data.alt)


def build_matrix_figure(data: SummaryMatrixData, size: str | style.Size = "a4") -> Figure:
    sz = style.size(size)
    with render.context(sz):
        fig = render.new_figure(sz)
        draw_matrix(fig, data, sz, (0.0, 0.0, sz.width, sz.height))
    return fig


def _icon_style(code: str) -> tuple[str, str, str]:
    """(fill colour, letter, letter colour) of an icon."""
    if code == "common":
        return style.COMMON_CAUSE, "~", style.ON_SIGNAL_COLOURS["common"]
    if code in ASSURANCES:
        cls = {"pass": "improvement", "fail": "concern", "hit_and_miss": "common"}[code]
        fill = style.COMMON_CAUSE if cls == "common" else style.SIGNAL_COLOURS[cls]
        letter = {"pass": "\u2714", "fail": "\u2718", "hit_and_miss": "?"}[code]
        return fill, letter, style.ON_SIGNAL_COLOURS[cls]
    if code == "neutral":  # a runs signal without a side (too few crossings)
        return style.SIGNAL_COLOURS["neutral"], "±", style.ON_SIGNAL_COLOURS["neutral"]
    cls, side = code.split("_")
    return style.SIGNAL_COLOURS[cls], "H" if side == "high" else "L", style.ON_SIGNAL_COLOURS[cls]


def draw_icon(fig: Figure, code: str, cx: float, cy: float, d: float, sz: style.Size) -> None:
    """An MDC-style icon of diameter ``d`` inches centred at (cx, cy) inches."""
    W, H = fig.get_size_inches()
    fill, letter, ink = _icon_style(code)
    if code in ASSURANCES:
        s = d * 0.86
        patch = FancyBboxPatch(
            (cx - s / 2, cy - s / 2),
            s,
            s,
            boxstyle=f"round,pad=0,rounding_size={s * 0.22}",
            transform=fig.dpi_scale_trans,
            fc=fill,
            ec="white",
            lw=sz.lw("axis"),
        )
    else:
        patch = Circle((cx, cy), d / 2, transform=fig.dpi_scale_trans, fc=fill, ec="white", lw=sz.lw("axis"))
    fig.add_artist(patch)
    pt = d * 72 * 0.55
    fig.text(
        cx / W,
        cy / H,
        letter,
        fontsize=pt,
        weight="bold",
        color=ink,
        ha="center",
        va="center",
        parse_math=False,
    )


def draw_matrix(
    fig: Figure,
    data: SummaryMatrixData,
    sz: style.Size,
    box: tuple[float, float, float, float],
    *,
    show_title: bool = True,
) -> None:
    m = Measurer(fig)
    t = data.text
    bx, by, bw, bh = box
    L = m.line_height(sz.base_pt)
    pad = 0.45 * L
    top = by + bh - pad * 0.8
    if show_title:
        top = page.heading(fig, m, sz, bx + pad, top, bw - 2 * pad, t.title, t.subtitle)
        top -= 0.5 * L
    bottom = page.footnote(fig, m, sz, bx + pad, by + pad * 0.8, bw - 2 * pad, [t.footnote])
    bottom = _legend(fig, m, data, sz, bx + pad, bottom, bw - 2 * pad)

    n_t, n_m = len(data.teams), len(data.measures)
    body_pt = sz.pt("body")
    # rows must fit: shrink the text when there are many teams
    row_h_needed = L * 1.6
    head_lines = 3
    avail = top - bottom - head_lines * L * 1.1
    scale = min(1.0, avail / max(n_t * row_h_needed, 1e-9))
    pt = body_pt * max(scale, 0.55)
    lh = m.line_height(pt)
    row_h = min(lh * 1.9, avail / max(n_t, 1)) if n_t else lh
    team_w = min(max((m.width(s, pt, "bold") for s in data.teams), default=0.0) + 0.6 * L, bw * 0.3)
    # team names wrap (to three lines at most) rather than lose their ends
    names = [m.wrap(team, pt, team_w - 0.4 * L, "bold") or [""] for team in data.teams]
    row_h = max(row_h, min(max((len(n) for n in names), default=1), 3) * lh * 1.1 + 0.25 * lh)
    if n_t:
        row_h = min(row_h, avail / n_t)
    col_w = (bw - 2 * pad - team_w) / max(n_m, 1)
    # column headings, wrapped to three lines
    head_pt = pt * 0.95
    head_h = 0.0
    x0 = bx + pad + team_w
    for j, name in enumerate(data.measures):
        lines = m.wrap(name, head_pt, col_w - 0.3 * L, "bold")[:head_lines]
        if len(m.wrap(name, head_pt, col_w - 0.3 * L, "bold")) > head_lines:
            lines[-1] = m.truncate(lines[-1] + "…", head_pt, col_w - 0.3 * L, "bold")
        y = top
        for line in lines:
            page.put(
                fig,
                x0 + (j + 0.5) * col_w,
                y,
                line,
                head_pt,
                weight="bold",
                color=style.INK,
                ha="center",
                va="top",
            )
            y -= m.line_height(head_pt)
        head_h = max(head_h, top - y)
    page.put(fig, bx + pad, top, t.team_heading, head_pt, weight="bold", color=style.INK, ha="left", va="top")
    y_rows = top - head_h - 0.3 * L
    # a value's second line (e.g. the month of a value older than the latest) in smaller type
    note_pt = pt * 0.8
    value_w = max(
        (
            max(m.width(line, pt if k == 0 else note_pt) for k, line in enumerate(c.value.split("\n")))
            for r in data.cells
            for c in r
            if c.value
        ),
        default=0.0,
    )
    gap = 0.3 * L if value_w else 0.0
    icon_d = min(row_h * 0.78, lh * 1.5, max((col_w - value_w - gap - 0.3 * L) / 2.3, lh * 0.9))
    W, H = fig.get_size_inches()
    for i in range(n_t):
        cy = y_rows - (i + 0.5) * row_h
        if i % 2 == 0:
            fig.add_artist(
                FancyBboxPatch(
                    (bx + pad, cy - row_h / 2),
                    bw - 2 * pad,
                    row_h,
                    boxstyle="square,pad=0",
                    transform=fig.dpi_scale_trans,
                    fc="#F5F5F5",
                    ec="none",
                    zorder=0,
                )
            )
        lines = names[i]
        fits = max(1, int((row_h - 0.15 * lh) / (lh * 1.1)))
        if len(lines) > fits:
            rest = m.truncate(" ".join(lines[fits - 1 :]), pt, team_w - 0.4 * L, "bold")
            lines = lines[: fits - 1] + [rest]
        for k, line in enumerate(lines):
            page.put(
                fig,
                bx + pad + 0.2 * L,
                cy + ((len(lines) - 1) / 2 - k) * lh * 1.1,
                line,
                pt,
                weight="bold",
                color=style.TEXT,
                ha="left",
                va="center_baseline",
            )
        for j, cell in enumerate(data.cells[i]):
            cx = x0 + (j + 0.5) * col_w
            if cell.variation is None and cell.assurance is None and not cell.value:
                page.put(fig, cx, cy, "–", pt, color=style.MUTED, ha="center", va="center_baseline")
                continue
            # the value, right-aligned, then the variation and the assurance icons, centred together
            left = cx - (value_w + gap + 2.16 * icon_d) / 2
            if cell.value:
                right = left + value_w
                value, _, note = cell.value.partition("\n")
                if note:  # the value above the middle of the row, its note below
                    above, below = cy + 0.1 * lh, cy - 0.12 * lh
                    page.put(fig, right, above, value, pt, color=style.TEXT, ha="right", va="baseline")
                    page.put(fig, right, below, note, note_pt, color=style.MUTED, ha="right", va="top")
                else:
                    page.put(fig, right, cy, value, pt, color=style.TEXT, ha="right", va="center_baseline")
            ix = left + value_w + gap + icon_d / 2
            if cell.variation is not None:
                draw_icon(fig, cell.variation, ix, cy, icon_d, sz)
            if cell.assurance is not None:
                draw_icon(fig, cell.assurance, ix + icon_d * 1.16, cy, icon_d, sz)
    fig.add_artist(
        Line2D([(bx + pad) / W, (bx + bw - pad) / W], [y_rows / H] * 2, color=style.AXIS, lw=sz.lw("axis"))
    )


def _legend(
    fig: Figure, m: Measurer, data: SummaryMatrixData, sz: style.Size, x0: float, y0: float, width: float
) -> float:
    """Icons and their meanings in two rows (variation, assurance), every kind the legend names,
    so that a page reads the same whichever icons it happens to show; returns the y above."""
    t = data.text
    pt = sz.pt("legend")
    L = m.line_height(pt)
    d = L * 1.05
    rows = [(t.assurance_heading, ASSURANCES), (t.variation_heading, VARIATIONS)]
    shown = {c.variation for r in data.cells for c in r if c.variation}
    shown |= {c.assurance for r in data.cells for c in r if c.assurance}
    shown |= set(t.legend)
    y = y0 + 0.5 * L
    head_w = max(m.width(h, pt, "bold") for h, _ in rows) + 0.6 * L
    for heading, codes in rows:
        codes = [c for c in codes if c in shown]
        if not codes:
            continue
        items = [(c, t.legend.get(c, c)) for c in codes]
        # wrap to as many lines as needed
        lines: list[list[tuple[str, str]]] = [[]]
        used = 0.0
        for c, label in items:
            w = d * 1.2 + m.width(label, pt) + 0.9 * L
            if lines[-1] and used + w > width - head_w:
                lines.append([])
                used = 0.0
            lines[-1].append((c, label))
            used += w
        for k, line in enumerate(reversed(lines)):
            x = x0 + head_w
            for c, label in line:
                draw_icon(fig, c, x + d / 2, y, d, sz)
                page.put(fig, x + d * 1.2, y, label, pt, ha="left", va="center_baseline")
                x += d * 1.2 + m.width(label, pt) + 0.9 * L
            if k == len(lines) - 1:
                page.put(fig, x0, y, heading, pt, weight="bold", ha="left", va="center_baseline")
            y += L * 1.45
    return y + 0.2 * L - 0.5 * L


def cell_from_measures(evaluation: Any | None, assurance: Any | None = None, value: str = "") -> MatrixCell:
    """A cell from ``measures.rules.evaluate(...)`` and ``measures.rules.assurance(...)``.

    The variation is read at the latest point (``evaluation.variation``:
    common_cause / special_cause_improvement / _concern / _neutral); high or low comes from
    the movement of the finding of that class covering the latest point. An assurance of
    ``no_limits`` (a run chart) leaves the assurance icon out."""
    variation = None
    if evaluation is not None:
        v = evaluation.variation
        if v == "common_cause":
            variation = "common"
        elif v.startswith("special_cause_"):
            cls = v.removeprefix("special_cause_")
            latest = evaluation.latest
            moves = [
                f.movement
                for f in evaluation.findings
                if f.direction == cls and latest is not None and f.first <= latest <= f.last
            ]
            move = next((mv for mv in moves if mv is not None), None)
            variation = f"{cls}_{'high' if move == 'up' else 'low'}" if move is not None else "neutral"
    status = getattr(assurance, "status", None)
    return MatrixCell(variation, status if status in ASSURANCES else None, value)


def grid_pages(n_teams: int, per_page: int = 22) -> int:
    """How many pages a matrix of ``n_teams`` rows takes in a pack."""
    return max(1, math.ceil(n_teams / per_page))
