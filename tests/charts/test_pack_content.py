"""What a facilitator projects from a learning-session pack: text large enough at projection size,
a summary with every team's full name, value and icons, and nothing said twice."""

from __future__ import annotations

from dataclasses import replace

import pytest
from matplotlib.text import Text

from charts import render, style
from charts.matrix import ASSURANCES, MatrixCell, MatrixText, SummaryMatrixData, build_matrix_figure
from charts.pack import (
    PAGE,
    PROJECTED_MIN_PT,
    NetworkMeasure,
    NetworkSection,
    _network_page,
    _pages,
    _plan,
    _team_page,
    projected_pt,
)
from charts.spc import Annotation, build_spc_figure
from tests.charts import samples
from tests.charts.conftest import assert_no_overlaps
from tests.charts.test_signals import _data as signal_counts


def texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def test_projected_size_is_the_page_scaled_to_fill_a_1920_by_1080_slide():
    # A4 landscape is 11.69 × 8.27 in; on the 13.33 × 7.5 in slide its height fits: × 7.5 / 8.27.
    assert projected_pt(16.0) == pytest.approx(16.0 * 7.5 / 8.27)
    # the slide itself is projected as it is
    assert projected_pt(17.0, style.SIZES["slide"]) == pytest.approx(17.0)


def _tick_labels(fig, chart) -> list[Text]:
    """The drawn month and value tick labels of a chart on a page."""
    found = [t for t in texts(fig) if t.get_text() in set(chart.periods)]
    values = {chart.text.numbers.value(v, 0, chart.is_percent) for v in range(0, 101, 10)}
    found += [t for t in texts(fig) if t.get_text() in values]
    return found


def test_tick_labels_of_a_team_page_are_at_least_14_pt_when_projected():
    pack = samples.pack(1, 2, 24)
    team = pack.teams[0]
    with render.context(PAGE):
        fig = _team_page(pack, _plan(pack), team, 0, 4)
    ticks = _tick_labels(fig, team.charts[0])
    assert len(ticks) >= 4  # month labels and value labels
    assert min(projected_pt(t.get_fontsize()) for t in ticks) >= PROJECTED_MIN_PT


def test_tick_labels_of_the_network_pages_are_at_least_14_pt_when_projected():
    pack = samples.pack(2, 2, 24)
    chart = pack.teams[0].charts[0]
    section = NetworkSection("The network as one", "Vestfold", (NetworkMeasure(signal_counts(), chart, "m"),))
    pack = replace(pack, network=section)
    with render.context(PAGE):
        fig = _network_page(pack, _plan(pack), section, chart, 3)
    ticks = _tick_labels(fig, chart)
    assert ticks
    assert min(projected_pt(t.get_fontsize()) for t in ticks) >= PROJECTED_MIN_PT


def test_every_page_of_the_pack_draws_its_text_large_enough_for_its_role():
    # No text of a chart page is smaller than a footnote of the a4 page shown full screen.
    pack = samples.pack(1, 2, 18)
    with render.context(PAGE):
        pages = list(_pages(pack, _plan(pack)))
    smallest = min(t.get_fontsize() for fig in pages[3:] for t in texts(fig))
    assert smallest >= PAGE.pt("footnote") - 1e-9


@pytest.mark.parametrize("label", ["After the nutrition bundle", "after the nutrition bundle"])
def test_an_intervention_that_starts_a_phase_of_its_name_is_labelled_once(label):
    # samples.p_chart's second phase, "After the nutrition bundle", starts in month 12
    chart = samples.p_chart(24, annotations=(Annotation(12, label, "intervention"),))
    fig = build_spc_figure(chart, "slide")
    assert [t.get_text().casefold() for t in texts(fig)].count("after the nutrition bundle") == 1


def test_an_intervention_of_another_name_keeps_its_label():
    chart = samples.p_chart(24, annotations=(Annotation(12, "Weekly weighing", "intervention"),))
    fig = build_spc_figure(chart, "slide")
    drawn = [t.get_text() for t in texts(fig)]
    assert drawn.count("After the nutrition bundle") == 1
    assert "Weekly weighing" in " ".join(drawn)


LONG = "Sande sykehjem, demensavdeling, skjermet enhet for yngre personer med demens"


def _matrix() -> SummaryMatrixData:
    teams = ("Borre", LONG, "Tjøme omsorgssenter")
    cells = (
        (MatrixCell("neutral", "pass", "87 %"), MatrixCell("common", None, "12,5")),
        (MatrixCell("improvement_high", "fail", "41 %\nokt. 2026"), MatrixCell()),
        (MatrixCell("concern_low", "hit_and_miss", "100 %"), MatrixCell("common", None, "3,0")),
    )
    legend = {
        "common": "Common cause",
        "improvement_high": "Improvement (higher)",
        "improvement_low": "Improvement (lower)",
        "concern_high": "Concern (higher)",
        "concern_low": "Concern (lower)",
        "neutral": "Special cause, neither better nor worse",
        "pass": "Meets the target",
        "fail": "Misses the target",
        "hit_and_miss": "Hit and miss",
    }
    return SummaryMatrixData(teams, ("Screened", "Falls"), cells, MatrixText(title="Summary", legend=legend))


def test_the_summary_shows_full_team_names_values_and_every_kind_of_icon_with_its_legend():
    data = _matrix()
    fig = build_matrix_figure(data, "a4")
    drawn = [t.get_text() for t in texts(fig)]
    joined = " ".join(drawn)
    assert LONG in joined  # wrapped over lines, not cut
    assert not any("…" in t for t in drawn)
    for value in ("87 %", "12,5", "41 %", "okt. 2026", "100 %", "3,0"):
        assert value in drawn
    assert "±" in drawn  # the icon of a signal that is neither better nor worse
    for meaning in data.text.legend.values():  # every kind, drawn or not, in the legend
        assert meaning in drawn
    # every icon letter is there: the table's icons and the legend's
    for letter in ("~", "H", "L", "±", "\u2714", "\u2718", "?"):
        assert letter in drawn
    assert set(ASSURANCES) <= set(data.text.legend)


def test_the_summary_texts_do_not_overlap():
    assert_no_overlaps(build_matrix_figure(_matrix(), "a4"))
