"""Funnel plot labels: every unit is named beside its own point, or numbered and named in the key."""

from __future__ import annotations

import random

import numpy as np
import pytest
from matplotlib.text import Text

from charts.funnel import FunnelFigureData, FunnelText, FunnelUnit, build_funnel_figure
from tests.charts import samples
from tests.charts.conftest import assert_no_overlaps


def crowded(units: int, seed: int) -> FunnelFigureData:
    """Many units with near-equal denominators and values: most names cannot sit beside them."""
    rnd = random.Random(seed)
    names = [f"{samples.TEAMS[k % len(samples.TEAMS)]} {k + 1}" for k in range(units)]
    dens = [float(x) for x in range(100, 400, 10)]
    return FunnelFigureData(
        units=tuple(
            FunnelUnit(name, 200 + rnd.uniform(-15, 15), 60 + rnd.uniform(-3, 3)) for name in names
        ),
        centre=60.0,
        denominators=tuple(dens),
        lower95=tuple(40.0 for _ in dens),
        upper95=tuple(80.0 for _ in dens),
        lower998=tuple(30.0 for _ in dens),
        upper998=tuple(90.0 for _ in dens),
        is_percent=True,
        text=FunnelText(title="Crowded"),
    )


def _box_distance(box, p) -> float:
    dx = max(box.x0 - p[0], 0.0, p[0] - box.x1)
    dy = max(box.y0 - p[1], 0.0, p[1] - box.y1)
    return float(np.hypot(dx, dy))


def check_labels(data: FunnelFigureData, size: str) -> int:
    """Each unit's label is nearer its own point than any other point (in display coordinates),
    or the unit carries a number whose key entry beside the plot names it. Returns how many
    units are numbered."""
    fig = build_funnel_figure(data, size)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    points = [ax.transData.transform((u.denominator, u.value)) for u in data.units]
    texts = {t.get_gid(): t for t in fig.findobj(Text) if t.get_gid()}
    leaders = {a.get_gid(): a for a in fig.artists if a.get_gid()}
    numbered = 0
    for i, unit in enumerate(data.units):
        name, number = texts.get(f"funnel-label-{i}"), texts.get(f"funnel-number-{i}")
        assert (name is None) != (number is None), f"{unit.label}: one label, a name or a number"
        label = name or number
        if f"funnel-leader-{i}" in leaders:
            # a leader line's end is the label's anchor
            xs, ys = leaders[f"funnel-leader-{i}"].get_xydata().T
            end = fig.dpi_scale_trans.transform((xs[-1], ys[-1]))
            anchor = [(end[0], end[1], end[0], end[1])]
            own = float(np.hypot(*(end - points[i])))
            others = [float(np.hypot(*(end - q))) for k, q in enumerate(points) if k != i]
        else:
            box = label.get_window_extent(renderer)
            anchor = [box]
            own = _box_distance(box, points[i])
            others = [_box_distance(box, q) for k, q in enumerate(points) if k != i]
        assert anchor and all(own < other for other in others), f"{unit.label}: nearer another point"
        if number is not None:
            numbered += 1
            assert texts[f"funnel-keynumber-{i}"].get_text() == number.get_text()
            lines = [t.get_text() for t in fig.findobj(Text) if t.get_gid() == f"funnel-key-{i}"]
            assert " ".join(lines) == unit.label
        else:
            assert name.get_text() == unit.label
    assert_no_overlaps(fig)
    return numbered


@pytest.mark.parametrize("units,seed", [(12, 1), (20, 2), (30, 3)])
@pytest.mark.parametrize("size", ["web", "slide"])
def test_crowded_units_are_labelled_by_name_or_number(units, seed, size):
    numbered = check_labels(crowded(units, seed), size)
    assert numbered > 0  # the case is crowded enough to need the key


def test_units_with_room_are_named_beside_their_points():
    assert check_labels(samples.funnel(8), "slide") == 0


def test_the_sample_funnels_keep_every_label_by_its_own_point():
    for n in (16, 30):
        check_labels(samples.funnel(n), "web")
