"""measures.funnel against FunnelPlotR's funnel plots (tests/measures/data/funnel_cases.json)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from measures.funnel import exact_limit, funnel, stabilised_limit

CASES = json.loads((Path(__file__).parent / "data" / "funnel_cases.json").read_text())["cases"]
REL = 1e-6
LIMITS = (("od_lcl95", 0.025), ("od_ucl95", 0.975), ("od_lcl998", 0.001), ("od_ucl998", 0.999))
Z = {0.025: -1.959964, 0.975: 1.959964, 0.001: -3.090232, 0.999: 3.090232}


def close(actual: float, expected: float) -> bool:
    return actual == pytest.approx(expected, rel=REL, abs=1e-300)


def test_the_reference_has_its_overdispersed_cases():
    assert len(CASES) == 40
    assert sum(case["tau2"] > 0 for case in CASES) == 25


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_agrees_with_funnelplotr(case):
    result = funnel("proportion", case["numerator"], case["denominator"], adjust="additive")
    assert result.scale == "angular" and result.adjustment == "additive"
    assert close(result.target, case["target"])
    assert close(result.phi, case["phi"])
    assert close(result.tau2, case["tau2"]) if case["tau2"] else result.tau2 == 0
    for unit, expected in zip(result.units, case["units"], strict=True):
        assert close(unit.value, expected["value"])
        assert close(unit.z_unadjusted, expected["z"])
        assert close(unit.z_winsorised, expected["z_winsorised"])
        angle = math.asin(math.sqrt(case["target"]))
        for name, tail in LIMITS:
            mine = float(stabilised_limit("proportion", result.target, unit.denominator, Z[tail],
                                          tau2=result.tau2))
            spread = math.sqrt(1 / (4 * unit.denominator) + case["tau2"])
            beyond = angle + Z[tail] * spread
            if beyond > math.pi / 2:
                assert mine == 1.0, (name, unit.label)  # FunnelPlotR wraps the angle here
            elif beyond < 0:
                assert mine == 0.0, (name, unit.label)
            else:
                assert close(mine, expected[name]), (name, unit.label, mine, expected[name])
            # what the unit is judged against: the adjusted limit, or the exact one where that is wider
            exact = float(exact_limit("proportion", result.target, unit.denominator, tail))
            drawn = {"od_lcl95": unit.lower95, "od_ucl95": unit.upper95,
                     "od_lcl998": unit.lower998, "od_ucl998": unit.upper998}[name]
            assert drawn == pytest.approx(min(mine, exact) if tail < 0.5 else max(mine, exact))
