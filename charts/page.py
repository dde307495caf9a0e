"""The parts every figure shares: a heading (title, subtitle), a footnote, wrapped text.

Positions are in figure inches (origin bottom left); each helper returns where the next
element may start, so figures stack their parts without overlap.
"""

from __future__ import annotations

from typing import Any, Sequence

from matplotlib.figure import Figure
from matplotlib.text import Text

from charts import style
from charts.text import Measurer


def put(fig: Figure, x: float, y: float, s: str, size_pt: float, **kw: Any) -> Text:
    """A text at (x, y) inches; never parsed as mathtext (user text may contain '$')."""
    W, H = fig.get_size_inches()
    kw.setdefault("color", style.TEXT)
    return fig.text(x / W, y / H, s, fontsize=size_pt, parse_math=False, **kw)


def heading(
    fig: Figure,
    m: Measurer,
    sz: style.Size,
    x: float,
    top: float,
    width: float,
    title: str,
    subtitle: str = "",
    title_role: str = "title",
) -> float:
    """Draw a bold title and a muted subtitle from ``top`` down; returns the y below them."""
    for role, s, weight, colour in (
        (title_role, title, "bold", style.INK),
        ("subtitle", subtitle, "normal", style.MUTED),
    ):
        if not s:
            continue
        pt = sz.pt(role)
        for line in m.wrap(s, pt, width, weight):
            put(fig, x, top, line, pt, weight=weight, color=colour, va="top", ha="left")
            top -= m.line_height(pt) * 1.08
    return top


def paragraph(
    fig: Figure,
    m: Measurer,
    x: float,
    top: float,
    width: float,
    s: str,
    size_pt: float,
    max_lines: int | None = None,
    **kw: Any,
) -> float:
    """Wrapped text from ``top`` down (at most ``max_lines``); returns the y below it."""
    lines = m.wrap(s, size_pt, width, kw.get("weight", "normal"))
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = m.truncate(lines[-1] + " …", size_pt, width)
    lh = m.line_height(size_pt) * 1.12
    for line in lines:
        put(fig, x, top, line, size_pt, va="top", ha="left", **kw)
        top -= lh
    return top


def footnote(
    fig: Figure,
    m: Measurer,
    sz: style.Size,
    x: float,
    bottom: float,
    width: float,
    parts: Sequence[str],
    max_lines: int | None = None,
) -> float:
    """Muted footnote lines from ``bottom`` up (at most ``max_lines``, the last one cut
    with an ellipsis); returns the y above them."""
    pt = sz.pt("footnote")
    lines: list[str] = []
    for p in parts:
        if p:
            lines += m.wrap(p, pt, width)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = m.truncate(lines[-1] + " …", pt, width)
    for line in reversed(lines):
        put(fig, x, bottom, line, pt, color=style.MUTED, va="baseline", ha="left")
        bottom += m.line_height(pt)
    return bottom + (0.3 * m.line_height(sz.base_pt) if lines else 0.0)
