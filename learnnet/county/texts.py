"""The comparison and the network's effect in words, in the user's language."""
from __future__ import annotations

from flask_babel import gettext as _

from learnnet.i18n import month_name, number
from learnnet.models import MeasureDefinition

def problem_text(code: str | None) -> str:
    if code is None:
        return ""
    texts = {
        "not_comparable": _("Only proportions and rates can be compared on a funnel plot."),
        "too_few_units": _("A funnel plot needs at least two units with numbers in the period."),
        "change_outside_series": _("There are no months before the chosen change to compare with."),
        "too_few_teams": _("Pooling needs at least two teams with enough months before and after the change."),
        "too_few_points": _("There are too few months before or after the change to estimate an effect."),
        "cannot_fit": _("The numbers do not allow an estimate (for example no events at all)."),
    }
    return texts.get(code, _("The estimate could not be computed from these numbers."))


def _points(measure: MeasureDefinition, difference: float, scale: float) -> str:
    shown = difference * scale
    if measure.unit_label == "%":
        return _("%(value)s percentage points", value=number(abs(shown), 1))
    return f"{number(abs(shown), 1)} {measure.unit_label}".strip()


def _ratio_name(name: str | None) -> str:
    return _("odds ratio") if name == "odds_ratio" else _("rate ratio")


def effect_sentence(measure: MeasureDefinition, effect, scale: float, change, *, who: str,
                    effect_at_change: float | None = None) -> str:
    """One sentence: how much the measure changed at ``change``, with the 95 % interval.

    ``effect`` is an ``ItsResult`` or ``PooledItsResult``; its level change carries the interval
    (as an odds or rate ratio for proportions and rates). ``effect_at_change`` (fitted minus
    counterfactual in the first month after the change) gives the size on the measure's own scale.
    The slope change is left out of the sentence: extrapolated over many months it says more about
    a short baseline than about the network.
    """
    level = effect.level_change
    month = month_name(change)
    if level.ratio is not None:
        interval = _("%(name)s %(ratio)s, 95 %% CI %(low)s–%(high)s",
                     name=_ratio_name(level.ratio_name), ratio=number(level.ratio, 2),
                     low=number(level.ratio_ci_low, 2), high=number(level.ratio_ci_high, 2))
    else:
        interval = _("95 %% CI %(low)s to %(high)s",
                     low=number(level.ci_low * scale, 1), high=number(level.ci_high * scale, 1))
    difference = level.estimate if effect_at_change is None and level.ratio is None else effect_at_change
    if difference is None:
        return _("%(who)s: the level of %(measure)s changed from %(month)s on (%(interval)s).",
                 who=who, month=month, measure=measure.label, interval=interval)
    size = _points(measure, difference, scale)
    if difference >= 0:
        return _("%(who)s: from %(month)s on, %(measure)s was %(size)s higher than expected without the change (%(interval)s).",
                 who=who, month=month, measure=measure.label, size=size, interval=interval)
    return _("%(who)s: from %(month)s on, %(measure)s was %(size)s lower than expected without the change (%(interval)s).",
             who=who, month=month, measure=measure.label, size=size, interval=interval)


def verdict_text(code: str | None) -> str:
    """A team's effect read with the measure's direction."""
    return {
        "improved": _("improved"),
        "worse": _("got worse"),
        "unclear": _("no clear change"),
    }.get(code or "", "")


def position_text(row) -> str:
    """Where a unit lies on the funnel plot."""
    if row.value is None:
        return ""
    if row.side is None:
        return _("within the limits")
    if row.verdict == "better":
        return _("better than the network (beyond 99.8 %)") if row.outside998 else _("better than the network (beyond 95 %)")
    return _("worse than the network (beyond 99.8 %)") if row.outside998 else _("worse than the network (beyond 95 %)")
