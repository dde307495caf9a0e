"""The learning-session pack: one multi-page A4-landscape PDF (cover, contents, the network seen
as one — per measure a page with the pooled chart and a page with the count of teams with a
signal —, summary matrix, then each team's charts, one a page, with its short reading and the
team's changes tested in the period beside it) and the same charts as PNGs in a ZIP.

The pages are made to be projected unedited: text on a chart page is at least
:data:`PROJECTED_MIN_PT` points when the page fills a 1920 × 1080 screen (:func:`projected_pt`).

Both are deterministic: the PDF is written by one process, page after page, with no dates
in its metadata; the ZIP has fixed timestamps and a fixed order. :func:`render_pack` makes
both at once on several cores: the PDF in one worker process while the others render the
PNGs, team by team (matplotlib is single-threaded, so processes, not threads).
"""

from __future__ import annotations

import io
import math
import multiprocessing
import queue
import unicodedata
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from charts import page, render, style
from charts.matrix import SummaryMatrixData, draw_matrix
from charts.signals import SignalCountsData, draw_signal_counts, render_signal_counts
from charts.spc import SpcFigureData, draw_spc, render_spc
from charts.text import Measurer


@dataclass(frozen=True)
class TeamSection:
    """One team's part of the pack. Each chart's ``text.alt_description`` is its reading;
    ``interventions`` are short lines the app formats (e.g. "mars 2026: Nutrition bundle");
    ``chart_names`` a short name per chart for its PNG in the ZIP (default: the chart's title);
    ``note`` the facilitator's plain text ("what we learned"), a page of its own after the charts."""

    name: str
    subtitle: str = ""
    charts: tuple[SpcFigureData, ...] = ()
    interventions: tuple[str, ...] = ()
    chart_names: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class NetworkMeasure:
    """One measure of the network as one: its pooled chart (None when there is nothing to draw)
    and the count of teams with a signal; ``name`` a short name for its PNGs."""

    signals: SignalCountsData
    pooled: SpcFigureData | None = None
    name: str = ""


@dataclass(frozen=True)
class NetworkSection:
    """The network's pages, before the teams' pages: a page per measure."""

    name: str
    subtitle: str = ""
    measures: tuple[NetworkMeasure, ...] = ()


@dataclass(frozen=True)
class PackText:
    contents: str = "Contents"
    summary: str = "Summary"
    reading: str = "Reading"
    interventions: str = "Recent interventions"
    no_interventions: str = "None recorded"
    no_reading: str = ""
    page: str = "Page {page} of {pages}"
    teams_count: str = "{n} teams"
    note: str = "What we learned"


@dataclass(frozen=True)
class PackData:
    title: str
    teams: tuple[TeamSection, ...]
    subtitle: str = ""  # the network
    date_text: str = ""  # "Learning session 3 · 12 March 2026"
    footer: str = ""  # on every page, e.g. "learnnet · USHT Vestfold"
    matrix: SummaryMatrixData | None = None
    text: PackText = field(default_factory=PackText)
    network: NetworkSection | None = None


@dataclass(frozen=True)
class PackFiles:
    pdf: bytes
    zip: bytes


PAGE = style.SIZES["a4"]
# The pack is projected: a chart a page, its text as large as on a slide.
CHARTS_PER_PAGE = 1
MATRIX_ROWS_PER_PAGE = 22
# The smallest text a chart may have when projected (tick labels), in points at projection size.
PROJECTED_MIN_PT = 14.0


def projected_pt(pt: float, page_size: style.Size = PAGE, screen: style.Size = style.SIZES["slide"]) -> float:
    """A font size of a page, in points as it shows when the page fills ``screen``.

    Projection size is the 1920 × 1080 slide (:data:`style.SIZES` "slide": 13.33 × 7.5 in at
    144 dpi, where the slide PNGs' tick labels are 17 pt). An A4-landscape page (11.69 × 8.27 in)
    shown full screen fits the screen's height, so it is drawn at 7.5 / 8.27 ≈ 0.91 of its size:
    ``pt × min(screen width / page width, screen height / page height)``.
    """
    return pt * min(screen.width / page_size.width, screen.height / page_size.height)


# Chart text relative to the a4 size's base, so that tick labels are PROJECTED_MIN_PT when projected.
CHART_SCALE = math.ceil(PROJECTED_MIN_PT / projected_pt(PAGE.pt("tick")) * 100) / 100


def _team_pages(team: TeamSection) -> int:
    return max(1, math.ceil(len(team.charts) / CHARTS_PER_PAGE))


def _note_pages(team: TeamSection) -> int:
    return 1 if team.note.strip() else 0


def _matrix_pages(pack: PackData) -> int:
    if pack.matrix is None:
        return 0
    return max(1, math.ceil(len(pack.matrix.teams) / MATRIX_ROWS_PER_PAGE))


def _network_slides(pack: PackData) -> list[tuple[NetworkMeasure, SpcFigureData | SignalCountsData]]:
    """The network's charts a page each: per measure its pooled chart (when there is one), then
    its teams with a signal."""
    if pack.network is None:
        return []
    slides: list[tuple[NetworkMeasure, SpcFigureData | SignalCountsData]] = []
    for measure in pack.network.measures:
        if measure.pooled is not None:
            slides.append((measure, measure.pooled))
        slides.append((measure, measure.signals))
    return slides


def _network_pages(pack: PackData) -> int:
    return len(_network_slides(pack))


@dataclass(frozen=True)
class _Plan:
    pages: int
    matrix_first: int
    team_first: tuple[int, ...]
    network_first: int = 3


def _plan(pack: PackData) -> _Plan:
    n = 2  # cover, contents
    network_first = n + 1
    n += _network_pages(pack)
    matrix_first = n + 1
    n += _matrix_pages(pack)
    firsts = []
    for team in pack.teams:
        firsts.append(n + 1)
        n += _team_pages(team) + _note_pages(team)
    return _Plan(n, matrix_first, tuple(firsts), network_first)


# --- PDF ---------------------------------------------------------------------------------


# Told ``(done, total)`` after each page of the PDF and each PNG: how far a build has come.
Progress = Callable[[int, int], None]


def drawing_steps(pack: PackData) -> int:
    """What :func:`render_pack` reports progress in: the PDF's pages and the ZIP's PNGs."""
    network_pngs = sum(2 if m.pooled is not None else 1 for m in pack.network.measures) if pack.network else 0
    return _plan(pack).pages + network_pngs + sum(len(team.charts) for team in pack.teams)


def render_pack_pdf(pack: PackData, progress: Callable[[], None] | None = None) -> bytes:
    """The pack as one A4-landscape PDF (deterministic bytes); ``progress()`` after each page."""
    plan = _plan(pack)
    buf = io.BytesIO()
    md = render.metadata("pdf", render.AltText(pack.title, pack.subtitle))
    with render.context(PAGE), PdfPages(buf, metadata=md) as pdf:
        for fig in _pages(pack, plan):
            pdf.savefig(fig)
            _tell(progress)
    return buf.getvalue()


def _pages(pack: PackData, plan: _Plan):
    yield _cover(pack, plan)
    yield _contents(pack, plan)
    pageno = 3
    for _measure, chart in _network_slides(pack):
        yield _network_page(pack, plan, pack.network, chart, pageno)
        pageno += 1
    if pack.matrix is not None:
        for k in range(_matrix_pages(pack)):
            rows = slice(k * MATRIX_ROWS_PER_PAGE, (k + 1) * MATRIX_ROWS_PER_PAGE)
            part = replace(pack.matrix, teams=pack.matrix.teams[rows], cells=pack.matrix.cells[rows])
            fig, m = _new_page(pack, plan, pageno)
            draw_matrix(fig, part, PAGE, (0, 0.45, PAGE.width, PAGE.height - 0.45))
            pageno += 1
            yield fig
    for team in pack.teams:
        for k in range(_team_pages(team)):
            yield _team_page(pack, plan, team, k, pageno)
            pageno += 1
        if _note_pages(team):
            yield _note_page(pack, plan, team, pageno)
            pageno += 1


def _new_page(pack: PackData, plan: _Plan, pageno: int) -> tuple[Figure, Measurer]:
    fig = render.new_figure(PAGE)
    m = Measurer(fig)
    L = m.line_height(PAGE.base_pt)
    pt = PAGE.pt("footnote")
    y = 0.45 * L
    if pack.footer:
        page.put(fig, 0.45 * L, y, pack.footer, pt, color=style.MUTED, va="baseline")
    page.put(
        fig,
        PAGE.width - 0.45 * L,
        y,
        pack.text.page.format(page=pageno, pages=plan.pages),
        pt,
        color=style.MUTED,
        ha="right",
        va="baseline",
    )
    return fig, m


def _cover(pack: PackData, plan: _Plan) -> Figure:
    fig, m = _new_page(pack, plan, 1)
    x, w = 1.0, PAGE.width - 2.0
    fig.add_artist(Line2D([x / PAGE.width, (x + 1.2) / PAGE.width], [0.66, 0.66], color=style.BLUE, lw=6))
    top = PAGE.height * 0.62
    top = page.paragraph(fig, m, x, top, w, pack.title, PAGE.base_pt * 2.6, weight="bold", color=style.INK)
    top -= 0.2
    if pack.subtitle:
        top = page.paragraph(fig, m, x, top, w, pack.subtitle, PAGE.base_pt * 1.6, color=style.TEXT)
    if pack.date_text:
        top = page.paragraph(fig, m, x, top - 0.1, w, pack.date_text, PAGE.base_pt * 1.3, color=style.MUTED)
    page.paragraph(
        fig,
        m,
        x,
        top - 0.3,
        w,
        pack.text.teams_count.format(n=len(pack.teams)),
        PAGE.base_pt * 1.1,
        color=style.MUTED,
    )
    return fig


def _contents(pack: PackData, plan: _Plan) -> Figure:
    fig, m = _new_page(pack, plan, 2)
    L = m.line_height(PAGE.base_pt)
    x0 = 0.45 * L + 0.3
    top = page.heading(fig, m, PAGE, x0, PAGE.height - 0.5, PAGE.width - 2 * x0, pack.text.contents) - 0.3
    entries = []
    if pack.network is not None and pack.network.measures:
        entries.append((pack.network.name, plan.network_first, True))
    if pack.matrix is not None:
        entries.append((pack.text.summary, plan.matrix_first, True))
    entries += [(t.name, first, False) for t, first in zip(pack.teams, plan.team_first, strict=True)]
    pt = PAGE.pt("body")
    lh = m.line_height(pt) * 1.35
    per_col = max(1, int((top - 0.8) / lh))
    cols = max(1, math.ceil(len(entries) / per_col))
    if cols > 3:  # many teams: smaller text rather than entries off the page
        pt *= 3 / cols
        lh = m.line_height(pt) * 1.35
        per_col = max(1, int((top - 0.8) / lh))
        cols = max(1, math.ceil(len(entries) / per_col))
    col_w = min((PAGE.width - 2 * x0) / cols, 5.5)
    for k, (name, pno, bold) in enumerate(entries):
        c, r = divmod(k, per_col)
        x = x0 + c * col_w
        y = top - r * lh
        num = str(pno)
        name = m.truncate(name, pt, col_w - m.width(num, pt) - 1.0, "bold" if bold else "normal")
        page.put(fig, x, y, name, pt, weight="bold" if bold else "normal", va="top")
        page.put(fig, x + col_w - 0.5, y, num, pt, ha="right", va="top", color=style.MUTED)
    return fig


def _side_pt() -> float:
    """The text beside a chart: as large as the chart's own."""
    return PAGE.base_pt * CHART_SCALE


def _reading_beside(
    fig: Figure,
    m: Measurer,
    pack: PackData,
    x: float,
    top: float,
    w: float,
    bottom: float,
    text: str,
    interventions: tuple[str, ...] | None = None,
) -> None:
    """A chart's reading in the column beside it, from ``top`` down to ``bottom``; on a team's page
    the changes tested in the period below it."""
    pt = _side_pt()
    lh = m.line_height(pt) * 1.12
    y = page.paragraph(fig, m, x, top, w, pack.text.reading, pt, weight="bold", color=style.INK)
    lines = len(m.wrap(text or pack.text.no_reading, pt, w)) or 1
    room = int((y - bottom) / lh)
    if interventions is not None:
        room -= 3  # the heading and a line of the changes at least
    text = text or pack.text.no_reading
    y = page.paragraph(fig, m, x, y - 0.05, w, text, pt, max_lines=max(1, min(lines, room)))
    if interventions is None:
        return
    y -= 0.5 * lh
    y = page.paragraph(fig, m, x, y, w, pack.text.interventions, pt, weight="bold", color=style.INK)
    items = interventions or (pack.text.no_interventions,)
    small = pt * 0.9
    for item in items:
        left = int((y - bottom) / (m.line_height(small) * 1.12))
        if left < 1:
            break
        y = page.paragraph(fig, m, x, y - 0.05, w, f"– {item}", small, max_lines=left, color=style.TEXT)


def _chart_page(pack: PackData, plan: _Plan, pageno: int, title: str, subtitle: str):
    """A page with its heading: the figure, its measurer and the chart's and the column's boxes."""
    fig, m = _new_page(pack, plan, pageno)
    W, H = PAGE.width, PAGE.height
    L = m.line_height(PAGE.base_pt)
    pad = 0.45 * L
    top = page.heading(fig, m, PAGE, pad, H - pad * 0.8, W - 2 * pad, title, subtitle) - 0.1
    bottom = 0.45 * L + m.line_height(PAGE.pt("footnote")) + 0.1
    chart_w = W * 0.7
    chart = (0.0, bottom, chart_w, top - bottom)
    column = (chart_w + 0.1, bottom, W - chart_w - 0.1 - pad, top - bottom)
    return fig, m, chart, column


def _network_page(
    pack: PackData, plan: _Plan, section: NetworkSection, chart: SpcFigureData | SignalCountsData, pageno: int
) -> Figure:
    """One chart of the network as one (a measure's pooled chart, or its teams with a signal), with
    its reading beside it."""
    fig, m, box, (rx, rb, rw, rh) = _chart_page(pack, plan, pageno, section.name, section.subtitle)
    csz = replace(PAGE, base_pt=PAGE.base_pt * CHART_SCALE)
    if isinstance(chart, SpcFigureData):
        draw_spc(fig, chart, csz, box)
    else:
        draw_signal_counts(fig, chart, csz, box)
    _reading_beside(fig, m, pack, rx, rb + rh - 0.2, rw, rb, chart.text.alt_description)
    return fig


def _team_page(pack: PackData, plan: _Plan, team: TeamSection, k: int, pageno: int) -> Figure:
    """One of a team's charts, its reading and the team's changes tested in the period beside it."""
    n = _team_pages(team)
    title = team.name if n == 1 else f"{team.name} ({k + 1}/{n})"
    fig, m, box, (rx, rb, rw, rh) = _chart_page(pack, plan, pageno, title, team.subtitle)
    csz = replace(PAGE, base_pt=PAGE.base_pt * CHART_SCALE)
    charts = team.charts[k * CHARTS_PER_PAGE : (k + 1) * CHARTS_PER_PAGE]
    slot_h = box[3] / max(len(charts), 1)
    for j, chart in enumerate(charts):
        y0 = box[1] + box[3] - (j + 1) * slot_h
        draw_spc(fig, chart, csz, (box[0], y0, box[2], slot_h))
    text = " ".join(c.text.alt_description for c in charts)
    _reading_beside(fig, m, pack, rx, rb + rh - 0.2, rw, rb, text, team.interventions)
    return fig


def _note_page(pack: PackData, plan: _Plan, team: TeamSection, pageno: int) -> Figure:
    """The facilitator's text for the team ("what we learned"), after the team's charts: plain
    paragraphs as typed, a blank line between them."""
    fig, m = _new_page(pack, plan, pageno)
    W, H = PAGE.width, PAGE.height
    L = m.line_height(PAGE.base_pt)
    pad = 0.45 * L
    top = page.heading(fig, m, PAGE, pad, H - pad * 0.8, W - 2 * pad, team.name, pack.text.note) - 0.2
    pt = PAGE.pt("body")
    lh = m.line_height(pt) * 1.12
    bottom = 0.45 * L + m.line_height(PAGE.pt("footnote")) + 0.2
    for line in team.note.strip().splitlines():
        if top - lh < bottom:
            break
        if not line.strip():
            top -= 0.5 * lh
            continue
        top = page.paragraph(
            fig,
            m,
            pad + 0.3,
            top,
            W - 2 * pad - 0.6,
            line.strip(),
            pt,
            max_lines=max(1, int((top - bottom) / lh)),
            color=style.TEXT,
        )
    return fig


# --- PNG ZIP -----------------------------------------------------------------------------

_FOLD = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})


def slug(s: str, max_len: int = 48) -> str:
    """A file-name-safe ASCII version of a name ("Tjøme omsorgssenter" → "tjome-omsorgssenter"),
    cut after a whole word when it is longer than ``max_len``."""
    out = []
    for c in unicodedata.normalize("NFKD", s.translate(_FOLD)):
        if c.isascii() and c.isalnum():
            out.append(c.lower())
        elif not (unicodedata.combining(c) or c.isalnum()):  # "2026–27" keeps its dash
            out.append("-")
    text = "-".join(part for part in "".join(out).split("-") if part)
    if len(text) > max_len:
        cut = text.rfind("-", 0, max_len + 1)
        text = text[:cut] if cut > max_len // 2 else text[:max_len].rstrip("-")
    return text or "chart"


def _stems(labels: Sequence[str], max_len: int) -> list[str]:
    """A file-name stem per label, no two alike: labels whose short stems clash get longer
    ones ("…-vitale-tegn-news2-ved-innkomst"), and any still alike a number ("fall", "fall-2")."""
    short = [slug(label, max_len) for label in labels]
    counts = Counter(short)
    stems = [slug(label, 2 * max_len) if counts[stem] > 1 else stem for label, stem in zip(labels, short)]
    seen: set[str] = set()
    out = []
    for stem in stems:
        name, n = stem, 1
        while name in seen:
            n += 1
            name = f"{stem}-{n}"
        seen.add(name)
        out.append(name)
    return out


def png_names(pack: PackData) -> tuple[tuple[str, ...], ...]:
    """Each team's PNG file names in the ZIP, as "01-team/01-measure.png": the team's and the
    chart's short names (see :class:`TeamSection`), no two alike even without their numbers."""
    folders = _stems([team.name for team in pack.teams], 48)
    names = []
    for k, (folder, team) in enumerate(zip(folders, pack.teams, strict=True)):
        labels = [
            team.chart_names[j] if j < len(team.chart_names) and team.chart_names[j] else c.text.title
            for j, c in enumerate(team.charts)
        ]
        stems = _stems(labels, 40)
        names.append(tuple(f"{k + 1:02d}-{folder}/{j + 1:02d}-{stem}.png" for j, stem in enumerate(stems)))
    return tuple(names)


def _team_pngs(
    team: TeamSection, names: Sequence[str], size: str, progress: Callable[[], None] | None = None
) -> list[tuple[str, bytes]]:
    files = []
    for name, chart in zip(names, team.charts, strict=True):
        files.append((name, render_spc(chart, "png", size)))
        _tell(progress)
    return files


def network_png_names(pack: PackData) -> tuple[tuple[str, str], ...]:
    """The network's PNG file names in the ZIP, before the teams' folders: per measure, its pooled
    chart and its teams with a signal, as "00-network/01-measure.png" and "…-signals.png"."""
    if pack.network is None:
        return ()
    folder = f"00-{slug(pack.network.name, 48)}"
    measures = pack.network.measures
    stems = _stems([nm.name or nm.signals.text.title for nm in measures], 40)
    return tuple(
        (f"{folder}/{j + 1:02d}-{stem}.png", f"{folder}/{j + 1:02d}-{stem}-signals.png")
        for j, stem in enumerate(stems)
    )


def _network_pngs(
    pack: PackData, size: str, progress: Callable[[], None] | None = None
) -> list[tuple[str, bytes]]:
    files = []
    for measure, (pooled, signals) in zip(
        pack.network.measures if pack.network else (), network_png_names(pack)
    ):
        if measure.pooled is not None:
            files.append((pooled, render_spc(measure.pooled, "png", size)))
            _tell(progress)
        files.append((signals, render_signal_counts(measure.signals, "png", size)))
        _tell(progress)
    return files


def _zip(files: Sequence[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)  # PNGs are compressed already: stored, not deflated
    return buf.getvalue()


def render_pack_zip(pack: PackData, size: str = "slide", progress: Callable[[], None] | None = None) -> bytes:
    """The network's and every team's charts as PNGs in a ZIP (one folder each), in one process;
    ``progress()`` after each PNG."""
    files = _network_pngs(pack, size, progress) + [
        f
        for team, names in zip(pack.teams, png_names(pack), strict=True)
        for f in _team_pngs(team, names, size, progress)
    ]
    return _zip(files)


def _tell(progress: Callable[[], None] | None) -> None:
    if progress is not None:
        progress()
    elif _STEPS is not None:  # in a worker process of render_pack
        _STEPS.put(1)


# In a worker process of render_pack: where it tells each step done.
_STEPS = None


def _tell_steps_to(steps) -> None:
    global _STEPS
    _STEPS = steps


def render_pack(
    pack: PackData,
    *,
    workers: int | None = None,
    png_size: str = "slide",
    mp_context: str = "spawn",
    progress: Progress | None = None,
) -> PackFiles:
    """The PDF and the PNG ZIP, rendered in ``workers`` processes (default: all CPUs), telling
    ``progress(done, total)`` after each of the :func:`drawing_steps` (a page, a PNG).

    "spawn" is the safe default inside a threaded web server (forking a process that holds
    other threads' locks can deadlock); a CLI may pass "fork" to save start-up time.
    """
    workers = workers or multiprocessing.cpu_count()
    total = drawing_steps(pack)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)

    if workers <= 1:
        return PackFiles(render_pack_pdf(pack, step), render_pack_zip(pack, png_size, step))
    ctx = multiprocessing.get_context(mp_context)
    steps = ctx.Queue()
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_tell_steps_to, initargs=(steps,)
    ) as ex:
        # the PDF, by far the largest job, first; the teams' PNGs fill the other worker
        # and then every worker, so the pool finishes together
        pdf_future = ex.submit(render_pack_pdf, pack)
        png_futures = [ex.submit(_network_pngs, pack, png_size)] + [
            ex.submit(_team_pngs, team, team_names, png_size)
            for team, team_names in zip(pack.teams, png_names(pack), strict=True)
        ]
        futures = [pdf_future, *png_futures]
        while True:
            try:
                steps.get(timeout=0.1)
            except queue.Empty:
                if all(f.done() for f in futures):
                    break
                continue
            step()
        files = [f for fut in png_futures for f in fut.result()]
        return PackFiles(pdf_future.result(), _zip(files))
