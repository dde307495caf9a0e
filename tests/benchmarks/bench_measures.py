"""Benchmark of measures.spc.compute (run with `make bench`; not a pytest test).

Targets on the development machine: a 36-subgroup p chart well under 1 ms
(qicharts2 takes about 33 ms), and 10,000 such series in under 5 s.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from measures.rules import evaluate  # noqa: E402
from measures.spc import compute  # noqa: E402

SUBGROUPS = 36
SERIES = 10_000


def p_series(rng: np.random.Generator, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    n = rng.integers(20, 60, (count, SUBGROUPS)).astype(float)
    y = rng.binomial(n.astype(int), 0.3).astype(float)
    return list(zip(y, n))


def per_call(fn, repeats: int = 2000) -> float:
    """Median seconds per call over batches of 100."""
    times = []
    for _ in range(repeats // 100):
        start = time.perf_counter()
        for _ in range(100):
            fn()
        times.append((time.perf_counter() - start) / 100)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(2026)
    y, n = p_series(rng, 1)[0]
    compute("p", y, n)  # warm caches (crossings table, imports)
    print(f"measures.spc.compute benchmark ({SUBGROUPS} subgroups per series)")
    cases = {
        "p chart": lambda: compute("p", y, n),
        "p chart from lists": lambda: compute("p", y.tolist(), n.tolist()),
        "p' chart, 2 phases": lambda: compute("pp", y, n, phases=[18]),
        "i chart, freeze 12": lambda: compute("i", y / n, freeze=12),
        "run chart": lambda: compute("run", y),
        "p chart + mdc rules": lambda: evaluate(compute("p", y, n), "mdc", "up"),
    }
    for label, fn in cases.items():
        print(f"  {label:<24} {per_call(fn) * 1e6:8.1f} µs per chart")

    series = p_series(rng, SERIES)
    start = time.perf_counter()
    for yy, nn in series:
        compute("p", yy, nn)
    elapsed = time.perf_counter() - start
    print(f"  {SERIES:,} p charts            {elapsed:8.2f} s  (target < 5 s)")


if __name__ == "__main__":
    main()
