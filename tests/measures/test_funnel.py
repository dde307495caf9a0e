"""Funnel plots: exact limits checked by hand, z-scores and overdispersion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from measures.errors import MeasureInputError
from measures.funnel import exact_limit, funnel, funnel_limits, winsorised_phi


def test_exact_binomial_limit_by_hand():
    # Binomial(10, 0.5): F(7) = 968/1024, F(8) = 1013/1024, so r = 8 and
    # alpha = (1013/1024 - 0.975) / (45/1024) = 14.6/45; limit = (8 - alpha)/10.
    alpha = (1013 / 1024 - 0.975) / (45 / 1024)
    assert exact_limit("proportion", 0.5, 10, 0.975) == pytest.approx((8 - alpha) / 10, abs=1e-12)
    # lower 2.5 %: F(1) = 11/1024 < 0.025 <= F(2) = 56/1024
    alpha = (56 / 1024 - 0.025) / (45 / 1024)
    assert exact_limit("proportion", 0.5, 10, 0.025) == pytest.approx((2 - alpha) / 10, abs=1e-12)


def test_exact_poisson_limit_by_hand():
    # Poisson(1): F(2) = 2.5/e, F(3) = (8/3)/e; r = 3 at P = 0.975.
    f2, f3 = 2.5 / math.e, (8 / 3) / math.e
    alpha = (f3 - 0.975) / (f3 - f2)
    assert exact_limit("rate", 1.0, 1.0, 0.975) == pytest.approx(3 - alpha, abs=1e-12)
    # the same expected count of 1 from 0.002 per day over 500 days, as a rate
    assert exact_limit("rate", 0.002, 500.0, 0.975) == pytest.approx((3 - alpha) / 500)


def test_exact_limits_approach_normal_limits_for_large_denominators():
    n = 200_000
    se = math.sqrt(0.2 * 0.8 / n)
    assert exact_limit("proportion", 0.2, n, 0.999) == pytest.approx(0.2 + 3.090232 * se, rel=1e-4)
    assert exact_limit("proportion", 0.2, n, 0.025) == pytest.approx(0.2 - 1.959964 * se, rel=1e-4)


def test_curves_narrow_with_denominator_and_nest():
    curves = funnel_limits("proportion", 0.3, n_min=5, n_max=2000)
    assert curves.denominator[0] == 5 and curves.denominator[-1] == 2000
    width = curves.upper998 - curves.lower998
    assert np.all(np.diff(width[10:]) <= 1e-12)  # tiny n: discrete steps, then monotone
    assert np.all(curves.lower998 <= curves.lower95) and np.all(curves.upper95 <= curves.upper998)
    assert np.all((curves.lower998 >= 0) & (curves.upper998 <= 1))


def test_unit_outside_and_z_scores():
    y = [30, 22, 25, 60, 28]
    n = [100, 100, 100, 100, 100]
    result = funnel("proportion", y, n, labels=list("ABCDE"))
    theta = sum(y) / sum(n)
    assert result.target == pytest.approx(theta)
    d = result.units[3]
    assert d.label == "D" and d.outside998 and d.side == "above"
    assert d.z == pytest.approx((0.6 - theta) / math.sqrt(theta * (1 - theta) / 100))
    assert not result.units[0].outside95


def test_rates_with_exposure():
    falls = [4, 9, 3, 30]
    bed_days = [900, 1800, 700, 1000]
    result = funnel("rate", falls, bed_days, target=0.005)
    assert result.target_given
    worst = result.units[3]
    assert worst.value == pytest.approx(0.03) and worst.outside998
    assert worst.z == pytest.approx((0.03 - 0.005) / math.sqrt(0.005 / 1000))


def test_winsorised_phi():
    z = np.array([-10.0] + [0.5] * 18 + [10.0])
    # linear 10th/90th percentiles of these 20 values sit at positions 1.9 and
    # 17.1, both 0.5: the two extremes are pulled in to 0.5
    assert winsorised_phi(z) == pytest.approx(0.25)
    assert winsorised_phi(z, 0.0) == pytest.approx((100 + 100 + 18 * 0.25) / 20)


def overdispersed(seed=3, units=40):
    rng = np.random.default_rng(seed)
    n = rng.integers(200, 2000, units)
    p = np.clip(rng.normal(0.3, 0.06, units), 0.01, 0.99)
    return rng.binomial(n, p), n


def test_overdispersion_detected_and_adjusted():
    y, n = overdispersed()
    plain = funnel("proportion", y, n)
    assert plain.overdispersed and plain.phi > 2 and plain.tau2 > 0
    mult = funnel("proportion", y, n, adjust="multiplicative")
    add = funnel("proportion", y, n, adjust="additive")
    assert sum(u.outside95 for u in mult.units) < sum(u.outside95 for u in plain.units)
    assert sum(u.outside95 for u in add.units) < sum(u.outside95 for u in plain.units)
    u0 = add.units[0]
    se = math.sqrt(add.target * (1 - add.target) / u0.denominator)
    assert u0.z == pytest.approx((u0.value - add.target) / math.sqrt(se ** 2 + add.tau2))
    assert mult.units[0].z == pytest.approx(plain.units[0].z / math.sqrt(plain.phi))
    # tau^2 by its moment formula
    w = 1 / (plain.target * (1 - plain.target) / n)
    expected = (len(n) * plain.phi - (len(n) - 1)) / (w.sum() - (w ** 2).sum() / w.sum())
    assert plain.tau2 == pytest.approx(expected)


def test_no_overdispersion_in_binomial_data():
    rng = np.random.default_rng(11)
    n = rng.integers(50, 500, 60)
    y = rng.binomial(n, 0.2)
    result = funnel("proportion", y, n, adjust="multiplicative")
    assert result.dispersion_p > 0.01
    # phi below one never narrows the limits
    curves = funnel_limits("proportion", 0.2, [100], phi=0.5, adjustment="multiplicative")
    assert curves.upper95[0] == pytest.approx(0.2 + stats.norm.ppf(0.975) * math.sqrt(0.0016))


@pytest.mark.parametrize("kwargs,field,problem", [
    (dict(numerators=[5, 3], denominators=[4, 10]), "numerators", "numerator_above_denominator"),
    (dict(numerators=[-1, 3], denominators=[4, 10]), "numerators", "negative_count"),
    (dict(numerators=[1, 3], denominators=[0, 10]), "denominators", "zero_denominator"),
    (dict(numerators=[1, 3], denominators=[4]), "denominators", "length_mismatch"),
    (dict(numerators=[0, 0], denominators=[4, 10]), "numerators", "out_of_range"),
    (dict(numerators=[1], denominators=[4]), "numerators", "too_few_points"),
    (dict(numerators=[1, None], denominators=[4, 5]), "numerators", "missing_value"),
])
def test_bad_input(kwargs, field, problem):
    with pytest.raises(MeasureInputError) as err:
        funnel("proportion", **kwargs)
    assert (err.value.field, err.value.problem) == (field, problem)
