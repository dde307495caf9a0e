"""Small multiples of one measure: whole team names, and one number format for the measure."""

from __future__ import annotations

import re
from dataclasses import replace

from matplotlib.text import Text

from charts.multiples import SmallMultiplesData, build_small_multiples_figure
from charts.text import NumberFormat
from tests.charts import samples
from tests.charts.conftest import assert_no_overlaps

LONG = "Hjemmetjenesten Brunlanes, sone nord og sone sør"


def _panels(values_per_team, names):
    base = samples.p_chart(12, seed=1, annotations=())
    nb = NumberFormat(decimal_mark=",", thousands_sep="\u00a0", percent_suffix="\u00a0%")
    out = []
    for name, values in zip(names, values_per_team, strict=True):
        out.append(
            replace(
                base,
                y=tuple(values),
                cl=tuple([sum(values) / len(values)] * len(values)),
                is_percent=False,
                phase_labels=(),
                text=replace(base.text, title=name, numbers=nb),
            )
        )
    return tuple(out)


def test_long_team_names_are_wrapped_whole_not_cut():
    names = [f"{LONG} {k}" for k in range(8)]
    panels = _panels([[2.0 + (k % 3)] * 12 for k in range(8)], names)
    fig = build_small_multiples_figure(SmallMultiplesData(panels, title="Fall"), "web")
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert not any("…" in t for t in texts)
    assert not any(name in texts for name in names)  # too long for one line at this size
    for name in names:
        # the title's lines, in order, make up the whole name
        assert any(" ".join(texts[i : i + 2]) == name or texts[i] == name for i in range(len(texts)))
    assert_no_overlaps(fig)


def test_one_number_format_for_the_measure():
    # a team at 2 falls, one at 3 and one at about 2.03: written alike, with the user's decimal mark
    values = [[2.0] * 12, [3.0, 3.0] * 6, [1.9, 2.1, 2.05, 2.1] * 3]
    panels = _panels(values, ["A", "B", "C"])
    fig = build_small_multiples_figure(SmallMultiplesData(panels, title="Fall"), "slide")
    headline = [t.get_text() for t in fig.texts if re.fullmatch(r"[\d,]+", t.get_text())]
    shapes = {len(t.partition(",")[2]) for t in headline if t}
    centres = [sum(v) / len(v) for v in values]
    assert len(shapes) == 1, headline
    decimals = shapes.pop()
    assert decimals >= 1  # 2 and 2.04 must not both read "2"
    for c in centres:
        assert f"{c:.{decimals}f}".replace(".", ",") in headline
