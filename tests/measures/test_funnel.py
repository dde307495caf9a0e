"""Funnel plots: exact limits checked by hand, z-scores on the stabilising scale and overdispersion."""

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
    result = funnel("proportion", y, n, labels=list("ABCDE"), adjust=None)
    theta = sum(y) / sum(n)
    assert result.target == pytest.approx(theta)
    assert result.adjustment is None and not result.automatic
    d = result.units[3]
    assert d.label == "D" and d.outside998 and d.side == "above"
    # the angular scale: (arcsin √0.6 − arcsin √θ0) / (1 / (2 √100))
    z = (math.asin(math.sqrt(0.6)) - math.asin(math.sqrt(theta))) * 20
    assert d.z == pytest.approx(z) and d.z_unadjusted == pytest.approx(z)
    assert not result.units[0].outside95


def test_rates_with_exposure():
    falls = [4, 9, 3, 30]
    bed_days = [900, 1800, 700, 1000]
    result = funnel("rate", falls, bed_days, target=0.005, adjust=None)
    assert result.target_given and result.scale == "square_root"
    worst = result.units[3]
    assert worst.value == pytest.approx(0.03) and worst.outside998
    # the square-root scale: (√0.03 − √0.005) / (1 / (2 √1000))
    assert worst.z == pytest.approx((math.sqrt(0.03) - math.sqrt(0.005)) * 2 * math.sqrt(1000))


def test_rates_on_the_square_root_scale_by_hand():
    # rates 0.01, 0.04, 0.09, 0.16 over 100 bed-days each, against 0.04: on the square-root
    # scale 0.1, 0.2, 0.3, 0.4 against 0.2, each with s = 1/(2 √100) = 0.05, so z = −2, 0, 2, 4.
    result = funnel("rate", [1, 4, 9, 16], [100] * 4, target=0.04, labels=list("ABCD"))
    assert [u.z_unadjusted for u in result.units] == pytest.approx([-2, 0, 2, 4])
    # 10 % winsorising of four values: the 10th percentile lies 0.3 of the way from −2 to 0
    # (−1.4), the 90th 0.7 of the way from 2 to 4 (3.4)
    assert [u.z_winsorised for u in result.units] == pytest.approx([-1.4, 0, 2, 3.4])
    phi = (1.4 ** 2 + 0 + 2 ** 2 + 3.4 ** 2) / 4
    assert result.phi == pytest.approx(phi) == pytest.approx(4.38)
    # the target is given, so 4 degrees of freedom
    assert result.dispersion_p == pytest.approx(stats.chi2.sf(4 * 4.38, 4))
    # w = 1/s² = 400 for each: τ² = (4 φ − 3) / (1600 − 4·400²/1600) = 14.52 / 1200
    assert result.tau2 == pytest.approx(0.0121)
    # overdispersed, so the additive adjustment is chosen
    assert result.overdispersed and result.automatic and result.adjustment == "additive"
    spread = math.sqrt(0.05 ** 2 + 0.0121)
    d = result.units[3]
    assert d.z == pytest.approx(0.2 / spread)
    assert d.upper95 == pytest.approx((0.2 + 1.959964 * spread) ** 2)
    assert d.upper998 == pytest.approx((0.2 + 3.090232 * spread) ** 2)
    # 0.2 − 1.96 × 0.121 is below 0: the lower limit is the bound of the measure
    assert d.lower95 == 0.0
    assert d.value < d.upper95 and not d.outside95
    # the plain limits put D far outside: 16 events where 4 were expected
    assert funnel("rate", [1, 4, 9, 16], [100] * 4, target=0.04, adjust=None).units[3].outside998


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
    plain = funnel("proportion", y, n, adjust=None)
    assert plain.overdispersed and plain.phi > 2 and plain.tau2 > 0
    mult = funnel("proportion", y, n, adjust="multiplicative")
    add = funnel("proportion", y, n, adjust="additive")
    assert sum(u.outside95 for u in mult.units) < sum(u.outside95 for u in plain.units)
    assert sum(u.outside95 for u in add.units) < sum(u.outside95 for u in plain.units)
    # by default, overdispersed data get the additive adjustment
    auto = funnel("proportion", y, n)
    assert auto.automatic and auto.adjustment == "additive" and auto.units == add.units
    u0 = add.units[0]
    s = 1 / (2 * math.sqrt(u0.denominator))
    distance = math.asin(math.sqrt(u0.value)) - math.asin(math.sqrt(add.target))
    assert u0.z == pytest.approx(distance / math.sqrt(s ** 2 + add.tau2))
    assert u0.z_unadjusted == pytest.approx(distance / s)
    assert mult.units[0].z == pytest.approx(plain.units[0].z / math.sqrt(plain.phi))
    # tau^2 by its moment formula, with w = 1/s² = 4n on the angular scale
    w = 4.0 * n
    expected = (len(n) * plain.phi - (len(n) - 1)) / (w.sum() - (w ** 2).sum() / w.sum())
    assert plain.tau2 == pytest.approx(expected)


def test_adjusted_limits_are_never_narrower_than_the_exact_ones():
    # 2 of 8 lies inside the exact 95 % limits at n = 8 (0.214–0.876); limits adjusted on the
    # raw proportion scale (0.284–0.978) put it outside. The exact limit stands where the
    # adjusted one would be narrower.
    y = [2, 120, 180, 150, 210, 95, 160, 140, 200, 130]
    n = [8, 200, 300, 220, 310, 180, 240, 250, 300, 190]
    plain = funnel("proportion", y, n, adjust=None)
    small = plain.units[0]
    assert (small.lower95, small.upper95) == pytest.approx((0.214, 0.876), abs=5e-4)
    assert not small.outside95
    for adjust in ("additive", "multiplicative", "auto"):
        adjusted = funnel("proportion", y, n, adjust=adjust)
        assert adjusted.adjustment is not None
        assert not adjusted.units[0].outside95
        for a, p in zip(adjusted.units, plain.units, strict=True):
            assert a.lower95 <= p.lower95 and a.upper95 >= p.upper95
            assert a.lower998 <= p.lower998 and a.upper998 >= p.upper998
    curves = funnel_limits("proportion", plain.target, n_min=2, n_max=400, phi=plain.phi,
                           tau2=plain.tau2, adjustment="additive")
    exact = funnel_limits("proportion", plain.target, curves.denominator)
    assert np.all(curves.lower95 <= exact.lower95) and np.all(curves.upper95 >= exact.upper95)
    assert np.any(curves.lower95 < exact.lower95)  # the adjustment does widen somewhere


def test_no_overdispersion_in_binomial_data():
    rng = np.random.default_rng(11)
    n = rng.integers(50, 500, 60)
    y = rng.binomial(n, 0.2)
    result = funnel("proportion", y, n, adjust="multiplicative")
    assert result.dispersion_p > 0.01
    # not overdispersed: the default keeps the plain exact limits, and says it chose them
    auto = funnel("proportion", y, n)
    assert auto.automatic and auto.adjustment is None and not auto.overdispersed
    assert [u.upper95 for u in auto.units] == pytest.approx(
        [float(exact_limit("proportion", auto.target, u.denominator, 0.975)) for u in auto.units])
    # phi below one never narrows the limits: used as 1 on the angular scale, and never
    # inside the exact limit
    curves = funnel_limits("proportion", 0.2, [100], phi=0.5, adjustment="multiplicative")
    normal = math.sin(math.asin(math.sqrt(0.2)) + 1.959964 * 0.05) ** 2
    assert curves.upper95[0] == pytest.approx(max(normal, exact_limit("proportion", 0.2, 100, 0.975)))


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
