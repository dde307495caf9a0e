"""Small-number suppression: the one rule every cross-unit table, chart and export applies.

Counts from an 8-bed ward can identify residents, so a view that sets units side by side hides a
unit's numbers when a count is below ``SMALL_NUMBER_THRESHOLD`` (default 5) — unless the person
looking may read that team's own pages anyway. Suppression never hides what a user could read on
the team's page; it hides what they could not:

* a team member and a viewer see their own units' numbers, and suppressed numbers of every other;
* a facilitator sees the teams of the networks they facilitate (they enter and correct those
  numbers), and suppressed numbers of other networks' teams;
* the centre and administrators may open every team, so nothing is hidden from them — unless they
  ask for the table *as published* (``published=True``), which suppresses for everyone, so that
  what they export for a report follows the same rule as what outsiders see.

Suppression hides outputs, never inputs: every estimate is computed from all the numbers, and only
what is shown is held back. A figure that adds up several months or teams (a unit's total, a month's
network total, an average before or after a change) is shown only when no hidden month can be worked
out from it and everything else on the page (:func:`protect`): complementary suppression.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import null_space

from learnnet import permissions
from learnnet.models import Team, User

DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Suppression:
    """Who is looking, and the threshold: enough to decide for any team and counts."""

    threshold: int
    # Teams whose numbers this viewer may see in full; None when the viewer may see every team.
    open_team_ids: frozenset[int] | None
    published: bool = False

    def applies_to(self, team: Team) -> bool:
        if self.published:
            return True
        return self.open_team_ids is not None and team.id not in self.open_team_ids


def policy(
    user: User, teams: list[Team], threshold: int = DEFAULT_THRESHOLD, *, published: bool = False
) -> Suppression:
    """The suppression ``user`` gets in a view of ``teams``."""
    if published:
        return Suppression(threshold, frozenset(), True)
    open_ids = frozenset(t.id for t in teams if permissions.can_view_team(user, t))
    if len(open_ids) == len({t.id for t in teams}):
        return Suppression(threshold, None, False)
    return Suppression(threshold, open_ids, False)


def is_hidden(suppression: Suppression, team: Team | list[Team], *counts: float | None) -> bool:
    """True when these counts of ``team`` (or of several teams pooled) must not be shown.

    Hidden when the rule applies to the viewer for one of the teams and any count given (a
    numerator, a denominator, a count) is below the threshold. A missing count hides nothing.
    """
    teams = team if isinstance(team, list) else [team]
    if not any(suppression.applies_to(t) for t in teams):
        return False
    return any(c is not None and c < suppression.threshold for c in counts)


def counts_of(series, k: int) -> tuple[float | None, ...]:
    """The counts of a team's month (position ``k`` of its series) that suppression judges: the
    numerator and denominator of a proportion or rate, a count; nothing for other values."""
    measure = series.measure
    if measure.is_ratio:
        return series.numerators[k], series.denominators[k]
    if measure.value_kind == "count":
        return (series.values[k],)
    return ()


def entered(series, k: int) -> bool:
    """Whether the month at ``k`` has numbers (a ratio's denominator above 0)."""
    return series.y[k] is not None and (not series.measure.is_ratio or bool(series.denominators[k]))


# --- complementary suppression ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One team's numbers for one month: the smallest thing a page shows."""

    team: Team
    counts: tuple[float | None, ...]


@dataclass(frozen=True)
class Figure:
    """A number a page shows that adds up cells: a unit's total, a month's network total, …

    ``counts`` are the figure's own totals (numerator and denominator): a figure whose total is
    small is hidden like a small cell.
    """

    key: Hashable
    cells: frozenset[Hashable]
    counts: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class Protection:
    """What a page hides: the cells (months of a team) and the figures it holds back."""

    hidden_cells: frozenset[Hashable] = frozenset()
    withheld: frozenset[Hashable] = frozenset()
    # Cells hidden although their own counts are not small, so that a total can be shown.
    complementary: frozenset[Hashable] = field(default=frozenset())

    def shows(self, key: Hashable) -> bool:
        return key not in self.withheld

    def hides_cell(self, key: Hashable) -> bool:
        return key in self.hidden_cells


# A figure may ask for this many more cells to be hidden before it is held back instead.
MAX_COMPLEMENTS = 3


def _disclosed(unknown: Sequence[Hashable], shown: Iterable[frozenset[Hashable]]) -> bool:
    """True when some unknown cell can be worked out exactly from the sums ``shown``.

    Each shown figure, less the cells the viewer can read, is one linear equation in the unknown
    cells. A cell is worked out exactly when its unit vector lies in the equations' row space, that
    is when every vector of the equations' null space is 0 in that cell.
    """
    if not unknown:
        return False
    column = {key: k for k, key in enumerate(unknown)}
    rows = []
    for cells in shown:
        row = np.zeros(len(unknown))
        for key in cells:
            if key in column:
                row[column[key]] = 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return False
    basis = null_space(np.array(rows))
    if basis.shape[1] == 0:
        return True
    return bool((np.abs(basis).max(axis=1) < 1e-9).any())


def protect(
    suppression: Suppression, cells: Mapping[Hashable, Cell], figures: Sequence[Figure]
) -> Protection:
    """The cells and figures a page must hide from this viewer, every table, chart and export alike.

    A cell is hidden when its counts are small and the rule applies to its team (:func:`is_hidden`).
    The figures are taken in the order given, most important first. A figure whose own total is
    small is held back. Otherwise it is shown if no hidden cell can then be worked out from it and
    the figures already shown, and the hidden cells it adds up are not together a small count
    (its total less the cells shown would give that sum); otherwise the smallest cells it adds up
    are hidden too (up to :data:`MAX_COMPLEMENTS` of them, of teams the rule applies to), and if
    that is not enough the figure is held back.
    """
    hidden = [key for key, cell in cells.items() if is_hidden(suppression, cell.team, *cell.counts)]
    hidden_set = set(hidden)
    complementary: set[Hashable] = set()
    shown: list[frozenset[Hashable]] = []
    withheld: set[Hashable] = set()
    for figure in figures:
        teams = [cells[key].team for key in figure.cells if key in cells]
        if teams and is_hidden(suppression, teams, *figure.counts):
            withheld.add(figure.key)
            continue
        if not hidden_set & figure.cells:
            shown.append(figure.cells)
            continue
        candidates = sorted(
            (
                key
                for key in figure.cells
                if key in cells and key not in hidden_set and suppression.applies_to(cells[key].team)
            ),
            key=lambda key: (_size(cells[key]), str(key)),
        )
        added: list[Hashable] = []
        while _disclosed(hidden + added, shown + [figure.cells]) or _small_remainder(
            suppression, cells, figure, hidden_set.union(added)
        ):
            if len(added) == MAX_COMPLEMENTS or not candidates:
                break
            added.append(candidates.pop(0))
        else:
            hidden += added
            hidden_set.update(added)
            complementary.update(added)
            shown.append(figure.cells)
            continue
        withheld.add(figure.key)
    return Protection(frozenset(hidden_set), frozenset(withheld), frozenset(complementary))


def _small_remainder(
    suppression: Suppression, cells: Mapping[Hashable, Cell], figure: Figure, hidden: set[Hashable]
) -> bool:
    """True when what the figure adds up of the hidden cells (its total less every cell shown,
    which a reader can work out) is itself a small count."""
    inside = [cells[key] for key in figure.cells if key in hidden and key in cells]
    if not inside or len(inside[0].counts) == 0:
        return False
    sums = [sum(c.counts[i] or 0.0 for c in inside) for i in range(len(inside[0].counts))]
    return is_hidden(suppression, [c.team for c in inside], *sums)


def _size(cell: Cell) -> float:
    present = [c for c in cell.counts if c is not None]
    return min(present) if present else 0.0
