"""The network seen as one: its teams' monthly series pooled into one, and how many teams show a
signal each month.

API
---
``pool(value_kind, ys, ns=None) -> PooledSeries`` — the teams' series (one sequence per team, a
slot per month, None where a team has not entered) pooled month by month:

* proportions and rates: the sum of the numerators over the sum of the
  denominators, p = Σ yᵢ / Σ nᵢ, so the pooled month is what one p or u chart of the whole
  network's residents (or bed-days) shows — larger teams weigh more, as they hold more of them;
* counts: the sum of the teams' counts, Σ yᵢ (a c chart of the network's events; a month that
  not every team has entered is therefore lower, which is why :attr:`PooledSeries.teams` says how
  many teams each month holds);
* every other value kind (continuous, days or cases between, subgroup samples): the mean of the
  teams' values, Σ yᵢ / k.

A team counts in a month when it has entered the month (for ratios: both numerator and a
denominator above zero).

``variation_at(findings, position) -> str`` — the variation at one month, as
:func:`measures.rules.evaluate` reads it at the latest month (one of ``VARIATIONS``), from the
findings that cover that month.

``signal_counts(variations) -> SignalCounts`` — per month, how many teams show special-cause
improvement, special-cause concern, neither (common cause, or a signal that is neither better nor
worse), or have no value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from measures.rules import Finding

__all__ = [
    "SIGNAL_GROUPS",
    "PooledSeries",
    "SignalCounts",
    "pool",
    "variation_at",
    "signal_group",
    "signal_counts",
]

# Value kinds with a numerator and a denominator.
_RATIO_KINDS = ("proportion", "rate")
#: What a team shows in a month, for the count of teams with a signal: special-cause improvement,
#: special-cause concern, neither of them, or no value that month.
SIGNAL_GROUPS = ("improvement", "concern", "neither", "missing")

Num = float | int | None


@dataclass(frozen=True)
class PooledSeries:
    """The teams' series pooled: ``y`` (a numerator, a count or a mean) and, for ratios, ``n``, one
    slot per month (None where no team has entered); ``teams`` how many teams each month holds."""

    value_kind: str
    y: tuple[float | None, ...]
    n: tuple[float | None, ...] | None
    teams: tuple[int, ...]


def _entered(y: Num, n: Num, ratio: bool) -> bool:
    if y is None:
        return False
    return not ratio or (n is not None and n > 0)


def pool(
    value_kind: str, ys: Sequence[Sequence[Num]], ns: Sequence[Sequence[Num]] | None = None
) -> PooledSeries:
    """Pool the teams' series month by month (see the module's docstring for the formulas).

    ``ys`` (and, for proportions and rates, ``ns``) hold one sequence per team, all of one length.
    """
    ratio = value_kind in _RATIO_KINDS
    if ratio and ns is None:
        raise ValueError("proportions and rates are pooled from numerators and denominators")
    length = len(ys[0]) if ys else 0
    if any(len(y) != length for y in ys) or (ns is not None and any(len(n) != length for n in ns)):
        raise ValueError("every team's series has one slot per month")
    pooled_y: list[float | None] = []
    pooled_n: list[float | None] = []
    counts: list[int] = []
    for k in range(length):
        held = [
            (float(y[k]), float(ns[j][k]) if ratio else None)
            for j, y in enumerate(ys)
            if _entered(y[k], ns[j][k] if ratio else None, ratio)
        ]
        counts.append(len(held))
        if not held:
            pooled_y.append(None)
            pooled_n.append(None)
        elif ratio:
            pooled_y.append(sum(y for y, _ in held))
            pooled_n.append(sum(n for _, n in held))
        elif value_kind == "count":
            pooled_y.append(sum(y for y, _ in held))
        else:
            pooled_y.append(sum(y for y, _ in held) / len(held))
    return PooledSeries(value_kind, tuple(pooled_y), tuple(pooled_n) if ratio else None, tuple(counts))


def variation_at(findings: Iterable[Finding], position: int) -> str:
    """The variation at ``position``: special-cause improvement when a finding of that class covers
    it (first ≤ position ≤ last), else concern, else a neutral signal, else common cause — the
    order :func:`measures.rules.evaluate` uses at the latest point (NHS MDC: improvement wins)."""
    here = {f.direction for f in findings if f.first <= position <= f.last}
    for direction in ("improvement", "concern", "neutral"):
        if direction in here:
            return f"special_cause_{direction}"
    return "common_cause"


def signal_group(variation: str | None) -> str:
    """The group of :data:`SIGNAL_GROUPS` a variation (None: no value) is counted in."""
    if variation is None:
        return "missing"
    return {"special_cause_improvement": "improvement", "special_cause_concern": "concern"}.get(
        variation, "neither"
    )


@dataclass(frozen=True)
class SignalCounts:
    """Per month, how many teams are in each of :data:`SIGNAL_GROUPS`."""

    improvement: tuple[int, ...]
    concern: tuple[int, ...]
    neither: tuple[int, ...]
    missing: tuple[int, ...]

    def group(self, name: str) -> tuple[int, ...]:
        return getattr(self, name)


def signal_counts(variations: Sequence[Sequence[str | None]]) -> SignalCounts:
    """Count the teams per month: ``variations`` holds one sequence per team, a variation (one of
    ``measures.rules.VARIATIONS``) or None (no value) per month."""
    length = len(variations[0]) if variations else 0
    if any(len(v) != length for v in variations):
        raise ValueError("every team's variations have one slot per month")
    groups = {name: [0] * length for name in SIGNAL_GROUPS}
    for team in variations:
        for k, variation in enumerate(team):
            groups[signal_group(variation)][k] += 1
    return SignalCounts(**{name: tuple(counts) for name, counts in groups.items()})
