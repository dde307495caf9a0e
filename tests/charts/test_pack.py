"""The learning-session pack: PDF pages, determinism, the PNG ZIP, parallel rendering."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from charts import render, style
from charts.pack import (
    PackData,
    TeamSection,
    _pages,
    _plan,
    render_pack,
    render_pack_pdf,
    render_pack_zip,
    slug,
)
from tests.charts import samples
from tests.charts.conftest import assert_no_overlaps


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


@pytest.fixture(scope="module")
def small_pack() -> PackData:
    return samples.pack(2, 3, 18)


def test_pdf_pages_and_determinism(small_pack):
    pdf = render_pack_pdf(small_pack)
    assert pdf.startswith(b"%PDF")
    # cover, contents, matrix, 2 teams × 2 pages (3 charts, 2 per page)
    assert page_count(pdf) == _plan(small_pack).pages == 7
    assert pdf == render_pack_pdf(small_pack)
    assert b"CreationDate" not in pdf


def test_pages_have_no_overlapping_text(small_pack):
    with render.context(style.SIZES["a4"]):
        for fig in _pages(small_pack, _plan(small_pack)):
            assert_no_overlaps(fig)


def test_zip_contents_and_determinism(small_pack):
    data = render_pack_zip(small_pack, "web")
    assert data == render_pack_zip(small_pack, "web")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[0] == "01-borre/01-screened-for-malnutrition-risk.png"
    assert len(names) == 6 and names[-1].startswith("02-indre-havn/03-")


def test_parallel_equals_serial(small_pack):
    files = render_pack(small_pack, workers=2, png_size="web")
    assert files.pdf == render_pack_pdf(small_pack)
    assert files.zip == render_pack_zip(small_pack, "web")


def test_team_without_charts_or_matrix():
    pack = PackData(title="Empty", teams=(TeamSection("Hof"),))
    pdf = render_pack_pdf(pack)
    assert page_count(pdf) == 3


def test_slug():
    assert slug("Tjøme omsorgssenter") == "tjome-omsorgssenter"
    assert slug("Åsgårdstrand / Æbleø") == "asgardstrand-aebleo"
    assert slug("???") == "chart"
