"""Which chart to draw for a measure, and when its limits are trustworthy.

API
---
``choose_chart(value_kind, y=None, n=None, *, points=None, min_baseline=12,
show_trial_limits=False, override=None) -> ChartChoice``
``dispersion_check(kind, y, n) -> DispersionCheck`` (p and u charts)

Value kinds (the measure definition's ``value kind``) and their control
charts: ``proportion → p``, ``rate → u``, ``count → c``, ``continuous → i``,
``days_between → t``, ``cases_between → g``, ``subgroup_samples → xbar``
(with an ``s`` chart as companion) — Provost & Murray, *The Health Care Data
Guide* (2011), ch. 5–7; qicharts2's chart names.

A run chart is drawn until the baseline has ``min_baseline`` non-missing
subgroups (default 12; Provost & Murray recommend 20–25 for final limits and
accept 12 or more as trial limits). With ``show_trial_limits=True`` the control
chart is drawn before that, and ``ChartChoice.trial_limits`` is True so the
chart can label its limits as trial limits.

For p and u charts, :func:`dispersion_check` warns when the limits are too
narrow for the denominators (Laney 2002): the Pearson dispersion statistic
Σz² (z_i the p- or u-chart z-scores) is significant against χ²(m − 1) at 1 %
**and** Laney's σ_z (screened average moving range of the z-scores / 1.128)
exceeds 1 by more than chance would give: 1 + 2.3/√(m − 1), the 99th percentile
of σ_z among m z-scores with no extra variation. The moving-range σ_z ignores
sustained shifts, which inflate Σz² without being overdispersion; the margin
keeps a pure step (a shift in level, binomial or Poisson variation around each
level) from being taken for overdispersion when its σ_z lands just above 1 by
chance, as it does about half the time. The suggested chart is then p′ (``pp``)
or u′ (``up``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from measures._inputs import as_float_array, check_same_length
from measures.errors import MeasureInputError
from measures.spc import compute

__all__ = ["VALUE_KINDS", "CONTROL_CHART", "CHART_OPTIONS", "ChartChoice", "DispersionCheck",
           "choose_chart", "dispersion_check", "DEFAULT_MIN_BASELINE"]

CONTROL_CHART = {
    "proportion": "p", "rate": "u", "count": "c", "continuous": "i",
    "days_between": "t", "cases_between": "g", "subgroup_samples": "xbar",
}
VALUE_KINDS = tuple(CONTROL_CHART)
#: The charts that make sense for each value kind, to choose instead of the automatic one.
CHART_OPTIONS = {
    "proportion": ("run", "p", "pp", "i"),
    "rate": ("run", "u", "up", "i"),
    "count": ("run", "c", "i"),
    "continuous": ("run", "i"),
    "days_between": ("run", "t", "i"),
    "cases_between": ("run", "g", "i"),
    "subgroup_samples": ("run", "xbar", "i"),
}
DEFAULT_MIN_BASELINE = 12
_COMPANION = {"xbar": "s"}
_PRIME = {"p": "pp", "u": "up"}
DISPERSION_ALPHA = 0.01
# σ_z of m independent standard normal z-scores (screened AMR / 1.128) has a spread of about
# 0.95/√(m − 1) and its 99th percentile near 1 + 2.3/√(m − 1) for m from 12 to 48 (simulated,
# 20,000 series of each length).
SIGMA_Z_MARGIN = 2.3


@dataclass(frozen=True)
class DispersionCheck:
    """Laney's check of a p or u chart's limits against the data's spread."""

    kind: str
    sigma_z: float
    dispersion_ratio: float
    p_value: float
    too_narrow: bool
    suggested_kind: str
    #: σ_z above this is more than chance gives without overdispersion.
    sigma_z_limit: float = 1.0


@dataclass(frozen=True)
class ChartChoice:
    """The chart to draw now.

    ``kind`` is what to draw now (``"run"`` until the baseline is long enough,
    unless trial limits are wanted); ``control_kind`` the measure's control
    chart; ``companion`` a second chart drawn with it (``"s"`` for ``xbar``);
    ``trial_limits`` whether the drawn limits are trial limits; ``points`` the
    non-missing subgroups counted; ``dispersion`` the p/u check, if made.
    """

    value_kind: str
    kind: str
    control_kind: str
    companion: str | None
    trial_limits: bool
    points: int
    min_baseline: int
    dispersion: DispersionCheck | None = None

    @property
    def warnings(self) -> tuple[str, ...]:
        """Stable codes: ``"limits_too_narrow"`` (suggest p′/u′), ``"trial_limits"``."""
        codes = []
        if self.dispersion is not None and self.dispersion.too_narrow:
            codes.append("limits_too_narrow")
        if self.trial_limits:
            codes.append("trial_limits")
        return tuple(codes)


def dispersion_check(kind: str, y: Sequence[float | None], n: Sequence[float | None]
                     ) -> DispersionCheck:
    """Are p- or u-chart limits too narrow for these denominators? (Laney 2002)

    z_i = (y_i/n_i − CL)/σ_i with the chart's σ_i; σ_z = screened AMR(z)/1.128;
    dispersion ratio = Σz²/(m − 1), p-value from χ²(m − 1). ``too_narrow``
    when p < 0.01 and σ_z > 1 + 2.3/√(m − 1) (``sigma_z_limit``), the margin
    chance gives σ_z without overdispersion.
    """
    if kind not in _PRIME:
        raise MeasureInputError("kind", "unknown_kind", "dispersion is checked for p and u charts")
    chart = compute(kind, y, n)
    with np.errstate(all="ignore"):
        if kind == "p":
            sigma = np.sqrt(chart.cl * (1 - chart.cl) / chart.n)
        else:
            sigma = np.sqrt(chart.cl / chart.n)
        z = (chart.y - chart.cl) / sigma
    z = z[np.isfinite(z)]
    if z.size < 3:
        raise MeasureInputError("y", "too_few_points",
                                "the dispersion check needs three subgroups with a spread")
    mr = np.abs(np.diff(z))
    amr = mr.mean()
    screened = mr[mr < 3.267 * amr]
    sigma_z = float(screened.mean() / 1.128) if screened.size else 0.0
    chi2 = float((z ** 2).sum())
    df = z.size - 1
    p_value = float(stats.chi2.sf(chi2, df))
    limit = 1 + SIGMA_Z_MARGIN / np.sqrt(df)
    return DispersionCheck(kind, sigma_z, chi2 / df, p_value,
                           bool(p_value < DISPERSION_ALPHA and sigma_z > limit), _PRIME[kind],
                           float(limit))


def choose_chart(value_kind: str, y: Sequence[float | None] | None = None,
                 n: Sequence[float | None] | None = None, *, points: int | None = None,
                 min_baseline: int = DEFAULT_MIN_BASELINE, show_trial_limits: bool = False,
                 override: str | None = None) -> ChartChoice:
    """Choose the chart for a measure from its value kind and data so far.

    Parameters
    ----------
    value_kind : str
        One of :data:`VALUE_KINDS`.
    y, n : sequence, optional
        The baseline data (numerators and denominators); used to count points
        and, for p/u charts, to check the limits' width.
    points : int, optional
        Non-missing baseline subgroups, when ``y`` is not given.
    min_baseline : int, default 12
        Subgroups needed before control limits are drawn as such.
    show_trial_limits : bool, default False
        Draw the control chart (limits marked as trial) before ``min_baseline``.
    override : str, optional
        A chart kind chosen by the team (ChartSettings), used instead of the default.
    """
    if value_kind not in CONTROL_CHART:
        raise MeasureInputError("value_kind", "unknown_value_kind", f"one of {VALUE_KINDS}")
    if isinstance(min_baseline, bool) or not isinstance(min_baseline, int) or min_baseline < 1:
        raise MeasureInputError("min_baseline", "out_of_range", "a whole number >= 1")
    control = override or CONTROL_CHART[value_kind]
    if y is not None:
        present = ~np.isnan(as_float_array(y, "y"))
        if n is not None:
            n_arr = as_float_array(n, "n")
            check_same_length("n", n_arr, present.size)
            present &= ~np.isnan(n_arr)
        count = int(present.sum())
    elif points is not None:
        count = int(points)
    else:
        count = 0
    dispersion = None
    if control in _PRIME and y is not None and n is not None and count >= min_baseline:
        try:
            dispersion = dispersion_check(control, y, n)
        except MeasureInputError as error:
            # Every month at 0 % or 100 % (or no events at all) has no spread to judge the limits
            # by; the chart itself is still drawn.
            if error.problem != "too_few_points":
                raise
    if control == "run":
        return ChartChoice(value_kind, "run", "run", None, False, count, min_baseline, dispersion)
    enough = count >= min_baseline
    kind = control if enough or show_trial_limits else "run"
    companion = _COMPANION.get(control) if kind == control else None
    return ChartChoice(value_kind, kind, control, companion, kind != "run" and not enough,
                       count, min_baseline, dispersion)
