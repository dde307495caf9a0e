"""From a team's series to what the pages, the packs and the API show: the series analysed by
``measures`` and kept by what it is computed from (:mod:`.series`), the chart's data for ``charts``
in the reader's language (:mod:`.chartdata`), and the chart read in words (:mod:`.readings`)."""

from learnnet.analysis.series import (
    BASELINE_MONTHS,
    Analysis,
    Series,
    all_chart_settings,
    analyse,
    analyse_all,
    analyse_team_measure,
    chart_settings,
    last_period,
    load_series,
    scale_of,
    series_versions,
)

__all__ = [
    "BASELINE_MONTHS",
    "Analysis",
    "Series",
    "all_chart_settings",
    "analyse",
    "analyse_all",
    "analyse_team_measure",
    "chart_settings",
    "last_period",
    "load_series",
    "scale_of",
    "series_versions",
]
