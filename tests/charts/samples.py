"""Chart data objects for tests and the benchmark, built directly (no measures internals).

The p-chart limits are computed here with the textbook formula (Montgomery):
CL = Σnum/Σden per phase, limits CL ± 3·sqrt(CL(1−CL)/n_i).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from babel.dates import format_date

from charts.spc import Annotation, ChartText, Signal, SpcFigureData
from charts.text import NumberFormat

NB_NUMBERS = NumberFormat(decimal_mark=",", thousands_sep="\u00a0", percent_suffix="\u00a0%")


def period_range(start: dt.date, count: int) -> tuple[dt.date, ...]:
    """``count`` months from ``start``'s month on."""
    first = start.year * 12 + start.month - 1
    return tuple(dt.date((first + k) // 12, (first + k) % 12 + 1, 1) for k in range(count))


def month_labels(dates, locale: str) -> tuple[str, ...]:
    """The months as the app names them on a chart's axis ("jan. 2026", "mars 2026")."""
    return tuple(format_date(d, "MMM y", locale=locale) for d in dates)


def p_chart(
    n_months: int = 36,
    *,
    seed: int = 1,
    locale: str = "en",
    break_at: int = 12,
    annotations: tuple[Annotation, ...] | None = None,
    missing: tuple[int, ...] = (4,),
    title: str = "Residents screened for malnutrition risk",
    subtitle: str = "Team Borre · Horten · Jan 2024 – Dec 2026",
    counterfactual: bool = False,
) -> SpcFigureData:
    rnd = random.Random(seed)
    dates = period_range(dt.date(2024, 1, 1), n_months)
    den = [rnd.randint(18, 26) for _ in range(n_months)]
    num = []
    for i, d in enumerate(den):
        p = 0.45 if i < break_at else min(0.9, 0.62 + 0.01 * (i - break_at))
        num.append(sum(rnd.random() < p for _ in range(d)))
    y: list[float | None] = [100 * a / b for a, b in zip(num, den, strict=True)]
    for i in missing:
        if i < n_months:
            y[i] = None
    phase = tuple(0 if i < break_at else 1 for i in range(n_months))
    cl, lcl, ucl = [], [], []
    for k in (0, 1):
        idx = [i for i in range(n_months) if phase[i] == k and y[i] is not None]
        if not idx:
            continue
        pbar = sum(num[i] for i in idx) / sum(den[i] for i in idx)
        for i in range(n_months):
            if phase[i] == k:
                s = math.sqrt(pbar * (1 - pbar) / den[i])
                cl.append(100 * pbar)
                lcl.append(100 * max(0.0, pbar - 3 * s))
                ucl.append(100 * min(1.0, pbar + 3 * s))
    signals = []
    for i in range(n_months):
        if y[i] is not None and (y[i] > ucl[i] or y[i] < lcl[i]):
            signals.append(Signal("outside", "improvement" if y[i] > ucl[i] else "concern", i, i))
    if n_months > 30:
        signals.append(Signal("shift", "improvement", 24, 32))
        signals.append(Signal("trend", "improvement", 13, 18))
    if annotations is None:
        annotations = (
            Annotation(3, "Screening tool on tablets", "intervention"),
            Annotation(11, "Nutrition bundle", "intervention"),
            Annotation(14, "PDSA 1: weekly weighing", "pdsa"),
            Annotation(16, "PDSA 2: kitchen", "pdsa"),
            Annotation(27, "New routine for admission", "intervention"),
        )
        annotations = tuple(a for a in annotations if a.index < n_months)
    nb = locale == "nb"
    text = ChartText(
        title=title,
        subtitle=subtitle,
        y_label="% of residents" if not nb else "% av beboere",
        footnote="Source: learnnet, monthly counts entered by the team. p chart, 3-sigma limits.",
        alt_description="The proportion screened rose from 45 % to about 75 % after the "
        "nutrition bundle; the shift signals an improvement.",
        numbers=NB_NUMBERS if nb else NumberFormat(),
        counterfactual="Expected without the bundle",
    )
    cf = None
    if counterfactual:
        cf = tuple(None if i < break_at else 45.0 + 0.1 * (i - break_at) for i in range(n_months))
    return SpcFigureData(
        periods=month_labels(dates, locale),
        y=tuple(y),
        cl=tuple(cl),
        lcl=tuple(lcl),
        ucl=tuple(ucl),
        phase=phase,
        phase_labels=("Baseline", "After the nutrition bundle"),
        signals=tuple(signals),
        target=80.0,
        annotations=annotations,
        is_percent=True,
        period_dates=dates,
        text=text,
        counterfactual=cf,
    )


def run_chart(n_months: int = 14, seed: int = 3) -> SpcFigureData:
    """A run chart of falls per 1,000 bed-days (median line, no limits)."""
    rnd = random.Random(seed)
    dates = period_range(dt.date(2025, 9, 1), n_months)
    y = [round(rnd.uniform(2.0, 8.0), 2) for _ in range(n_months)]
    med = sorted(y)[len(y) // 2]
    return SpcFigureData(
        periods=month_labels(dates, "nb"),
        y=tuple(y),
        cl=tuple(med for _ in y),
        period_dates=dates,
        target=3.0,
        runs_signal=tuple(False for _ in y),
        text=ChartText(
            title="Fall per 1 000 liggedøgn",
            subtitle="Tjølling · Larvik",
            y_label="per 1 000 liggedøgn",
            target="Mål",
            numbers=NB_NUMBERS,
            footnote="Kilde: learnnet",
        ),
    )


def crowded(n_months: int = 24) -> SpcFigureData:
    """Many annotations in neighbouring months, short phases with long labels."""
    base = p_chart(n_months, seed=7, break_at=8, annotations=())
    anns = tuple(
        Annotation(i, label, kind)
        for i, label, kind in [
            (2, "Tablet screening", "intervention"),
            (3, "PDSA: night shift", "pdsa"),
            (4, "PDSA: relatives", "pdsa"),
            (5, "Weekly huddle", "intervention"),
            (6, "MNA-SF training", "intervention"),
            (8, "Nutrition bundle", "intervention"),
            (9, "PDSA: snacks", "pdsa"),
            (10, "PDSA: menu", "pdsa"),
            (11, "Dietitian visit", "event"),
            (20, "Audit", "event"),
            (21, "Routine in procedure", "intervention"),
            (22, "PDSA: weighing", "pdsa"),
            (23, "Celebration at the end of the network", "event"),
        ]
        if i < n_months
    )
    from dataclasses import replace

    return replace(
        base,
        annotations=anns,
        phase_labels=(
            "Baseline measurement before the network started",
            "Testing changes in PDSA cycles after the first session",
        ),
    )


TEAMS = (
    "Borre",
    "Indre havn",
    "Åsgårdstrand",
    "Smidsrød helsehus",
    "Bjønnesåsen",
    "Tjøme omsorgssenter",
    "Holmestrand",
    "Sande",
    "Hof",
    "Stavern",
    "Tjølling",
    "Furuheim",
    "Brunlanes",
    "Tanum",
    "Berg",
    "Nygård bo- og behandlingssenter",
    "Tønsberg 1",
    "Tønsberg 2",
    "Tønsberg 3",
    "Horten sentrum",
)


def team_panels(n_teams: int = 12, n_months: int = 24):
    from dataclasses import replace

    out = []
    for k in range(n_teams):
        d = p_chart(n_months, seed=100 + k, break_at=6 + k % 8, annotations=())
        out.append(replace(d, phase_labels=(), text=replace(d.text, title=TEAMS[k % len(TEAMS)])))
    return tuple(out)


def funnel(n_units: int = 16, seed: int = 11, adjusted: bool = False):
    """A funnel plot of a proportion (percent) with binomial limits (normal approximation)."""
    from charts.funnel import FunnelFigureData, FunnelText, FunnelUnit

    rnd = random.Random(seed)
    p = 0.62
    units = []
    for k in range(n_units):
        n = rnd.randint(30, 400)
        q = p + (0.25 if k == 3 else -0.22 if k == 5 else 0.0)
        hits = sum(rnd.random() < q for _ in range(n))
        units.append(FunnelUnit(TEAMS[k % len(TEAMS)], n, 100 * hits / n))
    dens = [5 + 5 * i for i in range(90)]
    phi = 1.6 if adjusted else 1.0

    def lim(z, sign):
        return tuple(100 * min(1, max(0, p + sign * z * math.sqrt(phi * p * (1 - p) / n))) for n in dens)

    return FunnelFigureData(
        units=tuple(units),
        centre=100 * p,
        denominators=tuple(float(x) for x in dens),
        lower95=lim(1.96, -1),
        upper95=lim(1.96, 1),
        lower998=lim(3.09, -1),
        upper998=lim(3.09, 1),
        adjusted=adjusted,
        is_percent=True,
        direction="up",
        text=FunnelText(
            title="Residents with a nutrition plan, 2025",
            subtitle="16 units in the network · all of 2025",
            x_label="Residents at risk (denominator)",
            y_label="% with a plan",
            footnote="Source: learnnet",
            alt_description="Two units lie outside the 99.8% limits.",
        ),
    )


MEASURES = (
    "Screened for malnutrition risk",
    "At risk with a nutrition plan",
    "Weighed last month",
    "Falls per 1,000 bed-days",
    "Fall-risk assessment",
    "Unplanned admissions per 1,000 bed-days",
)


def matrix(n_teams: int = 20):
    from charts.matrix import ASSURANCES, VARIATIONS, MatrixCell, MatrixText, SummaryMatrixData

    rnd = random.Random(5)
    cells = []
    for i in range(n_teams):
        row = []
        for j in range(len(MEASURES)):
            if (i + j) % 11 == 0:
                row.append(MatrixCell())
            else:
                row.append(MatrixCell(rnd.choice(VARIATIONS), rnd.choice(ASSURANCES + (None,))))
        cells.append(tuple(row))
    teams = tuple(
        TEAMS[k % len(TEAMS)] + (f" {k // len(TEAMS) + 1}" if k >= len(TEAMS) else "") for k in range(n_teams)
    )
    text = MatrixText(
        title="Summary: where are we?",
        subtitle="Learning session 3 · Vestfold malnutrition and falls network",
        footnote="Variation: NHS Making Data Count rules. Assurance against each measure's target.",
    )
    return SummaryMatrixData(teams=teams, measures=MEASURES, cells=tuple(cells), text=text)


def pack(n_teams: int = 3, n_measures: int = 6, n_months: int = 24, measured: bool = False):
    """A pack; ``measured`` computes every chart with ``measures`` (36 months then)."""
    from dataclasses import replace

    from charts.pack import PackData, TeamSection

    teams = []
    for k in range(n_teams):
        charts = []
        for j in range(n_measures):
            if measured:
                d = measured_p_chart(36, seed=1000 + 10 * k + j)
            else:
                d = p_chart(n_months, seed=1000 + 10 * k + j, break_at=6 + (k + j) % 10)
            charts.append(
                replace(
                    d,
                    text=replace(
                        d.text,
                        title=MEASURES[j % len(MEASURES)],
                        subtitle=f"{TEAMS[k % len(TEAMS)]} · {n_months} months",
                    ),
                )
            )
        teams.append(
            TeamSection(
                name=TEAMS[k % len(TEAMS)],
                subtitle="Horten kommune · sykehjem",
                charts=tuple(charts),
                interventions=(
                    "Mar 2026: Nutrition bundle",
                    "Apr 2026: PDSA weekly weighing",
                    "May 2026: Kitchen snacks",
                ),
            )
        )
    return PackData(
        title="Learning session 3",
        subtitle="Malnutrition and falls network, Vestfold",
        date_text="12 March 2026",
        footer="learnnet · USHT Vestfold",
        teams=tuple(teams),
        matrix=matrix(n_teams),
    )


def measured_p_chart(n_months: int = 36, seed: int = 1, rule_set: str = "anhoej"):
    """A p chart computed by ``measures`` (spc + rules + effects), mapped with
    ``charts.spc.from_measures``: the realistic path the app takes."""
    from charts.spc import from_measures
    from measures.effects import interrupted_time_series
    from measures.rules import evaluate
    from measures.spc import compute

    rnd = random.Random(seed)
    dates = period_range(dt.date(2024, 1, 1), n_months)
    den = [rnd.randint(18, 26) for _ in range(n_months)]
    num = []
    for i, d in enumerate(den):
        p = 0.45 if i < 12 else min(0.9, 0.62 + 0.01 * (i - 12))
        num.append(sum(rnd.random() < p for _ in range(d)))
    num[4] = den[4] = None
    chart = compute("p", num, den, phases=[12])
    evaluation = evaluate(chart, rule_set, direction="up")
    effect = interrupted_time_series("proportion", num, den, at=12)
    base = p_chart(n_months, seed=seed)
    return from_measures(
        chart,
        periods=month_labels(dates, "en"),
        period_dates=dates,
        findings=evaluation,
        text=base.text,
        annotations=base.annotations,
        phase_labels=("Baseline", "After the nutrition bundle"),
        target=80.0,
        multiplier=100,
        is_percent=True,
        direction="up",
        counterfactual=tuple(None if i < 12 else 100 * float(v) for i, v in enumerate(effect.counterfactual)),
    )


ANNOTATION_LABELS = (
    "Screening tool on tablets",
    "Nutrition bundle",
    "PDSA 1: weekly weighing",
    "PDSA 2: kitchen",
    "New routine for admission",
    "Weekly huddle",
    "MNA-SF training",
    "PDSA: snacks",
    "Dietitian visit",
    "PDSA: night shift",
    "Menu with the residents",
    "Audit of care plans",
)


def varied_p_charts(n: int = 40, n_months: int = 36) -> tuple[SpcFigureData, ...]:
    """``n`` different measured p charts, as the charts of a network's teams differ: other
    data, team names, titles and annotation labels. What repeats between them is what
    repeats between teams in the app (month labels, tick values, the legend)."""
    from dataclasses import replace

    out = []
    for k in range(n):
        d = measured_p_chart(n_months, seed=2000 + k)
        team = TEAMS[k % len(TEAMS)] + (f" {k // len(TEAMS) + 1}" if k >= len(TEAMS) else "")
        labels = [ANNOTATION_LABELS[(k + 3 * j) % len(ANNOTATION_LABELS)] for j in range(5)]
        anns = tuple(replace(a, label=label) for a, label in zip(d.annotations, labels, strict=True))
        out.append(
            replace(
                d,
                annotations=anns,
                text=replace(
                    d.text,
                    title=MEASURES[k % len(MEASURES)],
                    subtitle=f"Team {team} · Horten · Jan 2024 – Dec 2026",
                ),
            )
        )
    return tuple(out)
