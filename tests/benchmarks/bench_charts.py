"""Benchmark of charts/: one annotated chart, and a learning-session pack.

Run from the repository root:  .venv/bin/python tests/benchmarks/bench_charts.py
(``make bench`` runs every tests/benchmarks/bench_*.py.) Prints figures; it is not a test.

Targets from the charts issue:
  * a 36-month annotated p chart, PNG, 100 dpi, 8 × 4.5 in: median under 60 ms
    (qicharts2 with ggsave takes about 250 ms for a plainer chart);
  * a pack of 20 teams × 6 measures (PDF + PNG ZIP) in under 15 s using both cores.
Also printed, for scale: a minimal matplotlib line chart with default axes, same size, on
the same machine, and the machine's load average (other work on the machine slows it all).

Rendering one chart again and again would flatter anything kept between figures (charts.agg
keeps text layouts and glyph bitmaps): the single-chart figures cycle through as many
different charts (other teams, titles, data and annotation labels,
tests/charts/samples.varied_p_charts) as there are repetitions, and the first render in a
fresh process (cold caches) is printed too, with the text caches' hit rates.

Options: --quick (fewer repetitions, a 4-team pack), --repeat N, --teams N.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from charts import agg, style  # noqa: E402
from charts.pack import render_pack, render_pack_pdf, render_pack_zip  # noqa: E402
from charts.spc import build_spc_figure, render_spc  # noqa: E402
from tests.charts import samples  # noqa: E402


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU times of ``repeat`` calls (CPU time is the fairer figure on a
    machine shared with other work); ``fn`` is given the call's number."""
    wall, cpu = [], []
    for i in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def plain_matplotlib(_: int = 0) -> bytes:
    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(range(36), [(i * 7) % 11 for i in range(36)], marker="o")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def ms(times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    return (
        f"median {statistics.median(wall) * 1000:6.1f} ms wall, "
        f"{statistics.median(cpu) * 1000:6.1f} ms CPU  (min wall {min(wall) * 1000:6.1f}, "
        f"n={len(wall)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--teams", type=int, default=None)
    args = ap.parse_args()
    repeat = args.repeat or (10 if args.quick else 40)
    teams = args.teams or (4 if args.quick else 20)

    print(
        f"charts benchmark · {os.cpu_count()} CPUs · load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    # computed by measures (p chart, two phases, Anhøj rules, ITS counterfactual), with five
    # intervention/PDSA annotations, a target and a missing month; a different chart each time
    charts = samples.varied_p_charts(repeat + 1)
    sz = style.size("web")
    assert sz.pixels == (800, 450)
    plain_matplotlib()  # warm-up: matplotlib's font list and fonts
    cold = timed(lambda i: render_spc(charts[-1]), 1)
    print(
        f"  36-month annotated p chart, PNG 800×450, first in the process (cold caches): "
        f"{cold[0][0] * 1000:6.1f} ms wall, {cold[1][0] * 1000:6.1f} ms CPU"
    )
    print(
        f"  36-month annotated p chart, PNG 800×450:   {ms(timed(lambda i: render_spc(charts[i]), repeat))}"
    )
    print(
        f"    of which building the figure:           "
        f"{ms(timed(lambda i: build_spc_figure(charts[i], sz), repeat))}"
    )
    print(
        f"  same charts, SVG:                          "
        f"{ms(timed(lambda i: render_spc(charts[i], 'svg'), max(3, repeat // 4)))}"
    )
    print(f"  for scale, plain matplotlib line chart:    {ms(timed(plain_matplotlib, repeat))}")
    info = agg.cache_info()
    print(
        "  text caches after these: "
        + ", ".join(
            f"{name} {c.hits / max(1, c.hits + c.misses):.0%} hits ({c.currsize} kept)"
            for name, c in info.items()
        )
    )

    pack = samples.pack(teams, 6, measured=True)
    n_charts = sum(len(t.charts) for t in pack.teams)
    workers = os.cpu_count() or 1
    for png_size in ("slide", "web"):
        before = _children_cpu()
        t = time.perf_counter()
        files = render_pack(pack, workers=workers, png_size=png_size)
        wall = time.perf_counter() - t
        cpu = _children_cpu() - before
        print(
            f"  pack {teams} teams × 6 measures ({n_charts} charts), PDF + {png_size} PNG ZIP, "
            f"{workers} processes: {wall:6.2f} s wall, {cpu:6.2f} s CPU in the workers "
            f"(PDF {len(files.pdf) / 1e6:.1f} MB, ZIP {len(files.zip) / 1e6:.1f} MB)"
        )
    if not args.quick:
        pdf_t = timed(lambda i: render_pack_pdf(pack), 1)
        zip_t = timed(lambda i: render_pack_zip(pack, "slide"), 1)
        print(
            f"    in this one process: PDF {pdf_t[0][0]:6.2f} s wall / {pdf_t[1][0]:6.2f} s CPU, "
            f"slide ZIP {zip_t[0][0]:6.2f} s wall / {zip_t[1][0]:6.2f} s CPU"
        )


if __name__ == "__main__":
    main()
