"""Bad input raises MeasureInputError naming field and problem; any finite input
either computes or raises it (property-based), with no numpy warning escaping."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.errors import MeasureInputError
from measures.reading import read_chart
from measures.rules import evaluate
from measures.spc import CHART_KINDS, compute


@pytest.mark.parametrize("args,field,problem", [
    (("p", [3, -1, 2], [10, 10, 10]), "y", "negative_count"),
    (("c", [3, -1, 2]), "y", "negative_count"),
    (("p", [3, 11, 2], [10, 10, 10]), "y", "numerator_above_denominator"),
    (("u", [3, 1, 2], [10, 0, 10]), "n", "zero_denominator"),
    (("u", [3, 1, 2], [10, -5, 10]), "n", "negative_denominator"),
    (("t", [3.0, 0.0, 2.0]), "y", "not_positive"),
    (("p", [3, 1, 2], [10, 10]), "n", "length_mismatch"),
    (("p", [3, 1, 2]), "n", "missing"),
    (("i", [5.0]), "y", "too_few_points"),
    (("i", [None, None, 4.0]), "y", "too_few_points"),
    (("up", [1], [10]), "y", "too_few_points"),
    (("i", [1.0, math.inf, 2.0]), "y", "not_finite"),
    (("i", ["a", "b"]), "y", "not_a_number"),
    (("spc", [1.0, 2.0]), "kind", "unknown_kind"),
    (("c", [1, 2, 3], [4, 5, 6]), "n", "not_used"),
    (("xbar", [1.0, 2.0, 3.0]), "x", "missing"),
])
def test_bad_input_names_field_and_problem(args, field, problem):
    with pytest.raises(MeasureInputError) as err:
        compute(*args)
    assert isinstance(err.value, ValueError)
    assert (err.value.field, err.value.problem) == (field, problem)
    assert field in str(err.value)


@pytest.mark.parametrize("kwargs,field", [
    (dict(freeze=0), "freeze"), (dict(freeze=9), "freeze"), (dict(freeze=2.5), "freeze"),
    (dict(phases=[8]), "phases"), (dict(phases=[-1]), "phases"),
    (dict(exclude=[8]), "exclude"), (dict(exclude=[1.5]), "exclude"),
    (dict(cl=[1.0, 2.0]), "cl"), (dict(cl=math.nan), "cl"),
])
def test_bad_options(kwargs, field):
    with pytest.raises(MeasureInputError) as err:
        compute("i", [1.0, 3.0, 2.0, 5.0, 4.0, 3.0, 2.0, 4.0], **kwargs)
    assert err.value.field == field


def test_missing_denominator_makes_the_subgroup_missing():
    chart = compute("p", [3, 4, 5, 2], [10, None, 10, 10])
    assert math.isnan(chart.y[1]) and math.isnan(chart.ucl[1])
    assert chart.cl[0] == pytest.approx(10 / 30)


def test_zero_numerator_over_missing_denominator_is_missing_not_an_error():
    chart = compute("u", [0, None, 2], [None, 100, 100])
    assert math.isnan(chart.y[0]) and math.isnan(chart.y[1])


def test_arrays_are_read_only_and_records_have_reference_keys():
    chart = compute("i", [1.0, 3.0, 2.0, 5.0])
    with pytest.raises(ValueError):
        chart.ucl[0] = 0
    assert set(chart.to_records()[0]) == {
        "y", "cl", "lcl", "ucl", "lcl95", "ucl95", "sigma_signal", "phase", "runs_signal",
        "longest_run", "longest_run_max", "n_crossings", "n_crossings_min", "n_useful"}


def test_i_chart_is_equivariant_under_affine_change_of_units():
    y = np.array([12.1, 9.8, 11.4, 10.2, 13.0, 8.7, 10.9, 11.8, 9.5, 10.1])
    a, b = 3.5, -40.0
    base, scaled = compute("i", y), compute("i", a * y + b)
    for name in ("cl", "lcl", "ucl", "lcl95", "ucl95"):
        assert np.allclose(getattr(scaled, name), a * getattr(base, name) + b)


def test_mr_chart_has_no_runs_signal():
    chart = compute("mr", [1.0, 1.1] * 5 + [9.0, 9.1] * 10)
    assert not chart.runs_signal.any()
    assert all(r["runs_signal"] is False for r in chart.to_records())


# ------------------------------------------------------------ property-based
finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
any_finite = st.floats(allow_nan=False, allow_infinity=False)
value = st.one_of(st.none(), finite, st.integers(-5, 200).map(float))


@st.composite
def chart_input(draw, values=value):
    kind = draw(st.sampled_from(CHART_KINDS))
    m = draw(st.integers(0, 30))
    y = draw(st.lists(values, min_size=m, max_size=m))
    n = None
    if kind in ("p", "pp", "u", "up") or (kind in ("run", "i") and draw(st.booleans())):
        n = draw(st.lists(value, min_size=m, max_size=m))
    x = None
    if kind in ("xbar", "s") or draw(st.booleans()):
        x = draw(st.lists(st.integers(0, max(m // 3, 1)), min_size=m, max_size=m))
    options = {}
    if m and draw(st.booleans()):
        options["freeze"] = draw(st.integers(-1, m + 1))
    if m and draw(st.booleans()):
        options["phases"] = draw(st.lists(st.integers(-1, m), max_size=3))
    if m and draw(st.booleans()):
        options["exclude"] = draw(st.lists(st.integers(-1, m), max_size=3))
    if draw(st.booleans()):
        options["cl"] = draw(finite)
    return dict(kind=kind, y=y, n=n, x=x, **options)


def _check(kwargs):
    try:
        chart = compute(**kwargs)
    except MeasureInputError as err:
        assert err.field and err.problem
        return
    records = chart.to_records()
    assert len(records) == len(chart.keys)
    for rule_set in ("anhoej", "ihi", "mdc"):
        ev = evaluate(chart, rule_set, "up")
        assert ev.variation
        for f in ev:
            assert 0 <= f.first <= f.last < len(chart)
    read_chart(chart, direction="down", target=1.0)
    finite_limits = np.isfinite(chart.lcl) & np.isfinite(chart.ucl)
    assert np.all(chart.lcl[finite_limits] <= chart.ucl[finite_limits])


@settings(max_examples=400, deadline=None)
@given(chart_input())
def test_any_finite_input_computes_or_raises_measure_input_error(kwargs):
    _check(kwargs)


@settings(max_examples=200, deadline=None)
@given(chart_input(st.one_of(st.none(), any_finite)))
def test_extreme_magnitudes_compute_or_raise(kwargs):
    _check(kwargs)
