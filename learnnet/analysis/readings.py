"""The plain reading of a chart, in the user's language, from the codes and numbers of ``measures``."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from learnnet.analysis import Analysis
from learnnet.i18n import month_name, number, number_format
from measures.reading import Statement


@dataclass(frozen=True)
class ReadingText:
    headline: str
    details: tuple[str, ...]
    # improvement, concern, special_cause, common_cause, limits_too_narrow, insufficient_data, no_data
    code: str

    @property
    def text(self) -> str:
        return " ".join((self.headline,) + self.details)


def _value(analysis: Analysis, value: float | None) -> str:
    if value is None:
        return "–"
    measure = analysis.series.measure
    shown = value * analysis.scale
    digits = (
        0 if measure.value_kind in ("count", "cases_between", "days_between") and shown == int(shown) else 1
    )
    unit = measure.unit_label
    if unit == "%":
        # As the charts write it: "87,5 %" in Norwegian, "87.5%" in English.
        return number(shown, digits) + number_format().percent_suffix
    return f"{number(shown, digits)} {unit}".strip()


def _month(analysis: Analysis, position: int | None) -> str:
    if position is None or not analysis.series.periods:
        return ""
    return month_name(analysis.series.periods[position])


def _verdict(direction: str) -> str:
    if direction == "improvement":
        return _("a real improvement")
    if direction == "concern":
        return _("a real change for the worse")
    return _("a real change")


def _centre(statement: Statement) -> str:
    return _("the median") if statement.centre == "median" else _("the mean")


def _signal(analysis: Analysis, s: Statement) -> str:
    if s.context == "before_change":
        verdict = _("the level before that change")
    elif s.context == "pulled_by_outliers":
        verdict = _(
            "the mean is pulled by months far out on the other side of it; without them this is no change"
        )
    else:
        verdict = _verdict(s.direction)
    if s.rule == "shift":
        if s.movement == "up":
            text = _(
                "%(count)d months in a row above %(centre)s, since %(month)s",
                count=s.length,
                centre=_centre(s),
                month=_month(analysis, s.first),
            )
        else:
            text = _(
                "%(count)d months in a row below %(centre)s, since %(month)s",
                count=s.length,
                centre=_centre(s),
                month=_month(analysis, s.first),
            )
    elif s.rule == "trend":
        if s.movement == "up":
            text = _(
                "%(count)d months in a row rising, up to %(month)s",
                count=s.length,
                month=_month(analysis, s.last),
            )
        else:
            text = _(
                "%(count)d months in a row falling, up to %(month)s",
                count=s.length,
                month=_month(analysis, s.last),
            )
    elif s.rule == "beyond_limits":
        if s.movement == "up":
            text = _("%(month)s lies above the upper control limit", month=_month(analysis, s.last))
        else:
            text = _("%(month)s lies below the lower control limit", month=_month(analysis, s.last))
    elif s.rule == "two_of_three":
        text = _(
            "two of three months up to %(month)s lie far from the centre line on the same side",
            month=_month(analysis, s.last),
        )
    elif s.rule == "few_crossings":
        text = _("the curve crosses %(centre)s fewer times than chance would give", centre=_centre(s))
    elif s.rule == "few_runs":
        text = _("there are fewer runs than chance would give")
    elif s.rule == "many_runs":
        text = _("there are more runs than chance would give")
        # Months that cross the centre line too often alternate: a pattern, not a new level.
        if s.context is None:
            verdict = _(
                "the months go up and down in turn more than chance would give, which points to"
                " something that alternates, such as two ways of counting, not to a change in level"
            )
    else:
        text = _("a signal")
    return _("%(what)s: %(verdict)s.", what=text[0].upper() + text[1:], verdict=verdict)


def _statement(analysis: Analysis, s: Statement) -> str:
    if s.code == "signal":
        return _signal(analysis, s)
    if s.code == "common_cause":
        return _(
            "No signal: the months vary around %(centre)s of %(value)s as the process usually does.",
            centre=_centre(s),
            value=_value(analysis, s.value),
        )
    if s.code == "insufficient_data":
        return ngettext(
            "Only %(num)d month so far; the chart can be read from %(needed)d months on.",
            "Only %(num)d months so far; the chart can be read from %(needed)d months on.",
            s.count,
            needed=s.needed,
        )
    if s.code == "no_data":
        if any(v is not None for v in analysis.series.y):
            return _(
                "Every month with numbers is left out of the calculation; put a month back to read the chart."
            )
        return _("No numbers have been entered yet.")
    if s.code == "centre_line_change":
        label = ""
        if s.phase is not None and s.phase - 1 < len(analysis.phase_labels):
            label = analysis.phase_labels[s.phase - 1]
        when = _month(analysis, s.phase_start)
        if label:
            when = f"{when} ({label})"
        return _(
            "Since %(when)s the centre line is %(new)s, against %(old)s before.",
            when=when,
            new=_value(analysis, s.value),
            old=_value(analysis, s.previous_value),
        )
    if s.code == "limits_too_narrow":
        return _("The limits look too narrow for these denominators; a Laney p′ or u′ chart may suit better.")
    if s.code == "extreme_by_eye":
        return _(
            "The IHI rules also look for a single month far from all the others; learnnet does not"
            " test for it, so look at the chart for such a month."
        )
    if s.code == "phase_suggested":
        return _(
            "To give the level since %(month)s its own centre line, add a phase from %(month)s.",
            month=_month(analysis, s.phase_start),
        )
    if s.code == "assurance":
        target = _value(analysis, s.value)
        if s.status == "pass":
            return _(
                "Both limits lie on the good side of the target %(target)s: the target is met month after month.",  # noqa: E501
                target=target,
            )
        if s.status == "fail":
            return _(
                "Both limits lie on the wrong side of the target %(target)s: the target will not be met without a change.",  # noqa: E501
                target=target,
            )
        if s.status == "hit_and_miss":
            return _(
                "The target %(target)s lies between the limits: some months will meet it and some will not.",
                target=target,
            )
        return ""
    return ""


def describe(analysis: Analysis) -> ReadingText:
    """The headline and the supporting sentences of a chart's reading."""
    if analysis.reading is None:
        if analysis.problem == "no_data" or analysis.problem is None:
            return ReadingText(_("No numbers have been entered yet."), (), "no_data")
        return ReadingText(_("The chart cannot be drawn from these numbers."), (), "no_data")
    reading = analysis.reading
    headline = _statement(analysis, reading.headline)
    details = tuple(
        text
        for s in reading.statements
        if s is not reading.headline
        for text in [_statement(analysis, s)]
        if text
    )
    if (
        analysis.choice is not None
        and analysis.choice.kind == "run"
        and analysis.choice.control_kind != "run"
    ):
        details += (
            _(
                "A run chart until the baseline has %(count)d months; then control limits.",
                count=analysis.choice.min_baseline,
            ),
        )
    return ReadingText(headline, details, reading.code)


# The supporting statements a short reading may add to its headline, the most telling first: how the
# chart stands against the target, then how the latest phase differs from the one before. Settings
# advice (a new phase, another chart) and the rules' caveats stay on the measure's page.
_SUPPORTING = ("assurance", "centre_line_change")


def brief(analysis: Analysis) -> ReadingText:
    """The reading in at most two plain sentences, for a chart projected at a learning session: the
    headline and at most one supporting sentence (the target, else the change of level since the
    latest phase), with no chart names or statistical terms. :func:`describe` gives the rest."""
    reading = analysis.reading
    if reading is None:
        return describe(analysis)
    if reading.code == "limits_too_narrow":
        headline = _(
            "The numbers are so large that the limits are too tight to read; look at the shape of the"
            " curve rather than at single months."
        )
    elif reading.code == "insufficient_data":
        headline = _statement(analysis, reading.headline)
        return ReadingText(headline, (), reading.code)
    else:
        headline = _statement(analysis, reading.headline)
    support = next(
        (
            text
            for code in _SUPPORTING
            for s in reading.statements
            if s.code == code and s is not reading.headline
            for text in [_statement(analysis, s)]
            if text
        ),
        None,
    )
    return ReadingText(headline, (support,) if support else (), reading.code)
