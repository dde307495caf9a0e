"""charts.render: PNG bytes written without Pillow decode to the canvas's pixels."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from charts import render, style
from charts.spc import build_spc_figure
from tests.charts import samples


def test_png_has_the_canvas_pixels_and_metadata():
    sz = style.size("web")
    fig = build_spc_figure(samples.p_chart(24), sz)
    alt = render.AltText("Tjøme − screened", "Rose from 45 % to 75 % … after the bundle")
    data = render.figure_bytes(fig, "png", sz, alt=alt)
    im = Image.open(io.BytesIO(data))
    im.load()
    assert im.mode == "RGB" and im.size == sz.pixels
    rgba = np.asarray(fig.canvas.buffer_rgba())
    assert np.array_equal(np.asarray(im), rgba[..., :3])
    assert im.info["Title"] == alt.title  # iTXt: not Latin-1
    assert im.info["Description"] == alt.description
    assert round(im.info["dpi"][0]) == sz.dpi
    assert "Software" not in im.info


def test_png_latin1_text_and_no_metadata():
    rgba = np.zeros((3, 5, 4), np.uint8)
    rgba[1, 2] = (10, 200, 30, 255)
    im = Image.open(io.BytesIO(render.png_bytes(rgba, 144, {"Title": "Åsgårdstrand", "Software": None})))
    assert im.info["Title"] == "Åsgårdstrand"
    assert np.asarray(im)[1, 2].tolist() == [10, 200, 30]
    assert Image.open(io.BytesIO(render.png_bytes(rgba, 100))).size == (5, 3)


def test_the_drawing_version_follows_the_chart_code(tmp_path, monkeypatch):
    before = render.drawing_version()
    assert before == render.drawing_version()
    copy = tmp_path / "render.py"
    copy.write_text(Path(render.__file__).read_text() + "\n# a changed look\n")
    (tmp_path / "spc.py").write_text("")
    monkeypatch.setattr(render, "__file__", str(copy))
    render.drawing_version.cache_clear()
    try:
        assert render.drawing_version() != before
    finally:
        monkeypatch.undo()
        render.drawing_version.cache_clear()
    assert render.drawing_version() == before
