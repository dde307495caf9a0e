"""measures imports only the standard library, numpy, scipy and statsmodels."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import measures

ALLOWED = {"numpy", "scipy", "statsmodels", "measures"} | set(sys.stdlib_module_names)
PACKAGE = Path(measures.__file__).parent


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_measures_imports_only_allowed_packages():
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 7
    for path in files:
        extra = imported_roots(path) - ALLOWED
        assert not extra, f"{path.name} imports {sorted(extra)}"
