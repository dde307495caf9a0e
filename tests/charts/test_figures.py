"""Small multiples, funnel plot, summary matrix: rendering, determinism, collisions, baselines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from charts.funnel import FunnelUnit, build_funnel_figure, from_measures, render_funnel
from charts.matrix import MatrixCell, SummaryMatrixData, build_matrix_figure, render_matrix
from charts.multiples import (
    SmallMultiplesData,
    build_small_multiples_figure,
    grid_shape,
    render_small_multiples,
)
from tests.charts import samples
from tests.charts.conftest import assert_no_overlaps


def teams_multiples(n: int = 12) -> SmallMultiplesData:
    return SmallMultiplesData(
        samples.team_panels(n),
        title="Residents screened",
        subtitle="One measure, many teams",
        footnote="Source: learnnet",
    )


def team_measures() -> SmallMultiplesData:
    panels = (samples.p_chart(24), samples.run_chart(24), samples.p_chart(24, seed=5))
    titles = ("Screened", "Falls per 1,000 bed-days", "Nutrition plan")
    panels = tuple(replace(p, text=replace(p.text, title=t)) for p, t in zip(panels, titles, strict=True))
    return SmallMultiplesData(panels, title="Team Borre: all measures", shared_y=False)


@pytest.mark.parametrize(
    "factory", [teams_multiples, team_measures, lambda: teams_multiples(20), lambda: teams_multiples(1)]
)
@pytest.mark.parametrize("size", ["web", "slide", "a4"])
def test_multiples_labels_do_not_overlap(factory, size):
    assert_no_overlaps(build_small_multiples_figure(factory(), size))


def test_grid_shape():
    assert grid_shape(12, 16, 9) == (4, 3)
    assert grid_shape(1, 16, 9) == (1, 1)
    assert grid_shape(6, 16, 9, columns=2) == (2, 3)


def test_multiples_deterministic_and_baseline(baseline):
    d = teams_multiples()
    png = render_small_multiples(d, "png", "slide")
    assert png == render_small_multiples(d, "png", "slide")
    baseline("multiples_teams_slide.png", png)
    assert render_small_multiples(d, "svg") == render_small_multiples(d, "svg")


def test_multiples_need_panels():
    with pytest.raises(ValueError):
        SmallMultiplesData(())


@pytest.mark.parametrize(
    "factory", [samples.funnel, lambda: samples.funnel(20, 4, True), lambda: samples.funnel(40, 9)]
)
@pytest.mark.parametrize("size", ["web", "slide"])
def test_funnel_labels_do_not_overlap(factory, size):
    assert_no_overlaps(build_funnel_figure(factory(), size))


def test_funnel_classifies_by_direction():
    f = samples.funnel()
    assert f.classify(FunnelUnit("x", 200, 62.0)) == ("inside", "neutral")
    assert f.classify(FunnelUnit("x", 200, 95.0)) == ("beyond", "improvement")
    assert f.classify(FunnelUnit("x", 200, 30.0)) == ("beyond", "concern")
    assert replace(f, direction="down").classify(FunnelUnit("x", 200, 95.0))[1] == "concern"


def test_funnel_labels_every_unit_when_there_is_room():
    fig = build_funnel_figure(samples.funnel(8), "slide")
    texts = {t.get_text() for t in fig.texts}
    assert {u.label for u in samples.funnel(8).units} <= texts


def test_funnel_adjusted_note_and_baseline(baseline):
    d = samples.funnel(16, 11, adjusted=True)
    fig = build_funnel_figure(d)
    assert any("overdispersion" in t.get_text() for t in fig.texts)
    baseline("funnel_web.png", render_funnel(samples.funnel(), "png", "web"))
    assert render_funnel(d, "pdf") == render_funnel(d, "pdf")


def test_funnel_from_measures():
    from measures.funnel import funnel, funnel_limits

    num = [30, 45, 80, 12, 150, 60]
    den = [50, 70, 100, 40, 200, 150]
    res = funnel("proportion", num, den, labels=["A", "B", "C", "D", "E", "F"], adjust="multiplicative")
    curves = funnel_limits(
        "proportion", res.target, n_min=10, n_max=250, phi=res.phi, adjustment="multiplicative"
    )
    d = from_measures(res, curves, multiplier=100, is_percent=True, direction="up")
    assert d.centre == pytest.approx(100 * res.target)
    assert [u.label for u in d.units] == list("ABCDEF")
    assert d.adjusted
    for u, mu in zip(d.units, res.units, strict=True):
        band, signal_class = d.classify(u)
        assert (band != "inside") == mu.outside95
        if mu.outside95:
            assert signal_class == ("improvement" if mu.side == "above" else "concern")
    assert_no_overlaps(build_funnel_figure(d))


@pytest.mark.parametrize("n", [1, 6, 20, 30])
def test_matrix_labels_do_not_overlap(n):
    assert_no_overlaps(build_matrix_figure(samples.matrix(n), "a4"))


def test_matrix_baseline(baseline):
    d = samples.matrix(20)
    png = render_matrix(d, "png", "a4")
    assert png == render_matrix(d, "png", "a4")
    baseline("matrix_a4.png", png)


def test_matrix_validation():
    with pytest.raises(ValueError):
        MatrixCell(variation="sideways")
    with pytest.raises(ValueError):
        SummaryMatrixData(teams=("a",), measures=("m", "n"), cells=((MatrixCell(),),))


def test_same_bytes_under_other_hash_seeds():
    """Set iteration order changes with PYTHONHASHSEED; the output must not."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import hashlib; from tests.charts import samples; "
        "from charts.funnel import render_funnel; from charts.matrix import render_matrix; "
        "from tests.charts.test_figures import teams_multiples; "
        "from charts.multiples import render_small_multiples; "
        "print(' '.join(hashlib.sha256(b).hexdigest() for b in ("
        "render_funnel(samples.funnel(20, 4, True), 'svg'), render_matrix(samples.matrix(8), 'svg'),"
        "render_small_multiples(teams_multiples(6), 'svg'))))"
    )
    root = Path(__file__).resolve().parents[2]
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            check=True,
            text=True,
            capture_output=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(outs) == 1


def test_matrix_cells_from_measures():
    from charts.matrix import cell_from_measures
    from measures.rules import assurance, evaluate
    from measures.spc import compute

    flat = compute("i", [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6])
    cell = cell_from_measures(evaluate(flat, "mdc", "up"), assurance(flat, 2.0, "up"))
    assert cell.variation == "common" and cell.assurance == "pass"
    jump = compute("i", [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 30], freeze=12)
    cell = cell_from_measures(evaluate(jump, "mdc", "down"), assurance(jump, 50.0, "down"))
    assert cell.variation == "concern_high"
    run = compute("run", [5, 6, 5, 6, 5, 6])
    assert cell_from_measures(evaluate(run, "anhoej", "up"), assurance(run, 5.0, "up")).assurance is None
