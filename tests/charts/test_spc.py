"""Run and SPC charts: output formats, determinism, baselines, label collisions.

Image baselines: tests/charts/baseline/*.png, compared with a tolerance
(matplotlib.testing.compare.compare_images). After an intended change of the look,
regenerate them with

    LEARNNET_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/charts

and review every changed PNG before committing (see tests/charts/conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from charts import style
from charts.spc import (
    Annotation,
    ChartText,
    Signal,
    SpcFigureData,
    build_spc_figure,
    from_measures,
    render_spc,
)
from tests.charts import samples
from tests.charts.conftest import assert_no_overlaps

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def p36() -> SpcFigureData:
    return samples.p_chart(36, counterfactual=True)


def test_png_has_the_size_of_the_preset(p36):
    for name, sz in style.SIZES.items():
        png = render_spc(p36, "png", name)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert Image.open(io.BytesIO(png)).size == sz.pixels, name


def test_same_input_same_bytes(p36):
    for fmt in ("png", "svg", "pdf"):
        assert render_spc(p36, fmt) == render_spc(p36, fmt), fmt


def test_same_bytes_in_another_process(p36):
    """Caching by content hash must hold across gunicorn workers (other hash seeds)."""
    code = (
        "import hashlib,sys; from tests.charts import samples; from charts.spc import "
        "render_spc; d=samples.p_chart(36, counterfactual=True); "
        "print(' '.join(hashlib.sha256(render_spc(d,f)).hexdigest() "
        "for f in ('png','svg','pdf')))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    here = [hashlib.sha256(render_spc(p36, f)).hexdigest() for f in ("png", "svg", "pdf")]
    assert out == here


def test_no_dates_or_versions_in_metadata(p36):
    pdf = render_spc(p36, "pdf")
    assert b"CreationDate" not in pdf and b"Producer" not in pdf
    svg = render_spc(p36, "svg")
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    png = Image.open(io.BytesIO(render_spc(p36, "png")))
    assert "Software" not in png.info


def test_alt_text(p36):
    svg = render_spc(p36, "svg").decode()
    assert "<title id=" in svg and "<desc id=" in svg and 'role="img"' in svg
    assert "Residents screened for malnutrition risk</title>" in svg
    assert "nutrition bundle; the shift signals an improvement.</desc>" in svg
    png = Image.open(io.BytesIO(render_spc(p36, "png")))
    assert png.info["Title"] == "Residents screened for malnutrition risk"
    assert png.info["Description"].startswith("The proportion screened rose")


def test_svg_escapes_text():
    d = samples.p_chart(12)
    d = replace(d, text=replace(d.text, title='<b> & "quotes"', alt_description="a < b"))
    svg = render_spc(d, "svg").decode()
    assert "<title id=" in svg and "&lt;b&gt; &amp;" in svg and "a &lt; b</desc>" in svg


@pytest.mark.parametrize(
    "name,factory",
    [
        ("p36", lambda: samples.p_chart(36, counterfactual=True)),
        ("crowded", samples.crowded),
        ("run_nb", samples.run_chart),
        ("p12_nb", lambda: samples.p_chart(12, locale="nb", break_at=12, missing=(3, 4))),
    ],
)
@pytest.mark.parametrize("size", ["web", "slide", "tablet", "a4"])
def test_labels_do_not_overlap(name, factory, size):
    assert_no_overlaps(build_spc_figure(factory(), size))


def test_numbered_annotations_explained_in_footnote():
    fig = build_spc_figure(samples.crowded(), "web")
    texts = [t.get_text() for t in fig.texts]
    assert any("Celebration at the end of the network" in t for t in texts)


def test_a_month_with_two_annotations_gets_one_marker_and_both_labels():
    d = replace(
        samples.p_chart(24),
        annotations=(
            Annotation(10, "PDSA 3", "pdsa"),
            Annotation(9, "Screening on admission", "intervention"),
            Annotation(10, "PDSA 2", "pdsa"),
        ),
    )
    fig = build_spc_figure(d, "slide")
    texts = [t.get_text() for t in fig.texts]
    assert "PDSA 2, PDSA 3" in texts and "Screening on admission" in texts
    # nothing was left for the footnote to explain
    assert not any("PDSA 3" in t and t != "PDSA 2, PDSA 3" for t in texts)
    assert_no_overlaps(fig)


@pytest.mark.parametrize("size", ["web", "slide", "tablet", "a4"])
def test_a_change_idea_too_long_for_either_side_of_its_marker_is_numbered(size):
    # a change idea with no short label is drawn with its whole name (up to 200 characters)
    title = (
        "Innføring av systematisk ernæringsscreening med MUST for alle beboere ved innkomst og "
        "deretter hver måned, med oppfølging i tverrfaglig møte og dokumentasjon i journal"
    )
    d = replace(
        samples.p_chart(24),
        annotations=(Annotation(5, title, "intervention"), Annotation(6, "Veiing mandag", "intervention")),
    )
    fig = build_spc_figure(d, size)
    assert_no_overlaps(fig)
    texts = [t.get_text() for t in fig.texts]
    assert title not in texts and "1" in texts and "Veiing mandag" in texts
    # explained in the footnote, behind its number
    assert any(t.startswith("1\u00a0Innføring av systematisk ernæringsscreening") for t in texts)


def test_every_number_the_footnote_explains_is_on_the_chart():
    fig = build_spc_figure(samples.crowded(), "web")
    texts = [t.get_text() for t in fig.texts]
    footnote = next(t for t in texts if "Celebration at the end of the network" in t)
    numbers = re.findall(r"(?:^|\s)(\d+)\u00a0", footnote)
    assert numbers
    assert all(n in texts for n in numbers)


def test_dollar_signs_are_not_mathtext():
    d = samples.p_chart(12)
    d = replace(d, text=replace(d.text, title="Cost $5 and $6"), annotations=(Annotation(3, "$x$ tested"),))
    fig = build_spc_figure(d)
    assert_no_overlaps(fig)


@pytest.mark.parametrize(
    "name,factory,size",
    [
        ("spc_p36_web.png", lambda: samples.p_chart(36, counterfactual=True), "web"),
        ("spc_crowded_web.png", samples.crowded, "web"),
        ("spc_run_nb_web.png", samples.run_chart, "web"),
        ("spc_p36_slide.png", lambda: samples.p_chart(36), "slide"),
    ],
)
def test_baseline(name, factory, size, baseline):
    baseline(name, render_spc(factory(), "png", size))


def test_all_missing_and_single_point():
    d = SpcFigureData(periods=("a", "b", "c"), y=(None, None, None))
    assert render_spc(d)[:4] == b"\x89PNG"
    d = SpcFigureData(periods=("a",), y=(5.0,), cl=(5.0,), lcl=(5.0,), ucl=(5.0,))
    assert render_spc(d)[:4] == b"\x89PNG"


def test_a_phase_of_one_month_has_its_centre_line_and_limits_drawn():
    # a new phase that starts in the latest month: its lines are drawn, not only labelled
    d = samples.p_chart(24, break_at=23, missing=())
    ax = build_spc_figure(d).axes[0]
    for colour, values in ((style.CENTRE, d.cl), (style.LIMIT, d.ucl), (style.LIMIT, d.lcl)):
        drawn = [
            line for line in ax.lines
            if line.get_color() == colour and len(set(line.get_xdata())) > 1
            and min(line.get_xdata()) <= 23 <= max(line.get_xdata())
            and set(line.get_ydata()) == {values[23]}
        ]
        assert drawn, colour


def test_validation():
    with pytest.raises(ValueError, match="y has 2 values for 3 periods"):
        SpcFigureData(periods=("a", "b", "c"), y=(1, 2))
    with pytest.raises(ValueError):
        SpcFigureData(periods=("a",), y=(1,), signals=(Signal("shift", "improvement", 0, 3),))
    with pytest.raises(ValueError):
        Signal("wobble", "improvement", 0, 0)
    # a signal is classed as improvement, concern or neutral; up and down are a measure's direction
    with pytest.raises(ValueError, match="unknown signal class 'up'"):
        Signal("shift", "up", 0, 0)
    with pytest.raises(ValueError):
        Annotation(0, "x", kind="party")
    with pytest.raises(ValueError):
        render_spc(samples.p_chart(12), size="poster")
    with pytest.raises(ValueError):
        render_spc(samples.p_chart(12), fmt="gif")


class FakeChart:
    """The records API of measures.spc results (see the measures issue)."""

    def __init__(self, records):
        self._records = records

    def to_records(self):
        return list(self._records)


def _records():
    recs = []
    for i in range(8):
        ph = 1 if i < 4 else 2
        cl = 0.5 if ph == 1 else 0.7
        recs.append(
            dict(
                y=None if i == 2 else cl + (0.25 if i == 6 else 0.02),
                cl=cl,
                lcl=cl - 0.2,
                ucl=cl + 0.2,
                lcl95=cl - 0.13,
                ucl95=cl + 0.13,
                sigma_signal=i == 6,
                phase=ph,
                runs_signal=ph == 1,
                longest_run=2,
                longest_run_max=6,
                n_crossings=1,
                n_crossings_min=1,
                n_useful=3,
            )
        )
    return recs


def test_from_measures_records_only():
    d = from_measures(
        FakeChart(_records()),
        periods=tuple("abcdefgh"),
        multiplier=100,
        is_percent=True,
        direction="up",
        phase_labels=("Before", "After"),
    )
    assert d.y[2] is None and d.y[0] == pytest.approx(52.0)
    assert d.cl[5] == pytest.approx(70.0) and d.ucl[5] == pytest.approx(90.0)
    assert d.lcl95 is None
    assert d.phase == (0, 0, 0, 0, 1, 1, 1, 1)
    assert d.signals == (Signal("outside", "improvement", 6, 6),)
    assert d.runs_signal == (True,) * 4 + (False,) * 4
    assert_no_overlaps(build_spc_figure(d))


def test_from_measures_with_findings():
    findings = [
        dict(rule="sigma", first=6, last=6, direction="concern"),
        type("F", (), dict(rule="shift", first=4, last=7, direction="improvement"))(),
        dict(rule="crossings", first=0, last=3, direction="neutral"),
    ]
    d = from_measures(
        FakeChart(_records()),
        periods=tuple("abcdefgh"),
        findings=findings,
        show_2sigma=True,
        text=ChartText(title="T"),
    )
    assert d.signals == (Signal("outside", "concern", 6, 6), Signal("shift", "improvement", 4, 7))
    assert d.ucl95 is not None and d.text.title == "T"


def test_from_measures_length_mismatch():
    with pytest.raises(ValueError):
        from_measures(FakeChart(_records()), periods=("a",))


@pytest.mark.parametrize("rule_set", ["anhoej", "ihi", "mdc"])
def test_from_real_measures(rule_set):
    """The adapter against the real measures package (spc, rules, effects)."""
    d = samples.measured_p_chart(36, rule_set=rule_set)
    assert d.y[4] is None and d.cl is not None and d.phase[11] == 0 and d.phase[12] == 1
    assert all(0 <= (v or 0) <= 100 for v in d.y)
    assert d.counterfactual is not None
    assert_no_overlaps(build_spc_figure(d, "web"))
    assert render_spc(d) == render_spc(d)


def test_real_measures_signals_classed_by_direction():
    from measures.rules import evaluate
    from measures.spc import compute

    y = [10] * 6 + [11] * 6 + [30] + [10, 11] * 3
    for direction, expected in (("up", "improvement"), ("down", "concern")):
        chart = compute("i", y, freeze=12)
        d = from_measures(
            chart, periods=[str(i) for i in range(len(y))], findings=evaluate(chart, "anhoej", direction)
        )
        assert Signal("outside", expected, 12, 12) in d.signals


def test_threads_get_the_same_bytes():
    """The app renders in a threaded server: concurrent renders must not disturb each other."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [
        (samples.p_chart(24, seed=s), fmt, size)
        for s in (1, 2)
        for fmt, size in (("png", "web"), ("svg", "slide"), ("pdf", "a4"))
    ]
    serial = [render_spc(d, f, z) for d, f, z in jobs]
    with ThreadPoolExecutor(4) as ex:
        parallel = list(ex.map(lambda j: render_spc(*j), jobs * 2))
    assert parallel == serial * 2


def _effect_data() -> SpcFigureData:
    """A segmented regression's line over 12 months, changed at month 6."""
    fitted = tuple([20.0 + 1.5 * k for k in range(6)] + [40.0 + 0.5 * (k - 6) for k in range(6, 12)])
    return SpcFigureData(
        periods=tuple(f"m{k}" for k in range(12)),
        y=tuple(v + (-1) ** k for k, v in enumerate(fitted)),
        fitted=fitted,
        counterfactual=tuple(None if k < 6 else 20.0 + 1.5 * k for k in range(12)),
        window=(6, 11),
        phase=(0,) * 6 + (1,) * 6,
        phase_labels=("Before", "After"),
        text=ChartText(title="Effect", fitted="Fitted line", window="Effect window"),
    )


def test_a_fitted_line_is_drawn_straight_from_month_to_month_not_as_steps():
    d = _effect_data()
    ax = build_spc_figure(d, "web").axes[0]
    drawn = [line for line in ax.lines if line.get_color() == style.FITTED]
    assert len(drawn) == 2  # one segment before the change, one after: the level change is a break
    for line in drawn:
        assert line.get_drawstyle() == "default"
        x, y = line.get_xdata(), line.get_ydata()
        assert tuple(y) in (d.fitted[:6], d.fitted[6:])
        # the vertices are the months' fitted values themselves, with nothing in between
        assert list(x) == list(range(int(x[0]), int(x[0]) + len(x)))
        path = line.get_path().vertices
        assert len(path) == len(x)


def test_the_counterfactual_starts_at_the_change_and_the_window_is_shaded():
    d = _effect_data()
    ax = build_spc_figure(d, "web").axes[0]
    cf = [line for line in ax.lines if line.get_color() == style.COUNTERFACTUAL]
    assert len(cf) == 1 and cf[0].get_linestyle() != "-"
    ys = cf[0].get_ydata()
    assert all(v != v for v in ys[:6]) and list(ys[6:]) == [20.0 + 1.5 * k for k in range(6, 12)]
    shaded = [p for p in ax.patches if p.get_facecolor()[:3] == matplotlib_rgb(style.IMPACT_WINDOW)]
    assert len(shaded) == 1
    band = shaded[0]
    assert (band.get_x(), band.get_x() + band.get_width()) == (5.5, 11.5)  # months 6 to 11


def matplotlib_rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)
