"""charts.render: PNG bytes written without Pillow decode to the canvas's pixels."""

from __future__ import annotations

import io

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
