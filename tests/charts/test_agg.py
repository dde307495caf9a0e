"""charts.agg: the cached text drawing gives the same bytes as matplotlib's own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from charts import agg, render, style
from charts.funnel import build_funnel_figure
from charts.matrix import build_matrix_figure
from charts.multiples import build_small_multiples_figure
from charts.spc import Annotation, build_spc_figure, render_spc
from tests.charts import samples
from tests.charts.test_figures import teams_multiples

pytestmark = pytest.mark.skipif(not agg.ACTIVE, reason="this matplotlib draws text otherwise")


def png(fig, sz: style.Size, canvas) -> bytes:
    canvas(fig)
    return render.figure_bytes(fig, "png", sz)


def both(build, size: str) -> tuple[bytes, bytes, bytes]:
    """The PNG drawn by matplotlib's renderer, by charts.agg with empty caches, and by
    charts.agg again (everything from the caches)."""
    sz = style.size(size)
    agg.clear_caches()
    plain = png(build(sz), sz, FigureCanvasAgg)
    cold = png(build(sz), sz, agg.FigureCanvas)
    warm = png(build(sz), sz, agg.FigureCanvas)
    return plain, cold, warm


def dollar_chart():
    d = samples.p_chart(12)
    return replace(
        d,
        text=replace(d.text, title="Cost $5 and $6, Åsgårdstrand −3 % …"),
        annotations=(Annotation(3, "$x$ tested"),),
    )


@pytest.mark.parametrize(
    "name,build",
    [
        ("p36", lambda sz: build_spc_figure(samples.measured_p_chart(36), sz)),
        ("crowded", lambda sz: build_spc_figure(samples.crowded(), sz)),
        ("run_nb", lambda sz: build_spc_figure(samples.run_chart(), sz)),
        ("dollars", lambda sz: build_spc_figure(dollar_chart(), sz)),
        ("multiples", lambda sz: build_small_multiples_figure(teams_multiples(6), sz)),
        ("funnel", lambda sz: build_funnel_figure(samples.funnel(20, 4, True), sz)),
        ("matrix", lambda sz: build_matrix_figure(samples.matrix(8), sz)),
    ],
)
@pytest.mark.parametrize("size", ["web", "slide", "a4"])
def test_same_bytes_as_matplotlib(name, build, size):
    plain, cold, warm = both(build, size)
    assert cold == plain
    assert warm == plain


def test_rotated_bold_aliased_and_math_text():
    """Text the charts do not draw today, so the cache stays exact for it too."""

    def build(sz):
        fig = render.new_figure(sz)
        with render.context(sz):
            fig.text(0.1, 0.2, "Rotated 30° øæå", rotation=30, fontsize=13, weight="bold")
            fig.text(0.5, 0.5, "Aliased\nthree\nlines", antialiased=False, fontsize=9.3)
            fig.text(0.7, 0.2, r"$\sqrt{x^2}$ math", fontsize=12)
            fig.text(0.33, 0.73, "Vertical", rotation=90, fontsize=11.7)
            fig.text(0.2, 0.9, "Upside down", rotation=180, fontsize=10, style="italic")
        return fig

    for size in ("web", "slide"):
        plain, cold, warm = both(build, size)
        assert cold == plain
        assert warm == plain


def test_different_charts_in_a_row_match():
    """Charts that share some strings and positions and differ in others."""
    charts = samples.varied_p_charts(6)
    sz = style.size("web")
    agg.clear_caches()
    for d in charts:
        assert png(build_spc_figure(d, sz), sz, agg.FigureCanvas) == png(
            build_spc_figure(d, sz), sz, FigureCanvasAgg
        )
    assert agg.cache_info()["glyphs"].hits > 0


def test_caches_are_bounded():
    info = agg.cache_info()
    assert info["metrics"].maxsize == info["layout"].maxsize == agg.STRINGS
    assert info["glyphs"].maxsize == agg.GLYPHS


def test_threads_give_the_same_bytes():
    charts = samples.varied_p_charts(8)
    agg.clear_caches()
    serial = [render_spc(d) for d in charts]
    agg.clear_caches()
    with ThreadPoolExecutor(4) as ex:
        threaded = list(ex.map(render_spc, charts))
    assert threaded == serial


def test_charts_are_drawn_with_the_cached_renderer():
    fig = build_spc_figure(samples.p_chart(12))
    assert isinstance(fig.canvas.get_renderer(), agg.Renderer)
