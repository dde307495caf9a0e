"""The learning-session pack: the network seen as one (each measure's pooled chart and the count of
teams with a signal), then every team's charts, with the data up to the month before the session,
as one PDF, a ZIP of PNGs and a PowerPoint presentation, built in the background.

A build is a job (:data:`JOB`, see :mod:`learnnet.jobs`): its whole state is its
:class:`SessionPack` row (status, progress, files), so the page that polls it may be served by any
worker on any server, and a thread of the web process or a worker may build it.

The facilitator chooses what goes in (:class:`PackChoice`: the teams, the measures and their order,
a text per team); the choice is kept on the row. Asking again for the same content — the same
session, choice and language, and no series drawn changed since (:func:`request_key`) — finds the
pack already made or being made (:func:`existing_pack`) rather than making another.

The pack is reproducible: everything drawn comes from the database in a fixed order, no clock
time is drawn or written into the files, and ``charts`` renders deterministically — so the same
data gives the same bytes, and :func:`content_hash` names that data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

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
from charts.spc import SpcFigureData, with_text
from learnnet import clock, jobs
from learnnet.analysis import analyse_team_measure
from learnnet.analysis.chartdata import figure_data
from learnnet.analysis.readings import brief
from learnnet.analysis.series import all_chart_settings, analysis_key, series_versions
from learnnet.extensions import db
from learnnet.i18n import month_label, month_name, number
from learnnet.measurements.periods import month_start
from learnnet.models import JobState, LearningSession, MeasureDefinition, Network, SessionPack, Team, User
from learnnet.networks.figures import pooled_figure, pooled_reading, signals_figure
from learnnet.networks.services import (
    cell_of,
    data_until,
    latest,
    pooled_chart,
    session_heading,
    signal_counts,
)
from learnnet.suppression import Suppression

__all__ = [
    "JOB",
    "PackChoice",
    "ask_for_pack",
    "build",
    "choice_of",
    "content_hash",
    "data_until",
    "default_choice",
    "existing_pack",
    "latest_missing",
    "pack_data",
    "request_key",
    "request_pack",
]

# The pack is for the people who run the network, who see every team in full.
NO_SUPPRESSION = Suppression(threshold=0, open_team_ids=None)


# --- what goes in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PackChoice:
    """What the facilitator puts in the pack: the teams, in the pack's order; the measures, in the
    order of their pages and charts; a plain text per team ("what we learned"), by team id, for the
    teams that have one."""

    team_ids: tuple[int, ...]
    measure_ids: tuple[int, ...]
    notes: tuple[tuple[int, str], ...] = ()

    def note(self, team_id: int) -> str:
        return dict(self.notes).get(team_id, "")

    def as_json(self) -> dict:
        return {
            "teams": list(self.team_ids),
            "measures": list(self.measure_ids),
            "notes": {str(team_id): text for team_id, text in self.notes},
        }

    @classmethod
    def from_json(cls, data: dict) -> PackChoice:
        notes = sorted((int(k), str(v)) for k, v in (data.get("notes") or {}).items() if str(v).strip())
        return cls(
            tuple(int(t) for t in data.get("teams", ())),
            tuple(int(m) for m in data.get("measures", ())),
            tuple(notes),
        )


def ordered_teams(network: Network) -> list[Team]:
    """The network's teams in the dashboard's order: by name."""
    return sorted(network.teams, key=lambda t: (t.name, t.id))


def default_choice(network: Network) -> PackChoice:
    """Every team and every measure, in the dashboard's order, and no text."""
    return PackChoice(tuple(t.id for t in ordered_teams(network)), tuple(m.id for m in network.measures))


def choice_of(pack: SessionPack) -> PackChoice:
    """What the pack holds; a pack made before there was a choice holds everything."""
    if pack.choice is None:
        return default_choice(pack.session.network)
    return PackChoice.from_json(pack.choice)


@dataclass(frozen=True)
class ChosenContent:
    """A choice as the network's objects: teams and measures that still exist, in the chosen order."""

    teams: tuple[Team, ...]
    measures: tuple[MeasureDefinition, ...]
    notes: dict[int, str]


def chosen(network: Network, choice: PackChoice) -> ChosenContent:
    teams = {t.id: t for t in network.teams}
    measures = {m.id: m for m in network.measures}
    return ChosenContent(
        tuple(teams[i] for i in choice.team_ids if i in teams),
        tuple(measures[i] for i in choice.measure_ids if i in measures),
        dict(choice.notes),
    )


def request_key(session: LearningSession, choice: PackChoice, language: str) -> str:
    """A hash of what a pack is made from: the session, the month its data ends, the choice, the
    language, how charts are drawn, and the version of every series drawn (the chosen measures of
    every team in the network, whose pooled charts the pack shows too). Any save to one of those
    series gives a new key."""
    network = session.network
    until = data_until(session)
    teams = list(network.teams)
    measures = [m for m in network.measures if m.id in set(choice.measure_ids)]
    versions = series_versions((t.id for t in teams), choice.measure_ids)
    settings = all_chart_settings((t.id for t in teams), choice.measure_ids)
    # every chart as its analysis is keyed (data, definition, rule set, chart settings), and what
    # the pages write beside the charts: names, changes tested, the session's own title
    charts = sorted(
        repr(analysis_key(t, m, until, settings.get((t.id, m.id)), versions.get((t.id, m.id), ())))
        for t in teams
        for m in measures
    )
    words = sorted(
        [
            t.id,
            t.name,
            t.unit.name if t.unit else "",
            [
                (i.id, i.title, i.short_label, str(i.start_date), str(i.end_date), repr(_cycles(i)))
                for i in t.interventions
            ],
        ]
        for t in teams
    )
    content = {
        "session": [session.id, session.title, str(session.date), network.name],
        "until": until.isoformat(),
        "language": language,
        "choice": choice.as_json(),
        "drawing": drawing_version(),
        "charts": charts,
        "words": repr(words),
        "measures": [[m.id, m.name, m.short_name, m.unit_label] for m in measures],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _cycles(intervention) -> list:
    return [(c.id, c.number, str(c.start_date)) for c in intervention.cycles]


def existing_pack(session: LearningSession, key: str) -> SessionPack | None:
    """The newest pack of the session with the key, waiting, being made or done: asking again for
    it gives it. A failed one, or one whose process died, does not count."""
    found = db.session.scalars(
        select(SessionPack)
        .where(
            SessionPack.session_id == session.id,
            SessionPack.request_key == key,
            SessionPack.status.in_((JobState.QUEUED, JobState.RUNNING, JobState.DONE)),
        )
        .order_by(SessionPack.id.desc())
    )
    return next((p for p in found if not JOB.is_stalled(p)), None)


# --- what the pack shows --------------------------------------------------------------------


def _matrix_variation(code: str | None, direction: str) -> str | None:
    if code in ("improvement", "concern"):
        better_high = direction == "up"
        high = better_high if code == "improvement" else not better_high
        return f"{code}_{'high' if high else 'low'}"
    if code in ("common", "neutral"):  # neutral: a signal neither better nor worse, as on the dashboard
        return code
    return None


def _value_text(
    measure, value: float | None, period: dt.date | None = None, until: dt.date | None = None
) -> str:
    """The latest value as the summary shows it, with its month when it is not the pack's last."""
    if value is None:
        return ""
    text = number(value, 0 if measure.unit_label == "%" else 1)
    text = f"{text} %" if measure.unit_label == "%" else text
    if period is not None and until is not None and period < month_start(until):
        text = f"{text}\n{month_label(period)}"
    return text


def _in(day: dt.date, first: dt.date, last: dt.date) -> bool:
    return first <= month_start(day) <= last


def _interventions(team, first: dt.date, last: dt.date) -> tuple[str, ...]:
    """The changes tested since the previous session, as lines: each intervention started in the
    period, or with a PDSA cycle started in it ("mars 2026: Vekt · PDSA 2 (mai 2026)")."""
    lines = []
    for intervention in sorted(team.interventions, key=lambda i: (i.start_date, i.id)):
        cycles = [c for c in intervention.cycles if _in(c.start_date, first, last)]
        if not cycles and not _in(intervention.start_date, first, last):
            continue
        line = f"{month_name(intervention.start_date)}: {intervention.label}"
        if cycles:
            line += " · " + ", ".join(f"PDSA {c.number} ({month_name(c.start_date)})" for c in cycles)
        lines.append(line)
    return tuple(lines)


def latest_missing(analysis, until: dt.date) -> str:
    """A mark for a chart whose latest month is not entered ("October 2026 is the latest month
    entered"), or "" when the month the pack runs to has a value."""
    k, _value = latest(analysis)
    if k is None:
        return _("No month entered yet")
    period = analysis.series.periods[k]
    if period >= month_start(until):
        return ""
    text = _("%(month)s is the latest month entered", month=month_name(period))
    return text[:1].upper() + text[1:]


def _pack_chart(data: SpcFigureData, analysis, until: dt.date) -> SpcFigureData:
    """A chart as the pack shows it: the page names the team and the period once, so the chart's
    subtitle only marks a missing latest month; its reading is the short one."""
    return with_text(data, subtitle=latest_missing(analysis, until), alt_description=brief(analysis).text)


def _span(charts) -> str:
    """The months the charts of a page cover, as its subtitle says once for all of them."""
    dates = [
        d for c in charts if c is not None and c.period_dates for d in (c.period_dates[0], c.period_dates[-1])
    ]
    return f"{month_name(min(dates))} – {month_name(max(dates))}" if dates else ""


def _network_section(network, measures_chosen: Iterable[MeasureDefinition], until: dt.date) -> NetworkSection:
    """The network as one (every team of it): per chosen measure its pooled chart and its teams with
    a signal, each on a page of its own."""
    measures = []
    for measure in measures_chosen:
        pooled = pooled_chart(network, measure, NO_SUPPRESSION, until)
        signals = signal_counts(
            network, measure, NO_SUPPRESSION, until, periods=pooled.analysis.series.periods
        )
        figure = pooled_figure(pooled, NO_SUPPRESSION.threshold)
        if figure is not None:
            figure = with_text(figure, subtitle="", alt_description=pooled_reading(pooled).headline)
        counts = signals_figure(signals)
        counts = replace(counts, text=replace(counts.text, subtitle=""))
        measures.append(NetworkMeasure(counts, figure, measure.label))
    period = _span([m.pooled for m in measures] + [m.signals for m in measures])
    return NetworkSection(
        name=_("The network as one"),
        subtitle=" · ".join(
            part
            for part in (
                _("%(network)s: every team pooled, and how many teams show a signal", network=network.name),
                period,
            )
            if part
        ),
        measures=tuple(measures),
    )


def pack_data(session: LearningSession, choice: PackChoice | None = None) -> PackData:
    """Everything the pack draws, in the current locale: the chosen teams and measures in the
    chosen order (default: all, teams by name, measures in the network's order), each team's text
    after its charts."""
    network = session.network
    until = data_until(session)
    earlier = [s for s in network.sessions if s.number < session.number]
    since = data_until(earlier[-1]) if earlier else month_start(network.start_date)
    content = chosen(network, choice or default_choice(network))
    teams = list(content.teams)
    measures = list(content.measures)
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
                    _value_text(measure, cell.value, cell.period, until),
                )
            )
            data = figure_data(analysis)
            if data is not None:
                charts.append(_pack_chart(data, analysis, until))
                chart_names.append(measure.label)
        rows.append(tuple(cells))
        sections.append(
            TeamSection(
                name=team.name,
                # the unit only when its name is not the team's (the title names the team)
                subtitle=" · ".join(
                    p
                    for p in (team.unit.name, team.unit.municipality.name, _span(charts))
                    if p and p != team.name
                ),
                charts=tuple(charts),
                interventions=_interventions(team, since, until),
                chart_names=tuple(chart_names),
                note=content.notes.get(team.id, ""),
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
                footnote=_(
                    "Each team's latest value; beneath it its month, when %(month)s is not entered.",
                    month=month_name(until),
                ),
                legend={
                    "common": _("Common cause"),
                    "improvement_high": _("Improvement (higher)"),
                    "improvement_low": _("Improvement (lower)"),
                    "concern_high": _("Concern (higher)"),
                    "concern_low": _("Concern (lower)"),
                    "neutral": _("Special cause, neither better nor worse"),
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
        network=_network_section(network, measures, until) if measures else None,
        text=PackText(
            contents=_("Contents"),
            summary=_("Summary"),
            reading=_("Reading"),
            interventions=_("Interventions since the last learning session"),
            no_interventions=_("None recorded"),
            no_reading="",
            page=_("Page %(page)s of %(pages)s", page="{page}", pages="{pages}"),
            teams_count=_("%(count)s teams", count="{n}"),
            note=_("What we learned"),
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


# The progress when drawing starts; each page and PNG drawn moves it on towards 99, and 100 is done.
DRAWING_FROM = 40


@dataclass(frozen=True)
class PackFileNames:
    pdf: str
    zip: str
    pptx: str = ""


def file_names(pack: SessionPack) -> PackFileNames:
    stem = f"{slug(pack.session.network.name)}-samling-{pack.session.number}-{pack.data_until:%Y-%m}"
    return PackFileNames(f"{stem}.pdf", f"{stem}-png.zip", f"{stem}.pptx")


def request_pack(
    session: LearningSession, user: User, language: str, choice: PackChoice | None = None
) -> SessionPack:
    """A new pack of ``choice`` (default: everything), waiting to be made."""
    language = language if language in ("nb", "en") else "nb"
    choice = choice or default_choice(session.network)
    pack = SessionPack(
        session_id=session.id,
        status=JobState.QUEUED,
        progress=0,
        step="queued",
        language=language,
        data_until=data_until(session),
        choice=choice.as_json(),
        request_key=request_key(session, choice, language),
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
        data = pack_data(pack.session, choice_of(pack))
        words = slide_text()
    digest = content_hash(data)
    files = _files_made_before(pack, digest) if reuse else None
    # The report commits: no transaction is held while drawing (on SQLite it would keep every
    # other request waiting).
    report(step="drawing", progress=DRAWING_FROM, content_hash=digest)
    if files is None:

        def drawn(done: int, total: int) -> None:
            report(progress=DRAWING_FROM + (99 - DRAWING_FROM) * done // total)

        files = render_pack(
            data, workers=workers or current_app.config.get("PACK_WORKERS") or 1, progress=drawn
        )
    # the slides show the ZIP's pictures, drawn at the slide size
    presentation = render_pack_pptx(data, words, pack_pictures(data, files.zip))
    pack.step, pack.progress = "done", 100
    pack.pdf, pack.png_zip = files.pdf, files.zip
    pack.pdf_size, pack.zip_size = len(files.pdf), len(files.zip)
    pack.pptx, pack.pptx_size = presentation, len(presentation)
    pack.pdf_sha256 = hashlib.sha256(files.pdf).hexdigest()
    pack.finished_at = clock.now()
    return JobState.DONE


def ask_for_pack(
    session: LearningSession, user: User, language: str, choice: PackChoice
) -> tuple[SessionPack, bool]:
    """The pack of this content: the one already made or being made, else a new one waiting to
    be made (True). The request commits, then starts a new one."""
    language = language if language in ("nb", "en") else "nb"
    found = existing_pack(session, request_key(session, choice, language))
    if found is not None:
        return found, False
    return request_pack(session, user, language, choice), True


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
