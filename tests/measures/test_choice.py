"""Chart choice from the value kind, trial limits and Laney's overdispersion warning."""

from __future__ import annotations

import numpy as np
import pytest

from measures.choice import CHART_OPTIONS, CONTROL_CHART, VALUE_KINDS, choose_chart, dispersion_check
from measures.errors import MeasureInputError
from measures.spc import CHART_KINDS


@pytest.mark.parametrize("value_kind,kind", [
    ("proportion", "p"), ("rate", "u"), ("count", "c"), ("continuous", "i"),
    ("days_between", "t"), ("cases_between", "g"), ("subgroup_samples", "xbar"),
])
def test_control_chart_by_value_kind(value_kind, kind):
    choice = choose_chart(value_kind, points=24)
    assert (choice.kind, choice.control_kind, choice.trial_limits) == (kind, kind, False)
    assert choice.companion == ("s" if kind == "xbar" else None)


def test_every_value_kind_offers_a_run_chart_and_its_control_chart():
    assert tuple(CHART_OPTIONS) == VALUE_KINDS
    for value_kind, options in CHART_OPTIONS.items():
        assert options[0] == "run" and CONTROL_CHART[value_kind] in options
        assert set(options) <= set(CHART_KINDS)


def test_run_chart_until_the_baseline_is_long_enough():
    assert choose_chart("count", points=11).kind == "run"
    assert choose_chart("count", points=12).kind == "c"
    assert choose_chart("count", points=7, min_baseline=6).kind == "c"
    trial = choose_chart("count", points=8, show_trial_limits=True)
    assert trial.kind == "c" and trial.trial_limits and "trial_limits" in trial.warnings
    # missing months do not count towards the baseline
    y = [3, None, 4, 5, None, 2, 3, 4, 6, 2, 3, 5, 4]
    assert choose_chart("count", y).points == 11 and choose_chart("count", y).kind == "run"


def test_override_from_chart_settings():
    assert choose_chart("proportion", points=30, override="run").kind == "run"
    assert choose_chart("proportion", points=30, override="pp").kind == "pp"


def test_wide_denominators_with_extra_variation_warn_and_suggest_p_prime():
    rng = np.random.default_rng(4)
    n = rng.integers(5000, 8000, 24)
    p = np.clip(rng.normal(0.3, 0.03, 24), 0, 1)   # between-month variation beyond binomial
    choice = choose_chart("proportion", rng.binomial(n, p), n)
    assert choice.dispersion.too_narrow and choice.dispersion.suggested_kind == "pp"
    assert choice.dispersion.sigma_z > 2
    assert "limits_too_narrow" in choice.warnings


def test_binomial_data_do_not_warn():
    rng = np.random.default_rng(8)
    n = rng.integers(40, 80, 24)
    check = dispersion_check("p", rng.binomial(n, 0.3), n)
    assert not check.too_narrow and 0.5 < check.sigma_z < 1.5


def test_a_shift_is_not_overdispersion():
    # a sustained shift inflates the Pearson statistic but not the moving ranges
    rng = np.random.default_rng(2)
    n = np.full(24, 400)
    y = rng.binomial(n, np.r_[np.full(12, 0.2), np.full(12, 0.4)])
    check = dispersion_check("p", y, n)
    assert check.p_value < 0.01 and not check.too_narrow


def test_a_pure_step_does_not_warn():
    # A shift in level with binomial variation around each level and nothing more: the Pearson
    # statistic is huge, and σ_z lands around 1 (just above it about half the time by chance).
    n = np.full(24, 400)
    level = np.r_[np.full(12, 0.2), np.full(12, 0.4)]
    checks = [dispersion_check("p", np.random.default_rng(seed).binomial(n, level), n)
              for seed in range(200)]
    assert all(c.p_value < 0.01 for c in checks)
    assert sum(c.sigma_z > 1 for c in checks) > 50        # chance puts many just above 1
    assert sum(c.too_narrow for c in checks) <= 5          # about 1 in 100 at most


def test_an_overdispersed_series_still_warns_with_the_margin():
    # Between-month variation of 6 points on top of binomial variation of about 2.3 points
    # (n = 400, p = 0.3): σ_z near sqrt(2.3² + 6²)/2.3 ≈ 2.8, far beyond 1 + 2.3/√23 ≈ 1.48.
    n = np.full(24, 400)
    warned = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        check = dispersion_check("p", rng.binomial(n, np.clip(rng.normal(0.3, 0.06, 24), 0, 1)), n)
        assert check.sigma_z_limit == pytest.approx(1 + 2.3 / np.sqrt(23))
        warned += check.too_narrow
    assert warned >= 95


@pytest.mark.parametrize("value_kind,y,n,kind", [
    ("proportion", [0] * 20, [15] * 20, "p"),
    ("proportion", [15] * 20, [15] * 20, "p"),
    ("rate", [0] * 20, [700] * 20, "u"),
])
def test_no_spread_to_check_still_chooses_the_chart(value_kind, y, n, kind):
    # every month at 0 % or 100 %, or no falls at all: nothing to judge overdispersion by
    choice = choose_chart(value_kind, y, n)
    assert (choice.kind, choice.dispersion, choice.warnings) == (kind, None, ())


def test_unknown_value_kind():
    with pytest.raises(MeasureInputError) as err:
        choose_chart("ratio", points=3)
    assert err.value.field == "value_kind"
    assert set(CONTROL_CHART.values()) <= {"p", "u", "c", "i", "t", "g", "xbar"}
