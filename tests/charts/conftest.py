"""Shared helpers for chart tests: image baselines and text-overlap checks.

Image baselines live in tests/charts/baseline/. To regenerate them after an intended change
of the look, run

    LEARNNET_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/charts

then look at every changed PNG before committing it. Rendered images and diffs of failed
comparisons are written to tests/charts/result_images/ (ignored by git).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images
from matplotlib.text import Text

HERE = Path(__file__).parent
BASELINE_DIR = HERE / "baseline"
RESULT_DIR = HERE / "result_images"
UPDATE = os.environ.get("LEARNNET_UPDATE_BASELINES") == "1"
# RMS difference (0–255 scale) tolerated between a rendering and its baseline: absorbs
# anti-aliasing differences between FreeType builds, catches any moved line or label.
TOLERANCE = 2.0


def assert_matches_baseline(name: str, png: bytes) -> None:
    RESULT_DIR.mkdir(exist_ok=True)
    actual = RESULT_DIR / name
    actual.write_bytes(png)
    expected = BASELINE_DIR / name
    if UPDATE:
        BASELINE_DIR.mkdir(exist_ok=True)
        expected.write_bytes(png)
        return
    assert expected.exists(), (
        f"no baseline {expected}; create it with LEARNNET_UPDATE_BASELINES=1 and review it"
    )
    err = compare_images(str(expected), str(actual), tol=TOLERANCE, in_decorator=True)
    assert err is None, f"{name} differs from its baseline: {err}"


def text_boxes(fig: Figure):
    """(text, window extent) of every visible, non-empty text in the figure."""
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.get_alpha() != 0:
            out.append((t.get_text(), t.get_window_extent(renderer)))
    return out


def assert_no_overlaps(fig: Figure, slack: float = 0.5) -> None:
    """No two texts intersect (boxes shrunk by ``slack`` px), and all lie inside the figure."""
    fig.canvas.draw()
    boxes = text_boxes(fig)
    w, h = fig.canvas.get_width_height()
    problems = []
    for i, (ta, a) in enumerate(boxes):
        if a.x0 < -slack or a.y0 < -slack or a.x1 > w + slack or a.y1 > h + slack:
            problems.append(f"{ta!r} outside the figure: {a}")
        for tb, b in boxes[i + 1 :]:
            if min(a.x1, b.x1) - max(a.x0, b.x0) > slack and min(a.y1, b.y1) - max(a.y0, b.y0) > slack:
                problems.append(f"{ta!r} overlaps {tb!r}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def baseline():
    return assert_matches_baseline
