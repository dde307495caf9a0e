"""The learning-session pack: PDF pages, determinism, the PNG ZIP, parallel rendering."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace

import pytest

from charts import render, style
from charts.pack import (
    PackData,
    TeamSection,
    _pages,
    _plan,
    png_names,
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
    # cover, contents, matrix, 2 teams × 3 pages (3 charts, one a page: each projected on its own)
    assert page_count(pdf) == _plan(small_pack).pages == 9
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


def test_parallel_equals_serial_and_tells_every_page_and_png_drawn(small_pack):
    told = []
    files = render_pack(
        small_pack, workers=2, png_size="web", progress=lambda done, total: told.append((done, total))
    )
    assert files.pdf == render_pack_pdf(small_pack)
    assert files.zip == render_pack_zip(small_pack, "web")
    # from the worker processes too: a report per page of the PDF and per PNG
    steps = page_count(files.pdf) + len(zipfile.ZipFile(io.BytesIO(files.zip)).namelist())
    assert told == [(k, steps) for k in range(1, steps + 1)]


def test_a_teams_text_is_a_page_of_its_own_after_its_charts(small_pack):
    teams = (replace(small_pack.teams[0], note="Vekt hver mandag.\n\nKveldsmat."), *small_pack.teams[1:])
    pdf = render_pack_pdf(
        replace(small_pack, teams=teams, text=replace(small_pack.text, note="Hva vi lærte"))
    )
    assert page_count(pdf) == page_count(render_pack_pdf(small_pack)) + 1


def test_team_without_charts_or_matrix():
    pack = PackData(title="Empty", teams=(TeamSection("Hof"),))
    pdf = render_pack_pdf(pack)
    assert page_count(pdf) == 3


def test_slug():
    assert slug("Tjøme omsorgssenter") == "tjome-omsorgssenter"
    assert slug("Åsgårdstrand / Æbleø") == "asgardstrand-aebleo"
    assert slug("???") == "chart"
    assert slug("Tidlig oppdagelse 2026–27") == "tidlig-oppdagelse-2026-27"
    # a long name is cut after a whole word
    assert slug("Kontakter med lege ved endret tilstand som er strukturert etter ISBAR", 40) == (
        "kontakter-med-lege-ved-endret-tilstand"
    )


def _named(chart, title):
    return replace(chart, text=replace(chart.text, title=title))


NEWS2_ADMISSION = "Pasienter med fullstendig sett vitale tegn (NEWS2) ved innkomst"
NEWS2_CHANGE = "Pasienter med fullstendig sett vitale tegn (NEWS2) ved mistanke om endret tilstand"


def _readable(name: str) -> str:
    """The name without its numbers: "01-hof/02-news2.png" → "hof/news2.png"."""
    return re.sub(r"(^|/)\d+-", r"\1", name)


def _unpacked(data: bytes, tmp_path) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path)
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.png"))


def test_zip_names_use_the_short_names_and_never_clash(small_pack, tmp_path):
    chart = small_pack.teams[0].charts[0]
    long_names = TeamSection(
        "Hof sykehjem",
        charts=(_named(chart, NEWS2_ADMISSION), _named(chart, NEWS2_CHANGE)),
        chart_names=("NEWS2 ved innkomst", "NEWS2 ved endret tilstand"),
    )
    same_names = TeamSection("Hof sykehjem", charts=(chart, chart, chart), chart_names=("Fall", "Fall", ""))
    pack = PackData(title="Samling 2", teams=(long_names, same_names))
    names = png_names(pack)
    assert names[0] == (
        "01-hof-sykehjem/01-news2-ved-innkomst.png",
        "01-hof-sykehjem/02-news2-ved-endret-tilstand.png",
    )
    flat = [name for team in names for name in team]
    readable = [_readable(name) for name in flat]
    assert len(set(readable)) == len(readable) == 5
    assert readable[2:] == ["hof-sykehjem-2/fall.png", "hof-sykehjem-2/fall-2.png", readable[4]]
    assert readable[4].startswith("hof-sykehjem-2/screened-for-malnutrition")
    # unpacked, every chart is a file of its own
    assert _unpacked(render_pack_zip(pack, "web"), tmp_path) == sorted(flat)


def test_zip_names_without_short_names_are_told_apart_by_their_titles(small_pack):
    chart = small_pack.teams[0].charts[0]
    team = TeamSection("Hof", charts=(_named(chart, NEWS2_ADMISSION), _named(chart, NEWS2_CHANGE)))
    first, second = (_readable(name) for name in png_names(PackData(title="", teams=(team,)))[0])
    assert first == "hof/pasienter-med-fullstendig-sett-vitale-tegn-news2-ved-innkomst.png"
    assert (
        second == "hof/pasienter-med-fullstendig-sett-vitale-tegn-news2-ved-mistanke-om-endret-tilstand.png"
    )
