"""Conversion and checking of user-supplied sequences (shared by every module)."""

from __future__ import annotations

from collections.abc import Sized
from typing import Any

import numpy as np

from measures.errors import MeasureInputError


def as_float_array(values: Any, field: str, *, allow_missing: bool = True) -> np.ndarray:
    """Return ``values`` as a 1-D float array, ``None`` becoming NaN.

    Infinite values are refused: a chart cannot draw them and they would
    poison every mean they enter.
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        try:
            arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        except (TypeError, ValueError) as exc:
            raise MeasureInputError(field, "not_a_number", str(exc)) from None
    if arr.ndim != 1:
        raise MeasureInputError(field, "not_one_dimensional",
                                f"expected a flat sequence, got shape {arr.shape}")
    bad = np.isinf(arr)
    if bad.any():
        raise MeasureInputError(field, "not_finite", "infinite value",
                                int(np.flatnonzero(bad)[0]))
    if not allow_missing:
        missing = np.isnan(arr)
        if missing.any():
            raise MeasureInputError(field, "missing_value", "",
                                    int(np.flatnonzero(missing)[0]))
    return arr


def check_same_length(field: str, arr: Sized, expected: int, other: str = "y") -> None:
    if len(arr) != expected:
        raise MeasureInputError(field, "length_mismatch",
                                f"{field} has {len(arr)} values, {other} has {expected}")


def first_true(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def as_positions(values: Any, field: str, size: int) -> np.ndarray:
    """0-based integer positions, each within ``0 <= k < size``."""
    if isinstance(values, (int, np.integer)):
        values = [values]
    try:
        raw = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise MeasureInputError(field, "not_a_number", str(exc)) from None
    if raw.size and (not np.all(np.isfinite(raw)) or np.any(raw != np.round(raw))):
        raise MeasureInputError(field, "not_an_integer", "positions are whole numbers")
    pos = raw.astype(np.int64)
    bad = (pos < 0) | (pos >= size)
    if bad.any():
        raise MeasureInputError(field, "out_of_range",
                                f"position {int(pos[bad][0])} is outside 0..{size - 1}",
                                int(pos[bad][0]))
    return pos

