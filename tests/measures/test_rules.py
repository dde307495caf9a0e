"""Rule sets, improvement direction, variation and assurance on hand-built series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from measures.errors import MeasureInputError
from measures.rules import (
    DIRECTIONS,
    SIGNAL_CLASSES,
    Finding,
    assurance,
    classify,
    evaluate,
    runs_distribution,
    runs_limits,
    variation,
)
from measures.spc import MDC_AMR_FACTOR, compute

# A stable baseline: alternating 9/11 gives mean 10 and every moving range 2,
# so sigma = 2/1.128 and the 2- and 3-sigma limits are 10 ± 3.55 and 10 ± 5.32.
BASELINE = [9.0, 11.0] * 10


def frozen_i(tail):
    return compute("i", BASELINE + list(tail), freeze=len(BASELINE))


def rules(evaluation):
    return [(f.rule, f.first, f.last, f.direction) for f in evaluation]


# ----------------------------------------------------------------------- IHI
def test_ihi_shift_ignores_points_on_the_median_but_mdc_breaks_on_them():
    y = [4, 6, 4, 6, 6, 6, 5, 6, 6, 6, 4, 6]      # six 6s around one point on cl = 5
    chart = compute("run", y, cl=5)
    ihi = evaluate(chart, "ihi", "up")
    assert ("shift", 3, 9, "improvement") in rules(ihi)
    assert ihi.by_rule("shift")[0].length == 6
    assert not evaluate(chart, "mdc", "up").by_rule("shift")


def test_mdc_shift_of_seven_on_one_side_classed_by_direction():
    y = [4, 6, 4, 6, 6, 6, 6, 6, 6, 6, 4, 6]
    chart = compute("run", y, cl=5)
    assert rules(evaluate(chart, "mdc", "down").by_rule("shift")) == [("shift", 3, 9, "concern")]
    assert evaluate(chart, "mdc", None).by_rule("shift")[0].direction == "neutral"
    y[6] = 5          # a point on the line breaks the run under MDC
    assert not evaluate(compute("run", y, cl=5), "mdc", "down").by_rule("shift")


def test_ihi_trend_counts_equal_neighbours_once():
    y = [9, 1, 2, 3, 3, 4, 5, 2, 8, 2, 8, 2]      # 1 2 3 (3) 4 5: five distinct rising values
    found = evaluate(compute("run", y), "ihi", "up").by_rule("trend")
    assert [(f.first, f.last, f.length, f.movement) for f in found] == [(1, 6, 5, "up")]
    y[4] = 2          # now 3 then 2 breaks the rise
    assert not evaluate(compute("run", y), "ihi", "up").by_rule("trend")


def test_mdc_trend_needs_seven_strictly_rising_points():
    rising = frozen_i([5, 6, 7, 8, 9, 10, 11])
    assert [(f.first, f.last) for f in evaluate(rising, "mdc", "up").by_rule("trend")] == [(20, 26)]
    tied = frozen_i([5, 6, 7, 7, 8, 9, 10, 11])
    assert not evaluate(tied, "mdc", "up").by_rule("trend")


def test_ihi_runs_too_many_and_too_few():
    alternating = compute("run", [1, 3] * 10)
    assert evaluate(alternating, "ihi").by_rule("many_runs")
    blocks = compute("run", [1] * 10 + [3] * 10)
    few = evaluate(blocks, "ihi").by_rule("few_runs")
    assert [(f.first, f.last, f.direction) for f in few] == [(0, 19, "neutral")]
    lower, upper = runs_limits(20)
    assert lower <= 2 * 5 <= upper        # a typical random series is within limits


def test_ihi_needs_ten_points_before_median_rules():
    chart = compute("run", [1, 2, 2, 2, 2, 2, 2, 2, 2], cl=1.5)
    ev = evaluate(chart, "ihi", "up")
    assert not ev.by_rule("shift")
    assert [(n.code, n.count, n.needed) for n in ev.notes] == [("too_few_points", 9, 10)]


def test_ihi_ten_points_are_ten_useful_points_not_on_the_median():
    # Twelve months, three of them on the centre line (5): nine useful points. The six 6s above
    # it would be a shift with ten useful points, but nine are too few to judge runs by.
    y = [4, 5, 6, 5, 6, 6, 6, 6, 6, 5, 4, 6]
    ev = evaluate(compute("run", y, cl=5), "ihi", "up")
    assert not ev.by_rule("shift") and not ev.by_rule("few_runs") and not ev.by_rule("many_runs")
    assert [(n.code, n.count, n.needed) for n in ev.notes] == [("too_few_points", 9, 10)]
    # one more month off the line makes ten useful points, and the six 6s (months 2 and 4–8)
    # are a shift
    ev = evaluate(compute("run", y + [6], cl=5), "ihi", "up")
    assert [(f.first, f.last, f.length) for f in ev.by_rule("shift")] == [(2, 8, 6)]
    assert not ev.notes


def test_runs_distribution_small_case_by_hand():
    # AABB BBAA | ABBA BAAB | ABAB BABA: two, three and four runs, each 2 of 6.
    probs = runs_distribution(2, 2)
    assert probs[2:] == pytest.approx([1 / 3, 1 / 3, 1 / 3])


@pytest.mark.parametrize("a,b", [(5, 5), (7, 12), (15, 16), (1, 9)])
def test_runs_distribution_mean_and_variance(a, b):
    probs = np.array(runs_distribution(a, b))
    r = np.arange(probs.size)
    n = a + b
    mean = 1 + 2 * a * b / n
    var = 2 * a * b * (2 * a * b - n) / (n ** 2 * (n - 1))
    assert probs.sum() == pytest.approx(1)
    assert (probs * r).sum() == pytest.approx(mean)
    assert (probs * (r - mean) ** 2).sum() == pytest.approx(var)


def test_runs_limits_are_two_sided_five_percent():
    for n in range(10, 60):
        lower, upper = runs_limits(n)
        probs = np.array(runs_distribution(n // 2, n - n // 2))
        assert probs[:lower].sum() <= 0.025 < probs[:lower + 1].sum()
        assert probs[upper + 1:].sum() <= 0.025 < probs[upper:].sum()


# ----------------------------------------------------------------------- MDC
def test_mdc_two_of_three_close_to_a_limit_all_on_one_side():
    # 2 sigma is 10 + 3.55 = 13.55, 3 sigma 10 + 5.32 = 15.32: 14 is close to the upper limit,
    # 11 above the mean.
    chart = frozen_i([14, 11, 14])
    assert chart.ucl95[20] == pytest.approx(10 + 2 * 2 / 1.128)
    found = evaluate(chart, "mdc", "up").by_rule("two_of_three")
    assert [(f.first, f.last, f.length, f.direction) for f in found] == [(20, 22, 2, "improvement")]
    # opposite sides do not combine
    assert not evaluate(frozen_i([14, 10, 6]), "mdc", "up").by_rule("two_of_three")


@pytest.mark.parametrize("tail", [
    [14, 9, 14],     # the middle month below the mean
    [14, 10, 14],    # the middle month on the mean
])
def test_mdc_two_of_three_needs_the_third_point_on_the_same_side(tail):
    # NHSRplotthedots: two close points and all three on one side of the mean.
    assert not evaluate(frozen_i(tail), "mdc", "up").by_rule("two_of_three")


def test_mdc_two_of_three_counts_points_close_to_a_limit_not_beyond_it():
    # 16 lies beyond 3 sigma (15.32): a signal of its own, and with only one close point
    # (14) the three months are no two-of-three.
    ev = evaluate(frozen_i([14, 16, 11]), "mdc", "up")
    assert [f.first for f in ev.by_rule("beyond_limits")] == [21]
    assert not ev.by_rule("two_of_three")
    # Three close months in a row, as NHSRplotthedots flags them: one finding of three points.
    found = evaluate(frozen_i([14, 14.5, 14]), "mdc", "up").by_rule("two_of_three")
    assert [(f.first, f.last, f.length) for f in found] == [(20, 22, 3)]


def test_point_beyond_limits_in_both_rule_sets():
    chart = frozen_i([10, 2])
    for rule_set in ("anhoej", "mdc"):
        found = evaluate(chart, rule_set, "up").by_rule("beyond_limits")
        assert [(f.first, f.movement, f.direction) for f in found] == [(21, "down", "concern")]


def test_variation_reads_latest_point_in_nhsrplotthedots_order():
    # Seven falling points all above the centre line: an upward shift (and the first two beyond
    # the limits) and a downward trend, both at the latest point. The trend comes before the
    # shift, so the latest month reads as falling: a concern when higher is better.
    chart = frozen_i([17, 16, 15, 14, 13, 12, 11])
    ev = evaluate(chart, "mdc", "up")
    assert {"shift", "trend", "beyond_limits"} <= {f.rule for f in ev}
    assert ev.variation == "special_cause_concern"
    assert variation(chart, "mdc", "down") == "special_cause_improvement"
    assert variation(chart, "mdc", None) == "special_cause_neutral"
    # the signal has passed by the latest point: common cause
    assert variation(frozen_i([25, 10, 11, 9]), "mdc", "up") == "common_cause"
    assert variation(frozen_i([10, 11, 2]), "mdc", "up") == "special_cause_concern"


def test_a_point_beyond_the_limits_names_the_latest_month_before_a_trend():
    # Seven rising months, all below the lower limit (10 - 5.32 = 4.68): the trend is up, but
    # the latest month lies below the limit, which comes first.
    chart = frozen_i([1, 2, 3, 3.5, 4, 4.2, 4.5])
    ev = evaluate(chart, "mdc", "up")
    assert [(f.first, f.last, f.direction) for f in ev.by_rule("trend")] == [(20, 26, "improvement")]
    assert ev.variation == "special_cause_concern"
    assert variation(chart, "mdc", "down") == "special_cause_improvement"


# -------------------------------------------------------------------- Anhøj
def test_anhoej_shift_matches_runs_analysis():
    y = [5, 6, 4, 5, 6, 4, 9, 9, 9, 9, 9, 9, 9, 9, 9, 5, 4, 6, 5, 4]
    chart = compute("run", y)
    ra = chart.runs[0]
    assert ra.signal and ra.longest_run > ra.longest_run_max
    shifts = evaluate(chart, "anhoej", "down").by_rule("shift")
    assert [(f.first, f.last, f.length, f.direction) for f in shifts] == \
        [(ra.longest_run_first, ra.longest_run_last, ra.longest_run, "concern")]


def test_anhoej_few_crossings():
    y = [1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 1, 2, 1, 2, 1, 9, 8, 9, 8, 9]
    chart = compute("run", y)
    ra = chart.runs[0]
    assert ra.n_crossings < ra.n_crossings_min
    found = evaluate(chart, "anhoej").by_rule("few_crossings")
    assert [(f.first, f.last, f.movement) for f in found] == [(0, 19, None)]


def test_common_cause_series_has_no_findings():
    chart = compute("i", [10, 12, 11, 9, 10, 13, 12, 9, 8, 12, 10, 8, 9, 12, 10, 11])
    for rule_set in ("anhoej", "ihi", "mdc"):
        ev = evaluate(chart, rule_set, "up")
        assert len(ev) == 0 and ev.variation == "common_cause"


def test_findings_are_frozen_and_unknown_rule_set_is_refused():
    ev = evaluate(frozen_i([25]), "mdc", "up")
    assert isinstance(ev[0], Finding)
    with pytest.raises(AttributeError):
        ev[0].rule = "other"
    with pytest.raises(MeasureInputError) as err:
        evaluate(frozen_i([25]), "western_electric")
    assert err.value.field == "rule_set"
    with pytest.raises(MeasureInputError):
        evaluate(frozen_i([25]), "mdc", "higher")


def test_a_signal_is_classed_by_the_measure_direction():
    classes = {(movement, d): classify(movement, d) for movement in ("up", "down", None)
               for d in (*DIRECTIONS, None)}
    assert set(classes.values()) == set(SIGNAL_CLASSES)
    assert classes[("up", "up")] == classes[("down", "down")] == "improvement"
    assert classes[("up", "down")] == classes[("down", "up")] == "concern"


# ---------------------------------------------------------------- assurance
@pytest.mark.parametrize("target,direction,status", [
    (3, "up", "pass"), (17, "up", "fail"), (10, "up", "hit_and_miss"),
    (17, "down", "pass"), (3, "down", "fail"), (10, "down", "hit_and_miss"),
])
def test_assurance_from_latest_limits(target, direction, status):
    chart = frozen_i([10, 11])
    result = assurance(chart, target, direction)
    assert result.status == status
    assert result.lcl == pytest.approx(10 - 3 * 2 / 1.128)
    assert result.position == 21


def test_assurance_uses_latest_phase_and_needs_limits():
    chart = compute("i", BASELINE + [29, 31] * 5, phases=[20])
    assert assurance(chart, 20, "up").status == "pass"
    assert assurance(chart, 20, "up").phase == 2
    assert assurance(compute("run", BASELINE), 10, "up").status == "no_limits"
    with pytest.raises(MeasureInputError):
        assurance(chart, math.nan, "up")
    with pytest.raises(MeasureInputError):
        assurance(chart, 20, None)


# ------------------------------------------------------------ MDC limits
def test_mdc_xmr_limits_are_two_point_six_six_average_moving_ranges():
    # BASELINE: mean 10, every moving range 2. Making Data Count: 10 ± 2.66 × 2 = 10 ± 5.32,
    # the 2-sigma lines two thirds of that (10 ± 3.5467); qicharts2: 10 ± 3 × 2 / 1.128.
    tail = [15.3195]      # between qicharts2's upper limit (15.31915) and MDC's (15.32)
    mdc = compute("i", BASELINE + tail, freeze=20, amr_factor=MDC_AMR_FACTOR)
    assert mdc.ucl[0] == pytest.approx(15.32) and mdc.lcl[0] == pytest.approx(4.68)
    assert mdc.ucl95[0] == pytest.approx(10 + 2 / 3 * 5.32)
    assert not mdc.sigma_signal[20]
    qic = compute("i", BASELINE + tail, freeze=20)
    assert qic.ucl[0] == pytest.approx(10 + 6 / 1.128) and qic.sigma_signal[20]
    assert evaluate(qic, "mdc", "up").by_rule("beyond_limits")
    assert not evaluate(mdc, "mdc", "up").by_rule("beyond_limits")


def test_the_mdc_factor_changes_only_xmr_charts():
    y, n = [3, 5, 4, 6, 2, 5, 4, 3], [20] * 8
    assert compute("p", y, n, amr_factor=MDC_AMR_FACTOR).to_records() == compute("p", y, n).to_records()
    with pytest.raises(MeasureInputError):
        compute("i", BASELINE, amr_factor=0)
