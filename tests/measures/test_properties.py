"""Property-based: funnel and effect estimates compute or raise MeasureInputError."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.effects import interrupted_time_series
from measures.errors import MeasureInputError
from measures.funnel import funnel

finite = st.floats(allow_nan=False, allow_infinity=False)
count = st.one_of(st.integers(-2, 500).map(float), finite)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(["proportion", "rate"]),
       pairs=st.lists(st.tuples(count, count), max_size=12),
       target=st.one_of(st.none(), finite),
       adjust=st.sampled_from(["auto", None, "multiplicative", "additive"]))
def test_funnel_computes_or_raises(kind, pairs, target, adjust):
    y = [a for a, _ in pairs]
    n = [b for _, b in pairs]
    try:
        result = funnel(kind, y, n, target=target, adjust=adjust)
    except MeasureInputError as err:
        assert err.field and err.problem
        return
    for unit in result.units:
        assert unit.lower998 <= unit.lower95 <= unit.upper95 <= unit.upper998
        assert unit.outside95 or not unit.outside998


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["proportion", "rate", "continuous"]),
       values=st.lists(st.one_of(st.none(), st.integers(0, 60).map(float)),
                       min_size=0, max_size=16),
       at=st.integers(-1, 17))
def test_its_computes_or_raises(kind, values, at):
    n = [60.0] * len(values)
    try:
        result = interrupted_time_series(kind, values, None if kind == "continuous" else n,
                                         at=at)
    except MeasureInputError as err:
        assert err.field and err.problem
        return
    assert result.fitted.shape == (len(values),)
    assert np.isfinite(result.level_change.estimate)
    impact = result.impact()
    assert impact.ci_low <= impact.difference <= impact.ci_high
