"""The learning-session pack as a PowerPoint presentation: its slides, pictures, notes and bytes,
and that LibreOffice Impress opens it."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import replace

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from charts.pack import NetworkMeasure, NetworkSection, PackData, TeamSection, render_pack_zip
from charts.signals import SignalCountsData, SignalText
from charts.slides import SlideText, pack_pictures, render_pack_pptx, signal_numbers, spc_numbers
from charts.spcdata import ChartText, SpcFigureData
from tests.charts import samples

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _signals() -> SignalCountsData:
    return SignalCountsData(
        periods=("Jan", "Feb", "Mar"),
        improvement=(0, 1, 2),
        concern=(1, 0, 0),
        neither=(2, 2, 1),
        missing=(0, 0, 0),
        text=SignalText(title="Teams with a signal: Screening", alt_description="Two teams improve."),
    )


@pytest.fixture(scope="module")
def pack() -> PackData:
    small = samples.pack(2, 2, 12)
    pooled = replace(
        small.teams[0].charts[0],
        text=replace(small.teams[0].charts[0].text, title="Screening, pooled", alt_description="Pooled."),
    )
    network = NetworkSection(
        "The network as one", "every team pooled", (NetworkMeasure(_signals(), pooled, "Screening"),)
    )
    return replace(small, network=network)


@pytest.fixture(scope="module")
def pptx_bytes(pack) -> bytes:
    return render_pack_pptx(pack)


def _pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_a_slide_for_the_cover_contents_each_network_chart_the_summary_and_each_team_chart(pack, pptx_bytes):
    prs = Presentation(io.BytesIO(pptx_bytes))
    # 16:9
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    slides = list(prs.slides)
    # cover, contents, pooled + signals, summary, 2 teams × 2 charts
    assert len(slides) == 2 + 2 + 1 + 4
    titles = [s.shapes.title.text for s in slides]
    assert titles[0] == "Learning session 3"
    assert titles[1] == "Contents"
    assert titles[2:4] == [
        "The network as one: Screening, pooled",
        "The network as one: Teams with a signal: Screening",
    ]
    assert titles[4] == "Summary"
    team, chart = pack.teams[0], pack.teams[0].charts[1]
    assert titles[6] == f"{team.name}: {chart.text.title}"
    contents = slides[1].placeholders[1].text_frame.text.split("\n")
    assert contents == ["The network as one", "Summary", *(t.name for t in pack.teams)]
    assert "2 teams" in slides[0].placeholders[1].text_frame.text


def test_every_chart_is_a_picture_at_full_slide_resolution_with_its_reading(pack, pptx_bytes):
    prs = Presentation(io.BytesIO(pptx_bytes))
    chart_slides = list(prs.slides)[2:4] + list(prs.slides)[5:]
    for slide in chart_slides:
        (picture,) = _pictures(slide)
        assert Image.open(io.BytesIO(picture.image.blob)).size == (1920, 1080)
        # shown 16:9 inside the slide
        assert picture.left >= 0 and picture.left + picture.width <= prs.slide_width
        assert picture.top + picture.height <= prs.slide_height
        assert abs(picture.width / picture.height - 16 / 9) < 0.01
    reading = pack.teams[1].charts[0].text.alt_description
    assert reading
    texts = [s.text_frame.text for s in chart_slides[4].shapes if s.has_text_frame]
    assert any(reading in t for t in texts)


def test_speaker_notes_hold_the_reading_and_the_numbers(pack, pptx_bytes):
    prs = Presentation(io.BytesIO(pptx_bytes))
    slides = list(prs.slides)
    signals_notes = slides[3].notes_slide.notes_text_frame.text
    assert "Two teams improve." in signals_notes
    assert (
        "Mar: Special cause: improvement 2, Special cause: concern 0, Neither 1, No value 0" in signals_notes
    )
    chart = pack.teams[0].charts[0]
    notes = slides[5].notes_slide.notes_text_frame.text
    assert chart.text.alt_description in notes
    assert f"{chart.periods[0]}: " in notes and f"{chart.periods[-1]}: " in notes
    assert "Nutrition bundle" in notes  # the team's interventions


def test_a_charts_numbers_in_words():
    chart = SpcFigureData(
        periods=("Jan", "Feb", "Mar"),
        y=(50, None, 62.5),
        cl=(55, 55, 55),
        lcl=(20, 20, 21.24),
        ucl=(90, 90, 88.76),
        target=80,
        is_percent=True,
        decimals=1,
        text=ChartText(title="Screening"),
    )
    words = SlideText(
        numbers="Tallene", centre_line="Senterlinje", limits="Grenser", target="Mål", no_value="mangler"
    )
    assert spc_numbers(chart, words).split("\n") == [
        "Jan: 50.0%; Feb: mangler; Mar: 62.5%",
        "Senterlinje: 55.0%",
        "Grenser: 21.2% – 88.8%",
        "Mål: 80.0%",
    ]
    run = SpcFigureData(periods=("Jan", "Feb"), y=(3, 4), decimals=0)
    assert spc_numbers(run) == "Jan: 3; Feb: 4"
    assert signal_numbers(_signals()).split("\n")[0] == (
        "Jan: Special cause: improvement 0, Special cause: concern 1, Neither 2, No value 0"
    )


def test_the_same_pack_gives_the_same_bytes_and_the_zips_pictures_are_used(pack, pptx_bytes):
    assert render_pack_pptx(pack) == pptx_bytes
    from_zip = pack_pictures(pack, render_pack_zip(pack, "slide"))
    assert render_pack_pptx(pack, pictures=from_zip) == pptx_bytes


def test_a_team_without_charts_still_has_a_slide():
    prs = Presentation(io.BytesIO(render_pack_pptx(PackData(title="Empty", teams=(TeamSection("Hof"),)))))
    assert [s.shapes.title.text for s in prs.slides] == ["Empty", "Contents", "Hof"]


@pytest.fixture
def soffice() -> str:
    if SOFFICE is None:
        if os.environ.get("LEARNNET_REQUIRE_BROWSER") == "1":
            pytest.fail("LEARNNET_REQUIRE_BROWSER=1 but no soffice: install Debian's libreoffice-impress")
        pytest.skip("no soffice: install Debian's libreoffice-impress to check that Impress opens the pack")
    return SOFFICE


def test_libreoffice_impress_opens_the_presentation(soffice, pptx_bytes, tmp_path):
    source = tmp_path / "pack.pptx"
    source.write_bytes(pptx_bytes)
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    pdf = tmp_path / "out" / "pack.pdf"
    assert pdf.exists(), done.stdout + done.stderr
    slides = len(Presentation(io.BytesIO(pptx_bytes)).slides)
    assert len(PdfReader(pdf).pages) == slides == 9
