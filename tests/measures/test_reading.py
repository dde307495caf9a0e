"""The structured reading of a chart."""

from __future__ import annotations

import dataclasses

from measures.reading import read_chart
from measures.spc import compute

BEFORE = [31, 29, 33, 30, 28, 32, 30, 31, 29, 30, 32, 28]


def test_eight_months_above_the_median_since_the_new_routine():
    after = [36, 38, 35, 37, 39, 36, 38, 37]
    chart = compute("run", BEFORE + after, freeze=len(BEFORE))
    reading = read_chart(chart, "anhoej", direction="up")
    assert reading.code == "improvement"
    h = reading.headline
    assert (h.code, h.rule, h.movement, h.centre) == ("signal", "shift", "up", "median")
    assert (h.first, h.last, h.length) == (12, 19, 8)
    assert reading.latest == 19 and reading.latest_value == 37
    assert reading.variation == "special_cause_improvement"


def test_same_data_lower_is_better_is_a_concern():
    chart = compute("run", BEFORE + [36, 38, 35, 37, 39, 36, 38, 37], freeze=len(BEFORE))
    assert read_chart(chart, direction="down").code == "concern"
    assert read_chart(chart).code == "special_cause"


def test_common_cause_and_insufficient_data():
    chart = compute("i", [10, 12, 11, 9, 10, 13, 12, 9, 8, 12, 10, 8, 9, 12, 10, 11])
    reading = read_chart(chart, direction="up")
    assert reading.code == "common_cause" and reading.headline.centre == "mean"
    assert reading.headline.value == chart.cl[-1]
    short = read_chart(compute("run", [3, 4, 5]), direction="up")
    assert short.code == "insufficient_data"
    assert (short.headline.count, short.headline.needed) == (3, 10)


def test_phase_change_and_assurance_statements():
    chart = compute("i", BEFORE + [40, 42, 41, 39, 43, 40, 41, 42, 40, 41], phases=[12])
    reading = read_chart(chart, "mdc", direction="up", target=35)
    codes = {s.code: s for s in reading.statements}
    change = codes["centre_line_change"]
    assert change.direction == "improvement" and change.phase_start == 12
    assert change.value > change.previous_value
    assert codes["assurance"].status == "pass"


def test_reading_is_frozen_and_language_free():
    reading = read_chart(compute("run", BEFORE), direction="up")
    for statement in reading.statements:
        for f in dataclasses.fields(statement):
            value = getattr(statement, f.name)
            # codes are short identifiers, never sentences
            assert not isinstance(value, str) or " " not in value


def test_the_months_before_a_step_are_the_level_before_it_not_a_change_for_the_worse():
    # One phase over a step up: the months before it lie below the mean as a run of their own.
    before = [6, 7, 8, 7, 6, 8, 7, 7, 6, 8, 7, 7]
    after = [13, 14, 13, 15, 14, 13, 14, 15, 13, 14]
    reading = read_chart(compute("i", before + after), direction="up")
    assert reading.code == "improvement"
    shifts = [s for s in reading.statements if s.code == "signal" and s.rule == "shift"]
    up = next(s for s in shifts if s.movement == "up")
    down = next(s for s in shifts if s.movement == "down")
    assert up.direction == "improvement" and up.context is None
    assert down.direction == "neutral" and down.context == "before_change"
    assert reading.statements.index(up) < reading.statements.index(down)
    suggested = [s for s in reading.statements if s.code == "phase_suggested"]
    assert [(s.phase, s.phase_start) for s in suggested] == [(1, 12)]


def test_a_fall_after_a_good_level_is_still_a_concern():
    before = [13, 14, 13, 15, 14, 13, 14, 15, 13, 14, 14, 13]
    after = [7, 6, 8, 7, 6, 7, 8, 6, 7, 7]
    reading = read_chart(compute("i", before + after), direction="up")
    assert reading.code == "concern"
    assert reading.headline.movement == "down" and reading.headline.context is None
    earlier = next(s for s in reading.statements if s.rule == "shift" and s.movement == "up")
    assert earlier.context == "before_change" and earlier.direction == "neutral"


def test_a_split_chart_needs_no_suggestion():
    before = [6, 7, 8, 7, 6, 8, 7, 7, 6, 8, 7, 7]
    after = [13, 14, 13, 15, 14, 13, 14, 15, 13, 14]
    reading = read_chart(compute("i", before + after, phases=[12]), direction="up")
    assert not [s for s in reading.statements if s.code == "phase_suggested"]
    assert not [s for s in reading.statements if s.context == "before_change"]


def test_the_headline_reads_the_latest_month_as_the_rules_do():
    # Baseline 9, 11, … (mean 10, sigma 2/1.128); then seven falling months, all above the mean:
    # a shift up and a trend down both end at the latest month. The trend comes first, so with
    # higher better the headline is the fall, not the months above the mean.
    chart = compute("i", [9.0, 11.0] * 10 + [17, 16, 15, 14, 13, 12, 11], freeze=20)
    reading = read_chart(chart, "mdc", direction="up")
    assert reading.variation == "special_cause_concern"
    assert reading.code == "concern"
    assert (reading.headline.rule, reading.headline.movement) == ("trend", "down")


def test_an_ihi_reading_says_single_extreme_months_are_read_by_eye():
    # IHI's fourth run-chart rule, an astronomical point, is not tested: 80 among months of
    # about 30 is no signal under the other three rules, and the reading says to look.
    y = BEFORE + [80, 30, 31]
    ihi = read_chart(compute("run", y), "ihi", direction="up")
    assert ihi.code == "common_cause"
    assert [s.code for s in ihi.statements].count("extreme_by_eye") == 1
    for rule_set in ("anhoej", "mdc"):
        other = read_chart(compute("run", y), rule_set, direction="up")
        assert "extreme_by_eye" not in [s.code for s in other.statements]


def test_limits_too_narrow_come_first_and_months_beyond_them_are_not_changes():
    # 6,000 a month at 30 %, 33 %, 30 %, 27 %, …: the p chart's limits (30 % ± 1.8 points) leave
    # every 33 % and 27 % month beyond them.
    chart = compute("p", [1800, 1980, 1800, 1620] * 6, [6000] * 24)
    assert int(chart.sigma_signal.sum()) == 12
    reading = read_chart(chart, direction="up", limits_too_narrow=True)
    assert reading.code == "limits_too_narrow"
    assert (reading.headline.code, reading.headline.status) == ("limits_too_narrow", "pp")
    assert not [s for s in reading.statements if s.rule in ("beyond_limits", "two_of_three")]
    # without the warning the same chart reads as twelve changes
    assert len(read_chart(chart, direction="up").evaluation.by_rule("beyond_limits")) == 12


def test_months_beyond_the_limits_before_a_step_are_the_level_before_it():
    # Six months at about 7, then sixteen at about 14, under one centre line: the mean (about
    # 12.1) and limits of about ±2.7 (moving ranges of 1 to 2; the step's range of 6 is screened
    # out) leave every early month below the lower limit, but six months below the mean are no
    # shift of their own (the longest run expected among 22 is 7). The step explains them.
    before = [7, 6, 8, 7, 6, 8]
    after = [13, 14, 15, 14, 13, 15, 14, 13, 14, 15, 14, 13, 15, 14, 13, 14]
    chart = compute("i", before + after)
    assert all(chart.y[k] < chart.lcl[k] for k in range(6))
    reading = read_chart(chart, direction="up")
    assert reading.code == "improvement"
    early = [s for s in reading.statements if s.code == "signal" and s.last < 6]
    assert {s.rule for s in early} == {"beyond_limits"} and len(early) == 6
    assert all(s.context == "before_change" and s.direction == "neutral" for s in early)
    suggested = [s for s in reading.statements if s.code == "phase_suggested"]
    assert [(s.phase, s.phase_start) for s in suggested] == [(1, 6)]


def test_a_spell_that_has_ended_does_not_explain_months_before_it():
    # Months beyond the lower limit, then a spell above the mean that ends: no later level.
    y = [10, 11, 2, 10, 11, 10] + [14, 15, 14, 15, 14, 15, 14, 15] + [10, 11, 10, 11, 10, 11]
    chart = compute("i", y)
    reading = read_chart(chart, direction="up")
    rules = [(s.rule, s.movement, s.direction) for s in reading.statements if s.code == "signal"]
    assert ("shift", "up", "improvement") in rules and ("beyond_limits", "down", "concern") in rules
    assert not [s for s in reading.statements if s.context == "before_change"]


def test_one_outlier_does_not_turn_ordinary_months_into_a_change():
    # One month at 40 among twelve of 9 to 13 (mean of those 10.83): the I chart's mean, 13.08,
    # lies above all twelve, which then read as a run below it. Left out of the mean, the twelve
    # lie on both sides of 10.83. Lower is better: the run would have been an improvement.
    y = [40, 10, 12, 11, 9, 10, 13, 12, 9, 11, 10, 12, 11]
    chart = compute("i", y)
    assert chart.cl[0] == (40 + 130) / 13 and chart.sigma_signal[0]
    reading = read_chart(chart, direction="down")
    shift = next(s for s in reading.statements if s.rule == "shift")
    assert (shift.movement, shift.length) == ("down", 12)
    assert (shift.direction, shift.context) == ("neutral", "pulled_by_outliers")
    assert reading.code == "concern"                     # the month at 40, beyond the limit
    assert (reading.headline.rule, reading.headline.first) == ("beyond_limits", 0)
    assert not [s for s in reading.statements if s.direction == "improvement"]


def test_a_real_shift_beside_an_outlier_still_stands():
    # A baseline of twelve months at about 10 with one at 40 (mean 12.5), then ten at about 5:
    # all 21 other months lie below 12.5. Left out of the mean (10), the month at 40 leaves the
    # baseline on both sides of it, and the ten low months still a run below: a real improvement.
    y = [10, 11, 10, 9, 11, 10, 40, 10, 11, 9, 10, 9] + [5, 4, 6, 5, 4, 5, 6, 4, 5, 6]
    chart = compute("i", y, freeze=12)
    assert chart.cl[0] == 150 / 12 and chart.sigma_signal[6]
    reading = read_chart(chart, direction="down")
    down = [s for s in reading.statements if s.rule == "shift" and s.movement == "down"]
    assert down and all(s.context is None and s.direction == "improvement" for s in down)
    assert reading.code == "improvement"
