"""Numbers as the charts write them."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "step, decimals, ticks",
    [
        (2.5, 1, ["0,0", "2,5", "5,0", "7,5"]),
        (0.25, 2, ["0,00", "0,25"]),
        (20, 0, ["0", "20"]),
        (0.1, 1, ["0,0", "0,1"]),
    ],
)
def test_tick_labels_write_every_tick_exactly(step, decimals, ticks):
    from charts.text import NumberFormat, tick_decimals

    nf = NumberFormat(decimal_mark=",")
    assert tick_decimals(step) == decimals
    assert [nf.number(k * step, tick_decimals(step)) for k in range(len(ticks))] == ticks
