"""Pooling a network's teams month by month, and counting the teams with a signal."""

from __future__ import annotations

import pytest

from measures.network import pool, signal_counts, signal_group, variation_at
from measures.rules import Finding


def test_proportions_pool_as_the_sum_of_numerators_over_the_sum_of_denominators():
    # month 1: both teams (3/10 and 2/5 → 5/15); month 2: only the second (4/8);
    # month 3: the second's denominator is 0, so only the first holds it (5/20); month 4: nobody
    pooled = pool(
        "proportion",
        [[3, None, 5, None], [2, 4, 0, None]],
        [[10, None, 20, None], [5, 8, 0, None]],
    )
    assert pooled.y == (5, 4, 5, None)
    assert pooled.n == (15, 8, 20, None)
    assert pooled.teams == (2, 1, 1, 0)
    assert pooled.y[0] / pooled.n[0] == pytest.approx(1 / 3)  # not the mean of 0.3 and 0.4


def test_counts_are_summed_and_other_values_averaged():
    counts = pool("count", [[1, 4, None], [2, None, None], [0, 3, 6]])
    assert counts.y == (3, 7, 6) and counts.n is None and counts.teams == (3, 2, 1)
    means = pool("continuous", [[70.0, 64.0], [80.0, None]])
    assert means.y == (75.0, 64.0) and means.teams == (2, 1)


def test_ratios_need_their_denominators_and_series_one_length():
    with pytest.raises(ValueError):
        pool("rate", [[1, 2]])
    with pytest.raises(ValueError):
        pool("count", [[1, 2], [1]])


def _finding(first: int, last: int, direction: str) -> Finding:
    return Finding("shift", first, last, direction, "up", 1, last - first + 1)


def test_the_variation_at_a_month_comes_from_the_findings_that_cover_it():
    findings = [_finding(0, 3, "concern"), _finding(2, 6, "improvement"), _finding(8, 8, "neutral")]
    assert variation_at(findings, 1) == "special_cause_concern"
    assert variation_at(findings, 2) == "special_cause_improvement"  # improvement wins, as in MDC
    assert variation_at(findings, 7) == "common_cause"
    assert variation_at(findings, 8) == "special_cause_neutral"
    assert [signal_group(v) for v in ("special_cause_neutral", "common_cause", None)] == [
        "neither",
        "neither",
        "missing",
    ]


def test_signal_counts_count_the_teams_in_each_group_per_month():
    counts = signal_counts(
        [
            ["special_cause_improvement", "special_cause_improvement", None],
            ["common_cause", "special_cause_concern", "special_cause_concern"],
            ["special_cause_neutral", "special_cause_improvement", None],
        ]
    )
    assert counts.improvement == (1, 2, 0)
    assert counts.concern == (0, 1, 1)
    assert counts.neither == (2, 0, 0)
    assert counts.missing == (0, 0, 2)
