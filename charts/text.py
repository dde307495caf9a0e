"""Placing text so that nothing collides: measuring, wrapping, lanes, number formats.

Text is measured from DejaVu Sans's advance widths (see :class:`_Advances`); units are
inches unless a name says otherwise.
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from typing import Any, Sequence

from fontTools.ttLib import TTFont
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from charts import style


def font(size_pt: float, weight: str = "normal") -> FontProperties:
    return FontProperties(family=style.FONT_FAMILY, size=size_pt, weight=weight)


class _Advances:
    """Advance widths of DejaVu Sans glyphs from the font's ``hmtx`` table (fontTools ships
    with matplotlib). Summing advances is ~50× faster than asking FreeType to lay out each
    string, and is within a few per cent of the rendered width (kerning is ignored, which
    overestimates slightly: the safe side for collision checks)."""

    _lock = threading.Lock()
    _tables: dict[str, tuple[dict[int, str], Any, int]] = {}

    @classmethod
    def table(cls, weight: str) -> tuple[dict[int, str], Any, int]:
        t = cls._tables.get(weight)
        if t is None:
            with cls._lock:
                t = cls._tables.get(weight)
                if t is None:
                    path = findfont(font(10, weight), fallback_to_default=True)
                    with open(path, "rb") as fh:
                        tt = TTFont(io.BytesIO(fh.read()))
                    t = (dict(tt.getBestCmap()), dict(tt["hmtx"].metrics), tt["head"].unitsPerEm)
                    cls._tables[weight] = t
        return t

    @classmethod
    def em_width(cls, s: str, weight: str) -> float:
        cmap, hmtx, upm = cls.table("bold" if weight == "bold" else "normal")
        total = 0
        for c in s:
            total += hmtx[cmap.get(ord(c), ".notdef")][0]
        return total / upm


class Measurer:
    """Measures strings in inches for a figure; caches by (text, size, weight)."""

    SAFETY = 1.02  # covers the few strings whose rendered width exceeds the advance sum

    def __init__(self, fig: Figure):
        self.fig = fig
        self.dpi = fig.dpi
        self._cache: dict[tuple[str, float, str], tuple[float, float]] = {}

    def size(self, s: str, size_pt: float, weight: str = "normal") -> tuple[float, float]:
        """(width, height) in inches of one line of text, height from the font's line box."""
        key = (s, size_pt, weight)
        hit = self._cache.get(key)
        if hit is None:
            w = _Advances.em_width(s, weight) * size_pt / 72.0 * self.SAFETY
            hit = (w, self.line_height(size_pt))
            self._cache[key] = hit
        return hit

    def width(self, s: str, size_pt: float, weight: str = "normal") -> float:
        return self.size(s, size_pt, weight)[0]

    @staticmethod
    def line_height(size_pt: float) -> float:
        """Height of one line (ascender to descender of DejaVu Sans ≈ 1.17 em)."""
        return size_pt * 1.17 / 72.0

    def wrap(self, s: str, size_pt: float, max_width: float, weight: str = "normal") -> list[str]:
        """Greedy word wrap to ``max_width`` inches; explicit newlines are kept."""
        lines: list[str] = []
        for para in s.split("\n"):
            words = [w for w in para.split(" ") if w]  # no-break spaces hold words together
            if not words:
                lines.append("")
                continue
            line = words[0]
            for w in words[1:]:
                trial = f"{line} {w}"
                if self.width(trial, size_pt, weight) <= max_width:
                    line = trial
                else:
                    lines.append(line)
                    line = w
            lines.append(self.truncate(line, size_pt, max_width, weight))
        return lines

    def truncate(self, s: str, size_pt: float, max_width: float, weight: str = "normal") -> str:
        """``s`` cut with an ellipsis so that it fits ``max_width`` (empty if nothing fits)."""
        if self.width(s, size_pt, weight) <= max_width:
            return s
        lo, hi = 0, len(s)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.width(s[:mid].rstrip() + "…", size_pt, weight) <= max_width:
                lo = mid
            else:
                hi = mid - 1
        return s[:lo].rstrip() + "…" if lo > 0 else ""


@dataclass(frozen=True)
class LaneItem:
    """A label to place in a lane: its anchor (where its stem is) and its span."""

    anchor: float
    left: float
    right: float
    lane: int


def allocate_lanes(
    items: Sequence[Sequence[tuple[float, float, float]]],
    gap: float,
    max_lanes: int,
    fixed: Sequence[LaneItem] = (),
) -> list[LaneItem | None]:
    """Place labels in horizontal lanes above a plot.

    Each item offers candidate spans (anchor, left, right), best first (e.g. the label to
    the right of its marker, then to the left); a candidate is tried in every lane before
    the next candidate. A label in lane k has a stem from its anchor
    down to the plot through lanes 0..k-1; a label may neither overlap another label in its
    lane, cover a stem passing through its lane, nor have its own stem cross a label in a
    lower lane. ``fixed`` labels (phase labels) are already placed; stems may pass behind
    them (they are drawn on a white background). Items are placed from right to left, which
    keeps stems clear of labels that extend to the right. Items that fit in no lane within
    ``max_lanes`` come back as None.
    """
    order = sorted(range(len(items)), key=lambda i: (-items[i][0][0], i))
    anchors = [item[0][0] for item in items]
    placed: dict[int, LaneItem] = {}
    for i in order:
        done = False
        for a, left, right in items[i]:
            for lane in range(max_lanes):
                if any(
                    j != i
                    and j not in placed
                    and abs(anchors[j] - a) > 1e-9
                    and left - gap / 2 <= anchors[j] <= right + gap / 2
                    for j in range(len(items))
                ):
                    break  # it would cover the stem of a label still to be placed
                if all(_compatible(a, left, right, lane, p, gap) for p in placed.values()) and all(
                    p.lane != lane or right + gap <= p.left or p.right + gap <= left for p in fixed
                ):
                    placed[i] = LaneItem(a, left, right, lane)
                    done = True
                    break
            if done:
                break
    return [placed.get(i) for i in range(len(items))]


def _compatible(a: float, left: float, right: float, lane: int, p: LaneItem, gap: float) -> bool:
    if p.lane == lane:
        return right + gap <= p.left or p.right + gap <= left
    if p.lane > lane:  # p's stem passes through our lane: we must not cover it
        return not (left - gap / 2 <= p.anchor <= right + gap / 2)
    # our stem passes through p's lane: it must not cross p
    return not (p.left - gap / 2 <= a <= p.right + gap / 2)


def spread(positions: Sequence[float], heights: Sequence[float], lo: float, hi: float) -> list[float]:
    """Move vertically centred labels apart so none overlap, staying within [lo, hi] and as
    close to their wanted positions as possible (a 1-D "repel": cluster and centre)."""
    n = len(positions)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: positions[i])
    # clusters of labels that must sit edge to edge
    clusters: list[list[int]] = []
    for i in order:
        clusters.append([i])
        while len(clusters) > 1:
            a, b = clusters[-2], clusters[-1]
            top_a = _cluster_centre(a, positions, heights) + _cluster_height(a, heights) / 2
            bottom_b = _cluster_centre(b, positions, heights) - _cluster_height(b, heights) / 2
            if top_a > bottom_b:
                clusters[-2:] = [a + b]
            else:
                break
    out = [0.0] * n
    for c in clusters:
        h = _cluster_height(c, heights)
        centre = _cluster_centre(c, positions, heights)
        bottom = min(max(centre - h / 2, lo), max(lo, hi - h))
        for i in c:
            out[i] = bottom + heights[i] / 2
            bottom += heights[i]
    return out


def _cluster_height(c: list[int], heights: Sequence[float]) -> float:
    return sum(heights[i] for i in c)


def _cluster_centre(c: list[int], positions: Sequence[float], heights: Sequence[float]) -> float:
    return sum(positions[i] for i in c) / len(c)


@dataclass(frozen=True)
class NumberFormat:
    """How numbers are written: the app passes the user's convention.

    Bokmål: ``NumberFormat(decimal_mark=",", thousands_sep="\u00a0", percent_suffix="\u00a0%")``.
    """

    decimal_mark: str = "."
    thousands_sep: str = ","
    percent_suffix: str = "%"

    def number(self, v: float, decimals: int) -> str:
        s = f"{v:,.{max(0, decimals)}f}"
        if s.startswith("-"):
            s = "\u2212" + s[1:]
        return s.replace(",", "\x00").replace(".", self.decimal_mark).replace("\x00", self.thousands_sep)

    def value(self, v: float, decimals: int, percent: bool) -> str:
        s = self.number(v, decimals)
        return s + self.percent_suffix if percent else s


def auto_decimals(values: Sequence[float], percent: bool) -> int:
    """Decimals that show the values' differences without false precision."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return 0
    span = max(finite) - min(finite) if len(finite) > 1 else max(finite)
    top = max(finite)
    if percent:
        return 0 if span >= 10 else 1
    ref = max(span, top / 10, 1e-9)
    return int(min(3, max(0, 1 - math.floor(math.log10(ref)))))


def tick_decimals(step: float) -> int:
    """The fewest decimals (at most 4) that write every multiple of ``step`` exactly: a step of 2.5
    needs one (7.5, not "8"), a step of 0.25 two."""
    if step <= 0 or not math.isfinite(step):
        return 0
    for decimals in range(5):
        if abs(round(step, decimals) - step) <= 1e-9 * max(1.0, step):
            return decimals
    return 4
