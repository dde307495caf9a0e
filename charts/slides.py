"""The learning-session pack as a PowerPoint presentation (16:9), for a facilitator to reorder,
hide and add slides to: the cover, the contents, the network seen as one (a slide per chart), the
summary matrix, then one slide per team chart, each with its title, the chart as a picture at full
slide resolution (the same PNGs as the pack's ZIP), its reading beside it and, in the speaker
notes, the reading and the chart's numbers in words.

Written with python-pptx. The bytes are deterministic like the PDF's: the package's parts are
re-stored with fixed timestamps, and the document properties hold no dates.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from pptx import Presentation
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from charts.matrix import SummaryMatrixData, render_matrix
from charts.pack import (
    MATRIX_ROWS_PER_PAGE,
    PackData,
    network_png_names,
    png_names,
)
from charts.signals import SignalCountsData, render_signal_counts
from charts.spc import SpcFigureData, render_spc
from charts.text import auto_decimals

__all__ = ["SlideText", "render_pack_pptx", "pack_pictures", "spc_numbers", "signal_numbers"]

# 16:9, the size PowerPoint and Impress choose for a new presentation
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)
# python-pptx's own template is 4:3 (10 inches wide): its master and layouts are widened to match
TEMPLATE_W = Inches(10)

# the default template's layouts
TITLE_SLIDE, TITLE_AND_CONTENT, TITLE_ONLY = 0, 1, 5

PICTURE = (Inches(0.2), Inches(1.2), Inches(9.6))  # left, top, width; 16:9 like the PNGs
READING = (Inches(10.0), Inches(1.2), Inches(3.1), Inches(5.4))
BELOW = (Inches(0.3), Inches(6.65), Inches(12.7), Inches(0.7))

MIMETYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class SlideText:
    """The words of the slides that are not already in :class:`~charts.pack.PackData`, translated
    by the app (defaults: English)."""

    numbers: str = "The numbers"
    centre_line: str = "Centre line"
    limits: str = "Limits"
    target: str = "Target"
    no_value: str = "no value"


# --- the chart's data in words -----------------------------------------------------------


def spc_numbers(chart: SpcFigureData, text: SlideText = SlideText()) -> str:
    """A run or control chart's numbers as a sentence per line: every month's value, then the
    latest centre line, limits and target, written as the chart writes its numbers."""
    fmt = chart.text.numbers
    decimals = chart.decimals if chart.decimals is not None else auto_decimals(chart.y, chart.is_percent)

    def value(v: float | None) -> str:
        return text.no_value if v is None else fmt.value(v, decimals, chart.is_percent)

    lines = ["; ".join(f"{p}: {value(v)}" for p, v in zip(chart.periods, chart.y, strict=True))]
    last = len(chart.periods) - 1
    if last >= 0 and chart.cl is not None and chart.cl[last] is not None:
        lines.append(f"{text.centre_line}: {value(chart.cl[last])}")
    if (
        last >= 0
        and chart.lcl is not None
        and chart.ucl is not None
        and chart.lcl[last] is not None
        and chart.ucl[last] is not None
    ):
        lines.append(f"{text.limits}: {value(chart.lcl[last])} – {value(chart.ucl[last])}")
    if chart.target is not None:
        lines.append(f"{text.target}: {value(chart.target)}")
    return "\n".join(lines)


def signal_numbers(chart: SignalCountsData) -> str:
    """The count of teams in each group, month by month, in the chart's own words."""
    t = chart.text
    return "\n".join(
        f"{p}: {t.improvement} {i}, {t.concern} {c}, {t.neither} {n}, {t.missing} {m}"
        for p, i, c, n, m in zip(
            chart.periods, chart.improvement, chart.concern, chart.neither, chart.missing, strict=True
        )
    )


def _matrix_words(matrix: SummaryMatrixData) -> str:
    legend = matrix.text.legend
    lines = []
    for team, cells in zip(matrix.teams, matrix.cells, strict=True):
        parts = []
        for measure, cell in zip(matrix.measures, cells, strict=True):
            said = [
                w
                for w in (
                    legend.get(cell.variation, "") if cell.variation else "",
                    legend.get(cell.assurance, "") if cell.assurance else "",
                    cell.value,
                )
                if w
            ]
            parts.append(f"{measure}: {', '.join(said) if said else matrix.text.missing}")
        lines.append(f"{team} — " + "; ".join(parts))
    return "\n".join(lines)


# --- the pictures -------------------------------------------------------------------------


def pack_pictures(pack: PackData, zip_bytes: bytes | None = None, size: str = "slide") -> dict[str, bytes]:
    """Every chart's PNG by its name in the pack's ZIP (see :func:`charts.pack.png_names`): read
    from ``zip_bytes`` when given (the pack's ZIP, drawn at the slide size), else drawn now."""
    if zip_bytes is not None:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    pictures = {}
    for measure, (pooled, signals) in zip(
        pack.network.measures if pack.network else (), network_png_names(pack)
    ):
        if measure.pooled is not None:
            pictures[pooled] = render_spc(measure.pooled, "png", size)
        pictures[signals] = render_signal_counts(measure.signals, "png", size)
    for team, names in zip(pack.teams, png_names(pack), strict=True):
        for name, chart in zip(names, team.charts, strict=True):
            pictures[name] = render_spc(chart, "png", size)
    return pictures


# --- the slides ---------------------------------------------------------------------------


def _widen_template(prs) -> None:
    """Stretch the 4:3 template's master and layouts to the 16:9 slide, so that the slides a
    facilitator adds fit it too."""
    factor = SLIDE_W / TEMPLATE_W
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    for owner in (prs.slide_master, *prs.slide_layouts):
        for shape in owner.shapes:
            if shape.left is not None and shape.width is not None:
                shape.left, shape.width = Emu(int(shape.left * factor)), Emu(int(shape.width * factor))


def _box(slide, box, text: str, size: float, *, bold: bool = False):
    left, top, width, height = box
    shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for k, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        para.text = line
        para.font.size = Pt(size)
        para.font.bold = bold
    return shape


def _title(slide, text: str) -> None:
    title = slide.shapes.title
    title.text = text
    title.left, title.top, title.width, title.height = Inches(0.3), Inches(0.2), Inches(12.7), Inches(0.9)
    frame = title.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for para in frame.paragraphs:
        para.font.size = Pt(28)


def _notes(slide, *parts: str) -> None:
    slide.notes_slide.notes_text_frame.text = "\n\n".join(p for p in parts if p)


def _chart_slide(
    prs,
    title: str,
    picture: bytes | None,
    reading: str,
    notes: Sequence[str],
    pack: PackData,
    below: str = "",
) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _title(slide, title)
    if picture is not None:
        left, top, width = PICTURE
        slide.shapes.add_picture(io.BytesIO(picture), left, top, width=width)
    if reading:
        _box(slide, READING, f"{pack.text.reading}\n{reading}", 14)
        # the heading bold, the reading plain
        slide.shapes[-1].text_frame.paragraphs[0].font.bold = True
    if below:
        _box(slide, BELOW, below, 12)
    _notes(slide, *notes)


def _cover(prs, pack: PackData) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_SLIDE])
    slide.shapes.title.text = pack.title
    lines = [pack.subtitle, pack.date_text, pack.text.teams_count.format(n=len(pack.teams))]
    slide.placeholders[1].text = "\n".join(line for line in lines if line)


def _contents(prs, pack: PackData) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_AND_CONTENT])
    _title(slide, pack.text.contents)
    entries = []
    if pack.network is not None and pack.network.measures:
        entries.append(pack.network.name)
    if pack.matrix is not None:
        entries.append(pack.text.summary)
    entries += [team.name for team in pack.teams]
    body = slide.placeholders[1]
    body.left, body.top, body.width, body.height = Inches(0.5), Inches(1.3), Inches(12.3), Inches(5.8)
    frame = body.text_frame
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for k, entry in enumerate(entries):
        para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        para.text = entry
        para.font.size = Pt(20 if len(entries) <= 12 else max(10, 20 * 12 / len(entries)))


def _network(prs, pack: PackData, pictures: Mapping[str, bytes], text: SlideText) -> None:
    section = pack.network
    if section is None:
        return
    for measure, (pooled_name, signals_name) in zip(section.measures, network_png_names(pack), strict=True):
        name = measure.name or measure.signals.text.title
        if measure.pooled is not None:
            reading = measure.pooled.text.alt_description
            _chart_slide(
                prs,
                f"{section.name}: {measure.pooled.text.title or name}",
                pictures.get(pooled_name),
                reading,
                (section.subtitle, reading, f"{text.numbers}:\n{spc_numbers(measure.pooled, text)}"),
                pack,
            )
        reading = measure.signals.text.alt_description
        _chart_slide(
            prs,
            f"{section.name}: {measure.signals.text.title or name}",
            pictures.get(signals_name),
            reading,
            (section.subtitle, reading, f"{text.numbers}:\n{signal_numbers(measure.signals)}"),
            pack,
        )


def _summary(prs, pack: PackData) -> None:
    matrix = pack.matrix
    if matrix is None:
        return
    pages = max(1, math.ceil(len(matrix.teams) / MATRIX_ROWS_PER_PAGE))
    for k in range(pages):
        rows = slice(k * MATRIX_ROWS_PER_PAGE, (k + 1) * MATRIX_ROWS_PER_PAGE)
        part = replace(matrix, teams=matrix.teams[rows], cells=matrix.cells[rows])
        slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
        _title(slide, pack.text.summary if pages == 1 else f"{pack.text.summary} ({k + 1}/{pages})")
        # the matrix is a page of its own: the whole width, below the title
        picture = render_matrix(part, "png", "slide")
        slide.shapes.add_picture(io.BytesIO(picture), Inches(1.1), Inches(1.15), height=Inches(6.2))
        _notes(slide, matrix.text.subtitle, _matrix_words(part))


def _teams(prs, pack: PackData, pictures: Mapping[str, bytes], text: SlideText) -> None:
    t = pack.text
    for team, names in zip(pack.teams, png_names(pack), strict=True):
        happened = f"{t.interventions}: " + (
            " · ".join(team.interventions) if team.interventions else t.no_interventions
        )
        if not team.charts:
            _chart_slide(prs, team.name, None, "", (team.subtitle, happened), pack, below=happened)
        for j, (chart, name) in enumerate(zip(team.charts, names, strict=True)):
            reading = chart.text.alt_description
            _chart_slide(
                prs,
                f"{team.name}: {chart.text.title}" if chart.text.title else team.name,
                pictures.get(name),
                reading,
                (team.subtitle, reading, f"{text.numbers}:\n{spc_numbers(chart, text)}", happened),
                pack,
                below=happened if j == 0 else "",
            )


def _deterministic(data: bytes) -> bytes:
    """The package again, its parts in the same order with a fixed timestamp."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = (
                zipfile.ZIP_STORED if item.filename.endswith(".png") else zipfile.ZIP_DEFLATED
            )
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def render_pack_pptx(
    pack: PackData, text: SlideText = SlideText(), pictures: Mapping[str, bytes] | None = None
) -> bytes:
    """The pack as a 16:9 presentation: cover, contents, the network's charts, the summary and a
    slide per team chart (in the PDF's order), each chart's reading and numbers in its notes.

    ``pictures`` are the charts' PNGs by their names in the pack's ZIP (:func:`pack_pictures`;
    drawn at the slide size when not given).
    """
    if pictures is None:
        pictures = pack_pictures(pack)
    prs = Presentation()
    _widen_template(prs)
    props = prs.core_properties
    props.title, props.subject = pack.title, pack.subtitle
    props.author = props.last_modified_by = "learnnet"
    props.revision = 1
    # no dates: the same data gives the same bytes
    for child in list(props._element):
        if child.tag.endswith(("}created", "}modified", "}lastPrinted")):
            props._element.remove(child)
    _cover(prs, pack)
    _contents(prs, pack)
    _network(prs, pack, pictures, text)
    _summary(prs, pack)
    _teams(prs, pack, pictures, text)
    buf = io.BytesIO()
    prs.save(buf)
    return _deterministic(buf.getvalue())
