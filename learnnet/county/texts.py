"""The comparison and the network's effect in words, in the user's language."""

from __future__ import annotations

import math

from flask_babel import gettext as _
from flask_babel import ngettext

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
        "window_before_change": _("The period chosen ends before the change: there is no after to compare."),
        "hidden_network": _(
            "The network's figure is hidden: with the units shown it would give a small count away."
        ),
    }
    return texts.get(code, _("The estimate could not be computed from these numbers."))


def unit_words(measure: MeasureDefinition) -> str:
    """The unit a difference of the measure is read in: percentage points for a percentage."""
    return _("percentage points") if measure.unit_label == "%" else measure.unit_label


def signed(value: float, digits: int = 1) -> str:
    text = number(value, digits)
    return text if round(value, digits) <= 0 else "+" + text


def impact_text(measure: MeasureDefinition, impact, scale: float) -> str:
    """ "+12.3 percentage points (95 % CI +4.1 to +20.5)": the difference from what was expected."""
    return _(
        "%(value)s %(unit)s (95 %% CI %(low)s to %(high)s)",
        value=signed(impact.difference * scale),
        unit=unit_words(measure),
        low=signed(impact.ci_low * scale),
        high=signed(impact.ci_high * scale),
    ).replace("  ", " ")


def effect_sentence(measure: MeasureDefinition, impact, scale: float, first, last, *, who: str) -> str:
    """One sentence: how far the measure was from what was expected without the change, with its
    95 % interval, and the verdict that interval gives."""
    size = _(
        "%(value)s %(unit)s",
        value=number(abs(impact.difference * scale), 1),
        unit=unit_words(measure),
    ).strip()
    interval = _(
        "95 %% CI %(low)s to %(high)s",
        low=signed(impact.ci_low * scale),
        high=signed(impact.ci_high * scale),
    )
    values = dict(
        who=who,
        first=month_name(first),
        last=month_name(last),
        measure=measure.label,
        size=size,
        interval=interval,
        observed=number(impact.observed * scale, 1),
        expected=number(impact.expected * scale, 1),
    )
    if impact.difference >= 0:
        return _(
            "%(who)s: from %(first)s to %(last)s, %(measure)s was %(observed)s where %(expected)s was"
            " expected without the change: %(size)s higher (%(interval)s).",
            **values,
        )
    return _(
        "%(who)s: from %(first)s to %(last)s, %(measure)s was %(observed)s where %(expected)s was"
        " expected without the change: %(size)s lower (%(interval)s).",
        **values,
    )


def model_sentence(impact) -> str:
    """Which model the effect comes from, and why, in one sentence."""
    if impact.model == "level_only":
        return _(
            "Model: segmented regression with a change in level only (the trend before the change"
            " carried on), because the months before or after the change are too few to estimate a"
            " change in trend; standard errors robust to autocorrelation."
        )
    return _(
        "Model: segmented regression with a change in level and in monthly trend, the trend before"
        " the change carried on as what was expected; standard errors robust to autocorrelation."
    )


def caution_text(result) -> str:
    """What the reader must know about a fit on few months, or ""."""
    cautions = getattr(result, "cautions", ()) or ()
    if "few_points_before" in cautions and "few_points_after" in cautions:
        return _("Fewer than 8 months before and after the change: read the estimate with care.")
    if "few_points_before" in cautions:
        return _("Fewer than 8 months before the change: read the estimate with care.")
    if "few_points_after" in cautions:
        return _("Fewer than 8 months since the change: read the estimate with care.")
    return ""


def answer_sentence(effect, period: str, measure: MeasureDefinition) -> str:
    """The page's answer: which units improved, by how much, over the period, in one sentence."""
    improved = [te for te in effect.teams if te.verdict == "improved"]
    worse = [te for te in effect.teams if te.verdict == "worse"]
    unclear = [te for te in effect.teams if te.verdict == "unclear"]
    hidden = [te for te in effect.teams if te.hidden]
    total = len(effect.teams)
    named = "; ".join(
        _("%(team)s by %(value)s", team=te.team.name, value=impact_text(measure, te.impact, effect.scale))
        for te in improved
    )
    if improved:
        head = _(
            "%(period)s: %(count)d of %(total)d units improved on %(measure)s compared with what was"
            " expected without the change — %(named)s",
            period=period,
            count=len(improved),
            total=total,
            measure=measure.label,
            named=named,
        )
    else:
        head = _(
            "%(period)s: none of %(total)d units improved clearly on %(measure)s compared with what"
            " was expected without the change",
            period=period,
            total=total,
            measure=measure.label,
        )
    rest = []
    if unclear:
        rest.append(
            ngettext("%(num)d showed no clear change", "%(num)d showed no clear change", len(unclear))
        )
    if worse:
        names = ", ".join(te.team.name for te in worse)
        rest.append(
            ngettext(
                "%(num)d got worse (%(names)s)", "%(num)d got worse (%(names)s)", len(worse), names=names
            )
        )
    if hidden:
        rest.append(ngettext("%(num)d is hidden for privacy", "%(num)d are hidden for privacy", len(hidden)))
    missing = total - len(improved) - len(worse) - len(unclear) - len(hidden)
    if missing:
        rest.append(ngettext("%(num)d has no estimate", "%(num)d have no estimate", missing))
    return head + ("; " + ", ".join(rest) if rest else "") + "."


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
