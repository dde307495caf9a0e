"""Errors raised by :mod:`measures` for input it cannot compute a chart from.

Every check on user-supplied numbers raises :class:`MeasureInputError`, a
``ValueError`` whose ``field`` names the argument (``"y"``, ``"n"``,
``"phases"`` …) and whose ``problem`` is a short, stable, language-free code
(``"negative_count"``, ``"numerator_above_denominator"`` …) that the web app
can translate. ``position`` is the 0-based offending position when there is
one.
"""

from __future__ import annotations

__all__ = ["MeasureInputError"]


class MeasureInputError(ValueError):
    """Input that no chart, funnel or effect estimate can be computed from.

    Parameters
    ----------
    field : str
        The argument at fault (``"y"``, ``"n"``, ``"x"``, ``"kind"``, ``"freeze"``,
        ``"phases"``, ``"exclude"``, ``"cl"``, ``"target"`` …).
    problem : str
        A stable code for what is wrong, e.g. ``"negative_count"``,
        ``"numerator_above_denominator"``, ``"zero_denominator"``,
        ``"not_positive"``, ``"too_few_points"``, ``"length_mismatch"``,
        ``"not_finite"``, ``"unknown_kind"``, ``"out_of_range"``.
    detail : str, optional
        An English explanation for logs and developers (not for end users).
    position : int, optional
        The 0-based position of the offending value, if there is one.
    """

    def __init__(self, field: str, problem: str, detail: str = "",
                 position: int | None = None) -> None:
        self.field = field
        self.problem = problem
        self.detail = detail
        self.position = position
        where = f" at position {position}" if position is not None else ""
        text = f"{field}: {problem}{where}"
        if detail:
            text += f" ({detail})"
        super().__init__(text)
