"""The learning-session pack: the network seen as one (each measure's pooled chart and the count of
teams with a signal), then every team's charts, with the data up to the month before the session,
as one PDF, a ZIP of PNGs and a PowerPoint presentation, built in the background.

A build is a job (:data:`JOB`, see :mod:`learnnet.jobs`): its whole state is its
:class:`SessionPack` row (status, progress, files), so the page that polls it may be served by any
worker on any server, and a thread of the web process or a worker may build it.

The pack is reproducible: everything drawn comes from the database in a fixed order, no clock
time is drawn or written into the files, and ``charts`` renders deterministically — so the same
data gives the same bytes, and :func:`content_hash` names that data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from charts.matrix import MatrixCell, MatrixText, SummaryMatrixData
from charts.pack import (
    NetworkMeasure,
    NetworkSection,
    PackData,
    PackFiles,
    PackText,
    TeamSection,
    render_pack,
    slug,
)
from charts.render import drawing_version
from charts.slides import SlideText, pack_pictures, render_pack_pptx
from learnnet import clock, jobs
from learnnet.analysis import analyse_team_measure
from learnnet.analysis.chartdata import figure_data
from learnnet.extensions import db
from learnnet.i18n import month_name, number
from learnnet.measurements.periods import month_start
from learnnet.models import JobState, LearningSession, SessionPack, User
from learnnet.networks.figures import pooled_figure, signals_figure
from learnnet.networks.services import cell_of, data_until, pooled_chart, session_heading, signal_counts
from learnnet.suppression import Suppression

__all__ = ["JOB", "build", "content_hash", "data_until", "pack_data", "request_pack"]

# The pack is for the people who run the network, who see every team in full.
NO_SUPPRESSION = Suppression(threshold=0, open_team_ids=None)


# --- what the pack shows --------------------------------------------------------------------


def _matrix_variation(code: str | None, direction: str) -> str | None:
    if code in ("improvement", "concern"):
        better_high = direction == "up"
        high = better_high if code == "improvement" else not better_high
        return f"{code}_{'high' if high else 'low'}"
    if code == "common":
        return "common"
    return None


def _value_text(measure, value: float | None) -> str:
    if value is None:
        return ""
    text = number(value, 0 if measure.unit_label == "%" else 1)
    return f"{text} %" if measure.unit_label == "%" else text


def _interventions(team, first: dt.date, last: dt.date) -> tuple[str, ...]:
    """Interventions started since the previous session, as "month: label" lines."""
    found = sorted(
        (i for i in team.interventions if first <= month_start(i.start_date) <= last),
        key=lambda i: (i.start_date, i.id),
    )
    return tuple(f"{month_name(i.start_date)}: {i.label}" for i in found)


def _network_section(network, until: dt.date) -> NetworkSection:
    """The network as one: a page per measure, its pooled chart above its teams with a signal."""
    measures = []
    for measure in network.measures:
        pooled = pooled_chart(network, measure, NO_SUPPRESSION, until)
        signals = signal_counts(
            network, measure, NO_SUPPRESSION, until, periods=pooled.analysis.series.periods
        )
        measures.append(
            NetworkMeasure(
                signals_figure(signals), pooled_figure(pooled, NO_SUPPRESSION.threshold), measure.label
            )
        )
    return NetworkSection(
        name=_("The network as one"),
        subtitle=_("%(network)s: every team pooled, and how many teams show a signal", network=network.name),
        measures=tuple(measures),
    )


def pack_data(session: LearningSession) -> PackData:
    """Everything the pack draws, in the current locale; teams by name, measures in order."""
    network = session.network
    until = data_until(session)
    earlier = [s for s in network.sessions if s.number < session.number]
    since = data_until(earlier[-1]) if earlier else month_start(network.start_date)
    teams = sorted(network.teams, key=lambda t: (t.name, t.id))
    measures = list(network.measures)
    sections = []
    rows = []
    for team in teams:
        charts = []
        chart_names = []
        cells = []
        for measure in measures:
            analysis = analyse_team_measure(team, measure, until)
            cell = cell_of(team, measure, analysis, NO_SUPPRESSION)
            cells.append(
                MatrixCell(
                    _matrix_variation(cell.variation, measure.direction),
                    cell.assurance,
                    _value_text(measure, cell.value),
                )
            )
            data = figure_data(analysis)
            if data is not None:
                charts.append(data)
                chart_names.append(measure.label)
        rows.append(tuple(cells))
        sections.append(
            TeamSection(
                name=team.name,
                subtitle=f"{team.unit.name} · {team.unit.municipality.name}",
                charts=tuple(charts),
                interventions=_interventions(team, since, until),
                chart_names=tuple(chart_names),
            )
        )
    matrix = (
        SummaryMatrixData(
            teams=tuple(t.name for t in teams),
            measures=tuple(m.label for m in measures),
            cells=tuple(rows),
            text=MatrixText(
                title=_("Summary"),
                subtitle=_("Data up to and including %(month)s", month=month_name(until)),
                team_heading=_("Team"),
                variation_heading=_("Variation"),
                assurance_heading=_("Assurance"),
                missing=_("Not enough data"),
                legend={
                    "common": _("Common cause"),
                    "improvement_high": _("Improvement (higher)"),
                    "improvement_low": _("Improvement (lower)"),
                    "concern_high": _("Concern (higher)"),
                    "concern_low": _("Concern (lower)"),
                    "neutral_high": _("Special cause (higher)"),
                    "neutral_low": _("Special cause (lower)"),
                    "pass": _("Meets the target"),
                    "fail": _("Misses the target"),
                    "hit_and_miss": _("Hit and miss"),
                },
            ),
        )
        if teams and measures
        else None
    )
    return PackData(
        title=session_heading(session, current_app.config["LANGUAGES"]),
        subtitle=network.name,
        date_text=_(
            "%(date)s · data up to and including %(month)s",
            date=session.date.strftime("%d.%m.%Y"),
            month=month_name(until),
        ),
        footer=f"learnnet · {network.region.name} · {network.name}",
        teams=tuple(sections),
        matrix=matrix,
        network=_network_section(network, until) if measures else None,
        text=PackText(
            contents=_("Contents"),
            summary=_("Summary"),
            reading=_("Reading"),
            interventions=_("Interventions since the last learning session"),
            no_interventions=_("None recorded"),
            no_reading="",
            page=_("Page %(page)s of %(pages)s", page="{page}", pages="{pages}"),
            teams_count=_("%(count)s teams", count="{n}"),
        ),
    )


def slide_text() -> SlideText:
    """The presentation's own words, in the current locale."""
    return SlideText(
        numbers=_("The numbers"),
        centre_line=_("Centre line"),
        limits=_("Limits"),
        target=_("Target"),
        no_value=_("no value"),
    )


def content_hash(data: PackData) -> str:
    """A hash of everything drawn (the frozen data objects' repr is stable) and of how it is drawn
    (a pack made before an upgrade of the charts is not reused after it)."""
    return hashlib.sha256(f"{drawing_version()}\n{data!r}".encode()).hexdigest()


# --- building --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackFileNames:
    pdf: str
    zip: str
    pptx: str = ""


def file_names(pack: SessionPack) -> PackFileNames:
    stem = f"{slug(pack.session.network.name)}-samling-{pack.session.number}-{pack.data_until:%Y-%m}"
    return PackFileNames(f"{stem}.pdf", f"{stem}-png.zip", f"{stem}.pptx")


def request_pack(session: LearningSession, user: User, language: str) -> SessionPack:
    pack = SessionPack(
        session_id=session.id,
        status=JobState.QUEUED,
        progress=0,
        step="queued",
        language=language if language in ("nb", "en") else "nb",
        data_until=data_until(session),
        created_by_id=user.id,
        error="",
    )
    db.session.add(pack)
    db.session.flush()
    return pack


def build(
    pack: SessionPack, report: jobs.Reporter, *, reuse: bool = True, workers: int | None = None
) -> JobState:
    """Build the pack's files and store them on the row, reporting progress as it goes."""
    report(step="collecting", progress=5, started_at=clock.now())
    with force_locale(pack.language):
        data = pack_data(pack.session)
        words = slide_text()
    digest = content_hash(data)
    files = _files_made_before(pack, digest) if reuse else None
    # The report commits: no transaction is held while drawing (on SQLite it would keep every
    # other request waiting).
    report(step="drawing", progress=40, content_hash=digest)
    if files is None:
        files = render_pack(data, workers=workers or current_app.config.get("PACK_WORKERS") or 1)
    # the slides show the ZIP's pictures, drawn at the slide size
    presentation = render_pack_pptx(data, words, pack_pictures(data, files.zip))
    pack.step, pack.progress = "done", 100
    pack.pdf, pack.png_zip = files.pdf, files.zip
    pack.pdf_size, pack.zip_size = len(files.pdf), len(files.zip)
    pack.pptx, pack.pptx_size = presentation, len(presentation)
    pack.pdf_sha256 = hashlib.sha256(files.pdf).hexdigest()
    pack.finished_at = clock.now()
    return JobState.DONE


def _files_made_before(pack: SessionPack, digest: str) -> PackFiles | None:
    """The files of an earlier pack of the session from the same data, if there is one."""
    earlier = db.session.scalar(
        select(SessionPack)
        .where(
            SessionPack.session_id == pack.session_id,
            SessionPack.status == JobState.DONE,
            SessionPack.content_hash == digest,
            SessionPack.id != pack.id,
        )
        .order_by(SessionPack.id.desc())
    )
    return PackFiles(earlier.pdf, earlier.png_zip) if earlier is not None else None


def _failed(pack: SessionPack, error: Exception) -> None:
    pack.step = "failed"
    pack.error = f"{type(error).__name__}: {error}"[:2000]
    pack.finished_at = clock.now()


JOB = jobs.Kind("pack", SessionPack.status, build, _failed)


def packs_of(session: LearningSession) -> list[SessionPack]:
    return list(
        db.session.scalars(
            select(SessionPack).where(SessionPack.session_id == session.id).order_by(SessionPack.id.desc())
        )
    )
