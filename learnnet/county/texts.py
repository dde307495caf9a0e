"""The comparison and the network's effect in words, in the user's language."""

from __future__ import annotations

import math

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
        "too_few_teams": _(
            "Pooling needs at least two teams with enough months before and after the change."
        ),
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


def _interval(effect, scale: float) -> str:
    if effect.ratio is not None:
        return _(
            "%(name)s %(ratio)s, 95 %% CI %(low)s–%(high)s",
            name=_ratio_name(effect.ratio_name),
            ratio=number(effect.ratio, 2),
            low=number(effect.ratio_ci_low, 2),
            high=number(effect.ratio_ci_high, 2),
        )
    return _(
        "%(value)s, 95 %% CI %(low)s to %(high)s",
        value=number(effect.estimate * scale, 1),
        low=number(effect.ci_low * scale, 1),
        high=number(effect.ci_high * scale, 1),
    )


def effect_sentence(
    measure: MeasureDefinition,
    effect,
    scale: float,
    change,
    last,
    *,
    who: str,
    effect_at_end: float | None = None,
) -> str:
    """One sentence: how much the measure changed after ``change``, with 95 % intervals.

    ``effect`` is an ``ItsResult`` or ``PooledItsResult``: its level change (the step at the
    change) and slope change (the change in the monthly trend) carry the intervals, as odds or
    rate ratios for proportions and rates. ``effect_at_end`` — fitted minus counterfactual in the
    last month, both changes together — says "by how much" on the measure's own scale.
    """
    intervals = _(
        "level change %(level)s; change in monthly trend %(slope)s",
        level=_interval(effect.level_change, scale),
        slope=_interval(effect.slope_change, scale),
    )
    month, last_month = month_name(change), month_name(last)
    if effect_at_end is None:
        return _(
            "%(who)s: %(measure)s after %(month)s compared with before (%(intervals)s).",
            who=who,
            month=month,
            measure=measure.label,
            intervals=intervals,
        )
    size = _points(measure, effect_at_end, scale)
    if effect_at_end >= 0:
        return _(
            "%(who)s: in %(last)s, %(measure)s was %(size)s higher than expected"
            " had nothing changed in %(month)s (%(intervals)s).",
            who=who,
            last=last_month,
            month=month,
            measure=measure.label,
            size=size,
            intervals=intervals,
        )
    return _(
        "%(who)s: in %(last)s, %(measure)s was %(size)s lower than expected"
        " had nothing changed in %(month)s (%(intervals)s).",
        who=who,
        last=last_month,
        month=month,
        measure=measure.label,
        size=size,
        intervals=intervals,
    )


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
        return (
            _("better than the network (beyond 99.8 %)")
            if row.outside998
            else _("better than the network (beyond 95 %)")
        )
    return (
        _("worse than the network (beyond 99.8 %)")
        if row.outside998
        else _("worse than the network (beyond 95 %)")
    )


def _scale_name(scale: str) -> str:
    if scale == "square_root":
        return _("the square-root scale")
    return _("the angular scale (arcsine of the square root)")


def _small_number(value: float) -> str:
    """τ² is often a few ten-thousandths: two significant digits, not 0,00."""
    if value <= 0:
        return number(0.0, 0)
    return number(value, min(8, max(2, 1 - math.floor(math.log10(value)))))


def funnel_method_text(result) -> str:
    """One sentence: which limits the funnel plot has, and the scale they were computed on.

    ``result`` is a ``measures.funnel.FunnelResult``.
    """
    scale = _scale_name(result.scale)
    if result.adjustment == "additive":
        return _(
            "Limits widened for overdispersion by additive random effects (τ² = %(tau2)s),"
            " computed on %(scale)s and transformed back.",
            tau2=_small_number(result.tau2),
            scale=scale,
        )
    if result.adjustment == "multiplicative":
        return _(
            "Limits widened for overdispersion by the factor √φ (φ = %(phi)s),"
            " computed on %(scale)s and transformed back.",
            phi=number(max(1.0, result.phi), 2),
            scale=scale,
        )
    if result.kind == "rate":
        return _("Exact Poisson limits, not adjusted for overdispersion; z-scores on %(scale)s.", scale=scale)
    return _("Exact binomial limits, not adjusted for overdispersion; z-scores on %(scale)s.", scale=scale)


def funnel_choice_text(result) -> str:
    """Why these limits: the dispersion test, and whether the choice was automatic."""
    phi = number(result.phi, 2)
    # "p = 0,000" would read as certainty
    p = f"= {number(result.dispersion_p, 3)}" if result.dispersion_p >= 0.001 else f"< {number(0.001, 3)}"
    if result.automatic and result.adjusted:
        return _(
            "Chosen automatically: the units vary more than chance allows (φ = %(phi)s, p %(p)s).",
            phi=phi,
            p=p,
        )
    if result.automatic:
        return _(
            "Chosen automatically: the units vary no more than chance allows (φ = %(phi)s, p %(p)s).",
            phi=phi,
            p=p,
        )
    return _("Dispersion: φ = %(phi)s (p %(p)s).", phi=phi, p=p)
