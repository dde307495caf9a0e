"""measures — the statistics engine of learnnet (pure Python: numpy, scipy, statsmodels).

Every number a run chart, control chart, funnel plot or effect view shows is
computed here, from plain sequences, and returned as small frozen dataclasses.
Nothing here knows about Flask, databases or plotting, and nothing returns a
sentence: codes and numbers only, which the app translates.

API
---
``measures.spc``
    ``compute(kind, y, n=None, x=None, freeze=None, phases=None, exclude=None,
    cl=None, screened_mr=True) -> SpcChart`` — qicharts2 0.8.1's run and
    control charts (``run i mr xbar s t p pp c u up g``), exactly.
    ``SpcChart``: ``kind, keys, y, n, cl, lcl, ucl, lcl95, ucl95,
    sigma_signal, phase, baseline, include, runs`` (tuple of ``RunsAnalysis``),
    ``runs_signal``, ``to_records()``.
``measures.rules``
    ``evaluate(chart, rule_set="anhoej"|"ihi"|"mdc", direction="up"|"down"|None)
    -> Evaluation`` (iterates as a tuple of ``Finding(rule, first, last,
    direction, movement, phase, length)``; ``.variation`` one of
    ``common_cause``, ``special_cause_improvement``, ``special_cause_concern``,
    ``special_cause_neutral``); ``variation(chart, ...)``;
    ``assurance(chart, target, direction) -> Assurance`` (``pass``, ``fail``,
    ``hit_and_miss``, ``no_limits``); ``runs_limits(n_useful)``.
``measures.choice``
    ``choose_chart(value_kind, y=None, n=None, *, points=None, min_baseline=12,
    show_trial_limits=False, override=None) -> ChartChoice``;
    ``dispersion_check(kind, y, n) -> DispersionCheck`` (suggests p′/u′).
``measures.reading``
    ``read_chart(chart, rule_set="anhoej", direction=None, target=None,
    min_points=10) -> Reading`` — a headline ``Statement`` and the rest, as codes
    and numbers.
``measures.funnel``
    ``funnel(kind="proportion"|"rate", numerators, denominators, target=None,
    labels=None, adjust="auto"|None|"multiplicative"|"additive") -> FunnelResult``
    — Spiegelhalter's funnel plot as FunnelPlotR computes it, on the angular
    (proportions) or square-root (rates) scale; ``"auto"`` adjusts when the
    units are overdispersed; ``funnel_limits(kind, target, denominators=None,
    n_min=None, n_max=None, points=200, phi=1, tau2=0, adjustment=None) ->
    FunnelCurves``.
``measures.effects``
    ``interrupted_time_series(kind="proportion"|"rate"|"continuous", y, n=None,
    *, at, maxlags=None, alpha=0.05, model=None) -> ItsResult`` (``model``
    ``level_and_trend`` or ``level_only``, chosen by ``choose_model``);
    ``ItsResult.impact(first=None, last=None) -> Impact`` — the effect in the
    measure's own unit over post-change periods, with its interval;
    ``pooled_interrupted_time_series(kind, ys, ns=None, *, at, ...) ->
    PooledItsResult``.
``measures.errors``
    ``MeasureInputError(ValueError)`` with ``field``, ``problem`` (a stable
    code) and ``position`` — raised for every input that cannot be computed.

Names
-----
The codes the whole project uses for these ideas are defined here, once, and the
app's models, forms and API import them:

- value kinds — ``measures.choice.VALUE_KINDS`` (``proportion``, ``rate``,
  ``count``, ``continuous``, ``days_between``, ``cases_between``,
  ``subgroup_samples``), with each kind's control chart (``CONTROL_CHART``) and
  the charts that may be drawn instead (``CHART_OPTIONS``);
- chart kinds — ``measures.spc.CHART_KINDS`` (qicharts2's names);
- rule sets — ``measures.rules.RULE_SETS`` (``anhoej``, ``ihi``, ``mdc``);
- a measure's improvement direction — ``measures.rules.DIRECTIONS`` (``up``,
  ``down``);
- what a signal means under that direction — ``measures.rules.SIGNAL_CLASSES``
  (``improvement``, ``concern``, ``neutral``).

Positions (subgroups, phases, exclusions, findings) are 0-based; phase
numbers are 1-based, as in qicharts2. Submodules are imported on demand
(``from measures.spc import compute``) so that the SPC path does not load
statsmodels.
"""

from measures.errors import MeasureInputError

__all__ = ["MeasureInputError"]
