"""Loading of the qicharts2 reference cases (``tests/measures/data/``, described in its README)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

REFERENCE_PATH = Path(__file__).resolve().parent / "data" / "qicharts2_spc_cases.json"


def reference_path() -> Path:
    return REFERENCE_PATH


def load_cases() -> list[dict[str, Any]]:
    """All reference cases; raises FileNotFoundError if the file is missing."""
    with reference_path().open(encoding="utf-8") as fh:
        return json.load(fh)["cases"]


def compute_kwargs(case: dict[str, Any]) -> dict[str, Any]:
    """The arguments of measures.spc.compute for one reference case."""
    grouped = len(set(case["x"])) != len(case["x"])
    return {
        "kind": case["chart"], "y": case["y"], "n": case["n"],
        "x": case["x"] if grouped or case["chart"] in ("xbar", "s") else None,
        "freeze": case["freeze"], "phases": case["phases"], "exclude": case["exclude"],
        "cl": case["cl"],
    }


def mismatches(got: list[dict[str, Any]], expected: list[dict[str, Any]],
               rel: float = 1e-9, abs_: float = 1e-12) -> list[str]:
    """Human-readable differences between computed and expected records."""
    problems = []
    if len(got) != len(expected):
        return [f"{len(got)} subgroups, expected {len(expected)}"]
    for i, (g, e) in enumerate(zip(got, expected)):
        for key, want in e.items():
            have = g.get(key, "<absent>")
            if not _agree(have, want, rel, abs_):
                problems.append(f"subgroup {i} {key}: got {have!r}, expected {want!r}")
    return problems


def _agree(have: Any, want: Any, rel: float, abs_: float) -> bool:
    if want is None:
        return have is None
    if isinstance(want, bool):
        return have is want or (isinstance(have, bool) and have == want)
    if have is None or isinstance(have, (bool, str)):
        return False
    return math.isclose(float(have), float(want), rel_tol=rel, abs_tol=abs_)
