"""Every qicharts2 reference case must be reproduced (the floor of agreement)."""

from __future__ import annotations

import pytest

from measures.spc import compute
from tests.measures.reference import compute_kwargs, load_cases, mismatches, reference_path

try:
    CASES = load_cases()
    LOAD_ERROR = None
except OSError as exc:  # fail, never skip, when the reference is absent
    CASES = []
    LOAD_ERROR = exc


def test_reference_file_is_present_and_complete():
    assert LOAD_ERROR is None, f"cannot read {reference_path()}: {LOAD_ERROR}"
    assert len(CASES) >= 120
    assert {c["chart"] for c in CASES} == {
        "run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g"}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_case(case):
    chart = compute(**compute_kwargs(case))
    problems = mismatches(chart.to_records(), case["expected"])
    assert not problems, "\n".join(problems[:10])
