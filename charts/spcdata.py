"""What a run or SPC chart shows, as plain data: the series, its limits and signals, the markers
and every text, in the reader's language (the app translates; ``charts`` knows no language).
:func:`from_measures` turns a ``measures.spc`` result into :class:`SpcFigureData`; drawing it is
:mod:`charts.spcdraw`'s work.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence

from charts import render
from charts.text import NumberFormat
from measures.rules import SIGNAL_CLASSES

SIGNAL_KINDS = ("outside", "two_of_three", "shift", "run", "trend")
ANNOTATION_KINDS = ("intervention", "pdsa", "event")


@dataclass(frozen=True)
class Signal:
    """A rule finding over subgroup positions ``first``..``last`` (0-based, inclusive)."""

    kind: str  # outside | two_of_three | shift | run | trend
    signal_class: str  # improvement | concern | neutral (measures.rules.SIGNAL_CLASSES)
    first: int
    last: int

    def __post_init__(self) -> None:
        if self.kind not in SIGNAL_KINDS:
            raise ValueError(f"unknown signal kind {self.kind!r}")
        if self.signal_class not in SIGNAL_CLASSES:
            raise ValueError(f"unknown signal class {self.signal_class!r}")
        if self.last < self.first:
            raise ValueError("signal last < first")


@dataclass(frozen=True)
class Annotation:
    """An intervention, PDSA cycle or event drawn as a marker at a period."""

    index: int  # period position (0-based)
    label: str  # short label, already translated
    kind: str = "intervention"

    def __post_init__(self) -> None:
        if self.kind not in ANNOTATION_KINDS:
            raise ValueError(f"unknown annotation kind {self.kind!r}")


@dataclass(frozen=True)
class ChartText:
    """Every visible word of a chart; the app passes them translated (defaults: English)."""

    title: str = ""
    subtitle: str = ""  # team, unit, period
    y_label: str = ""  # the measure's unit, e.g. "% of residents"
    footnote: str = ""  # source line
    target: str = "Target"
    counterfactual: str = "Expected without the change"
    fitted: str = ""  # legend entry for the fitted line; none when empty
    window: str = ""  # legend entry for the shaded window; none when empty
    legend_signal: str = "{kind} ({signal_class})"
    kind_outside: str = "Outside the limits"
    kind_two_of_three: str = "2 of 3 beyond 2 sigma"
    kind_shift: str = "Shift"
    kind_run: str = "Long run"
    kind_trend: str = "Trend"
    class_improvement: str = "improvement"
    class_concern: str = "concern"
    class_neutral: str = "signal"
    runs_signal: str = "Dashed centre line: non-random variation"
    excluded: str = "Excluded from the calculation"
    notes_separator: str = "  ·  "
    alt_title: str = ""  # defaults to title
    alt_description: str = ""  # the chart's plain reading
    numbers: NumberFormat = field(default_factory=NumberFormat)

    def kind(self, kind: str) -> str:
        return getattr(self, f"kind_{kind}")

    def signal_class(self, signal_class: str) -> str:
        return getattr(self, f"class_{signal_class}")


Num = float | int | None


@dataclass(frozen=True)
class SpcFigureData:
    """Everything a run or control chart shows, in display units (percent as 0–100).

    Per-point sequences have one entry per period; None marks a missing value (a gap).
    ``phase`` holds a phase number per period (phases are contiguous), ``phase_labels``
    one label per phase in order of appearance. Limits may be None for a run chart.

    ``fitted`` is a model's line (e.g. a segmented regression), drawn as straight segments
    joining its points within each phase, where ``cl`` is drawn as steps; ``window``
    (first, last), inclusive positions, is shaded behind the data (the months an effect is
    averaged over).
    """

    periods: tuple[str, ...]
    y: tuple[Num, ...]
    cl: tuple[Num, ...] | None = None
    lcl: tuple[Num, ...] | None = None
    ucl: tuple[Num, ...] | None = None
    lcl95: tuple[Num, ...] | None = None  # 2-sigma limits, drawn when given
    ucl95: tuple[Num, ...] | None = None
    phase: tuple[int, ...] | None = None
    phase_labels: tuple[str, ...] = ()
    signals: tuple[Signal, ...] = ()
    runs_signal: tuple[bool, ...] | None = None  # per point: centre line dashed
    target: float | None = None
    annotations: tuple[Annotation, ...] = ()
    counterfactual: tuple[Num, ...] | None = None
    fitted: tuple[Num, ...] | None = None
    window: tuple[int, int] | None = None
    excluded: tuple[int, ...] = ()
    is_percent: bool = False
    decimals: int | None = None
    period_dates: tuple[_dt.date, ...] | None = None  # aligns month labels to quarters
    text: ChartText = field(default_factory=ChartText)

    def __post_init__(self) -> None:
        n = len(self.periods)
        for name in (
            "y",
            "cl",
            "lcl",
            "ucl",
            "lcl95",
            "ucl95",
            "phase",
            "runs_signal",
            "counterfactual",
            "fitted",
            "period_dates",
        ):
            v = getattr(self, name)
            if v is not None and len(v) != n:
                raise ValueError(f"{name} has {len(v)} values for {n} periods")
        for s in self.signals:
            if not 0 <= s.first <= s.last < n:
                raise ValueError(f"signal {s} outside 0..{n - 1}")
        for a in self.annotations:
            if not 0 <= a.index < n:
                raise ValueError(f"annotation {a} outside 0..{n - 1}")
        if self.window is not None and not 0 <= self.window[0] <= self.window[1] < n:
            raise ValueError(f"window {self.window} outside 0..{n - 1}")

    @property
    def alt(self) -> render.AltText:
        t = self.text
        return render.AltText(t.alt_title or t.title, t.alt_description)


# --- from measures -----------------------------------------------------------------------

# measures.rules names (beyond_limits, shift, trend, two_of_three, few_crossings, few_runs,
# many_runs); other spellings are matched loosely.
_RULE_KINDS = {
    "beyond_limits": "outside",
    "shift": "shift",
    "trend": "trend",
    "two_of_three": "two_of_three",
    "astronomical": "outside",
    "long_run": "run",
}
# Rules about a whole phase rather than some points: drawn as a dashed centre line.
_PHASE_RULES = ("crossing", "few_runs", "many_runs", "runs_count")
_LOOSE_KINDS = (
    ("two", "two_of_three"),
    ("2of3", "two_of_three"),
    ("outside", "outside"),
    ("sigma", "outside"),
    ("limit", "outside"),
    ("astronom", "outside"),
    ("point", "outside"),
    ("trend", "trend"),
    ("shift", "shift"),
    ("side", "shift"),
    ("run", "run"),
)


def _finding_kind(rule: str) -> str | None:
    """The signal kind drawn for a rule, or None for a rule about a whole phase."""
    r = rule.lower().replace("-", "_").replace(" ", "_")
    if r in _RULE_KINDS:
        return _RULE_KINDS[r]
    if any(p in r for p in _PHASE_RULES):
        return None
    for key, kind in _LOOSE_KINDS:
        if key in r:
            return kind
    return None


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def from_measures(
    chart: Any,
    *,
    periods: Sequence[str],
    findings: Iterable[Any] = (),
    text: ChartText | None = None,
    annotations: Sequence[Annotation] = (),
    phase_labels: Sequence[str] = (),
    target: float | None = None,
    multiplier: float = 1.0,
    is_percent: bool = False,
    direction: str | None = None,
    counterfactual: Sequence[Num] | None = None,
    period_dates: Sequence[_dt.date] | None = None,
    excluded: Sequence[int] = (),
    show_2sigma: bool | None = None,
    decimals: int | None = None,
) -> SpcFigureData:
    """Map a ``measures.spc.compute`` result onto :class:`SpcFigureData`.

    ``chart.to_records()`` gives one dict per subgroup (y, cl, lcl, ucl, lcl95, ucl95,
    sigma_signal, phase, runs_signal, …). ``findings`` from ``measures.rules.evaluate``
    (an Evaluation, or objects or dicts with rule, first, last and direction, which is the
    finding's signal class there) become signals;
    rules about a whole phase (few crossings, few/many runs) dash that phase's centre line,
    as qicharts2 does for its runs signal; without findings,
    points with ``sigma_signal`` are marked "outside", classed by the measure's improvement
    ``direction`` ("up" or "down"; None → neutral). ``multiplier`` scales values to
    display units (100 for a proportion shown in percent); ``target`` and
    ``counterfactual`` are given in display units already. The 2-sigma lines are drawn
    when ``show_2sigma`` is true, or (None) when a finding is "two of three beyond 2 sigma".
    """
    records = list(chart.to_records())
    if len(records) != len(periods):
        raise ValueError(f"{len(records)} subgroups for {len(periods)} period labels")

    def col(key: str) -> tuple[Num, ...] | None:
        vals = [r.get(key) for r in records]
        if all(v is None for v in vals):
            return None
        return tuple(
            None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) * multiplier
            for v in vals
        )

    y = col("y") or tuple(None for _ in records)
    cl, lcl, ucl = col("cl"), col("lcl"), col("ucl")
    findings = list(findings)
    if show_2sigma is None:  # the 2-sigma lines explain a "2 of 3 beyond 2 sigma" signal
        show_2sigma = any(_finding_kind(str(_get(f, "rule", ""))) == "two_of_three" for f in findings)
    lcl95 = col("lcl95") if show_2sigma else None
    ucl95 = col("ucl95") if show_2sigma else None
    raw_phase = [r.get("phase") for r in records]
    phase_ids: dict[Any, int] = {}
    phase = tuple(phase_ids.setdefault(p, len(phase_ids)) for p in raw_phase)
    runs = tuple(bool(r.get("runs_signal")) for r in records)

    signals: list[Signal] = []
    runs_flags = list(runs)
    for f in findings:
        kind = _finding_kind(str(_get(f, "rule", "")))
        if kind is None:
            # too few crossings / too few or many runs: the phase's centre line is dashed
            for i in range(max(0, int(_get(f, "first"))), min(len(runs_flags), int(_get(f, "last")) + 1)):
                runs_flags[i] = True
            continue
        signal_class = _get(f, "direction", "neutral") or "neutral"
        if signal_class not in SIGNAL_CLASSES:
            signal_class = "neutral"
        signals.append(Signal(kind, signal_class, int(_get(f, "first")), int(_get(f, "last"))))
    if not findings:
        up = {"up": True, "down": False}.get(direction or "")
        for i, r in enumerate(records):
            if r.get("sigma_signal") and y[i] is not None:
                if up is None or cl is None or cl[i] is None:
                    signal_class = "neutral"
                else:
                    signal_class = "improvement" if (y[i] > cl[i]) == up else "concern"
                signals.append(Signal("outside", signal_class, i, i))
    t = text or ChartText()
    return SpcFigureData(
        periods=tuple(periods),
        y=y,
        cl=cl,
        lcl=lcl,
        ucl=ucl,
        lcl95=lcl95,
        ucl95=ucl95,
        phase=phase,
        phase_labels=tuple(phase_labels),
        signals=tuple(signals),
        runs_signal=_whole_phases(runs_flags, phase) if any(runs_flags) else None,
        target=target,
        annotations=tuple(annotations),
        counterfactual=tuple(counterfactual) if counterfactual is not None else None,
        excluded=tuple(excluded),
        is_percent=is_percent,
        decimals=decimals,
        period_dates=tuple(period_dates) if period_dates is not None else None,
        text=t,
    )


def _whole_phases(flags: Sequence[bool], phase: Sequence[int]) -> tuple[bool, ...]:
    """A runs signal concerns a whole phase: spread any flag to its phase."""
    flagged = {p for f, p in zip(flags, phase, strict=True) if f}
    return tuple(p in flagged for p in phase)


def with_text(data: SpcFigureData, **changes: Any) -> SpcFigureData:
    """A copy of ``data`` with some of its text replaced (e.g. a panel without title)."""
    return replace(data, text=replace(data.text, **changes))
