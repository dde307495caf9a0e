"""Complementary suppression: no hidden month can be worked out from the totals a page shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from learnnet.suppression import Cell, Figure, Suppression, protect

OUTSIDER = Suppression(threshold=5, open_team_ids=frozenset())


@dataclass(frozen=True)
class Team:
    id: int


A, B, C = Team(1), Team(2), Team(3)


def cells(table: dict[tuple[object, int], int]) -> dict:
    return {key: Cell(team, (count,)) for (team, k), count in table.items() for key in [(team.id, k)]}


def total(key, table, chosen) -> Figure:
    picked = frozenset((t.id, k) for (t, k) in table if chosen(t, k))
    return Figure(key, picked, (sum(c for (t, k), c in table.items() if chosen(t, k)),))


def worked_out(protection, table, figures) -> set:
    """The hidden cells an outsider can solve for exactly from what is shown, found independently:
    a cell is known when no solution of the shown totals can move it, that is when the totals'
    null space (from numpy's SVD) is 0 there."""
    unknown = sorted(protection.hidden_cells)
    rows = [
        [1.0 if key in figure.cells else 0.0 for key in unknown]
        for figure in figures
        if protection.shows(figure.key)
    ]
    rows = [row for row in rows if any(row)]
    if not unknown or not rows:
        return set()
    _, s, vt = np.linalg.svd(np.array(rows))
    null = vt[int((s > 1e-9).sum()) :]
    return {key for k, key in enumerate(unknown) if null.size == 0 or np.abs(null[:, k]).max() < 1e-9}


def test_one_small_month_beside_its_total_hides_a_second_month():
    table = {(A, 1): 10, (A, 2): 3, (A, 3): 12}
    figures = [total("A", table, lambda t, k: True)]
    protection = protect(OUTSIDER, cells(table), figures)
    # 3 is small; the total 25 minus 10 and 12 would give it away, so the smaller month goes too
    assert protection.hidden_cells == {(1, 2), (1, 1)}
    assert protection.complementary == {(1, 1)}
    assert protection.shows("A")
    assert worked_out(protection, table, figures) == set()


def test_nineteen_of_twenty_do_not_reveal_the_one():
    teams = [Team(k) for k in range(20)]
    table = {(t, 1): 20 + t.id for t in teams}
    table[(teams[7], 1)] = 2
    figures = [total("network", table, lambda t, k: True)]
    protection = protect(OUTSIDER, cells(table), figures)
    assert (7, 1) in protection.hidden_cells and len(protection.hidden_cells) == 2
    assert protection.shows("network")
    assert worked_out(protection, table, figures) == set()


def test_a_grid_of_small_cells_keeps_every_total():
    # four small months in a 2 × 2 table: the row and column totals give three equations in four
    # unknowns, so none of the four can be worked out and every total may be shown
    table = {(A, 1): 4, (A, 2): 3, (B, 1): 2, (B, 2): 4}
    figures = [
        total("row A", table, lambda t, k: t is A),
        total("row B", table, lambda t, k: t is B),
        total("month 1", table, lambda t, k: k == 1),
        total("month 2", table, lambda t, k: k == 2),
    ]
    protection = protect(OUTSIDER, cells(table), figures)
    assert protection.withheld == frozenset() and protection.complementary == frozenset()
    assert worked_out(protection, table, figures) == set()


def test_a_total_that_is_itself_small_is_held_back():
    table = {(A, 1): 1, (A, 2): 2}
    figures = [total("A", table, lambda t, k: True)]
    protection = protect(OUTSIDER, cells(table), figures)
    assert not protection.shows("A")


def test_cells_the_viewer_may_open_are_no_cover():
    # the viewer belongs to B, so B's months are known to them and cannot hide A's small month:
    # the month's total is held back instead
    insider = Suppression(threshold=5, open_team_ids=frozenset({B.id}))
    table = {(A, 1): 3, (B, 1): 30}
    figures = [total("month 1", table, lambda t, k: True)]
    protection = protect(insider, cells(table), figures)
    assert protection.hidden_cells == {(1, 1)}
    assert not protection.shows("month 1")


def test_the_centre_sees_everything():
    everyone = Suppression(threshold=5, open_team_ids=None)
    table = {(A, 1): 1, (A, 2): 30, (C, 1): 2}
    figures = [total("A", table, lambda t, k: t is A), total("month 1", table, lambda t, k: k == 1)]
    protection = protect(everyone, cells(table), figures)
    assert protection.hidden_cells == frozenset() and protection.withheld == frozenset()


def test_hidden_months_that_add_up_to_a_small_count_are_not_left_beside_their_total():
    # January 1 and February 2 are hidden; the year's total less the ten months shown would give
    # their sum, 3, itself a small count: a third month is hidden with them
    table = {(A, 1): 1, (A, 2): 2} | {(A, k): 8 for k in range(3, 13)}
    figures = [total("A", table, lambda t, k: True)]
    protection = protect(OUTSIDER, cells(table), figures)
    assert protection.shows("A")
    hidden = sum(table[(A, k)] for (_team, k) in protection.hidden_cells)
    assert hidden >= 5 and {(1, 1), (1, 2)} <= protection.hidden_cells
