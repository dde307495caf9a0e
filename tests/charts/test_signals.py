"""The count of teams with a signal as stacked bars: sizes, text alternative, and bad data refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from charts.signals import SignalCountsData, SignalText, render_signal_counts


def _data(**changes) -> SignalCountsData:
    n = 14
    improvement = tuple(min(k // 3, 4) for k in range(n))
    concern = tuple(1 if k in (2, 9) else 0 for k in range(n))
    missing = tuple(1 if k == n - 1 else 0 for k in range(n))
    values = dict(
        periods=tuple(f"m{k}" for k in range(n)),
        improvement=improvement,
        concern=concern,
        neither=tuple(6 - a - b - c for a, b, c in zip(improvement, concern, missing, strict=True)),
        missing=missing,
        period_dates=tuple(dt.date(2025 + (k + 2) // 12, (k + 2) % 12 + 1, 1) for k in range(n)),
        text=SignalText(title="Teams with a signal", alt_description="In m13, 4 of 6 teams improved."),
    )
    return SignalCountsData(**(values | changes))


@pytest.mark.parametrize(
    ("size", "pixels"), [("slide", (1920, 1080)), ("tablet", (1024, 768)), ("web", (800, 450))]
)
def test_the_chart_is_drawn_at_each_size(size, pixels):
    png = render_signal_counts(_data(), "png", size)
    assert Image.open(io.BytesIO(png)).size == pixels
    assert png == render_signal_counts(_data(), "png", size)  # deterministic


def test_the_svg_carries_the_text_alternative():
    svg = render_signal_counts(_data(), "svg").decode()
    assert "Teams with a signal" in svg and "4 of 6 teams improved" in svg


def test_every_bar_adds_up_to_its_teams():
    assert set(_data().totals) == {6}


def test_counts_of_another_length_or_below_zero_are_refused():
    with pytest.raises(ValueError):
        _data(concern=(0, 1))
    with pytest.raises(ValueError):
        _data(missing=(-1,) + (0,) * 13)
