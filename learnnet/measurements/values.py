"""A measurement's value on the scale its measure is plotted on."""

from __future__ import annotations

from learnnet.models import MeasureDefinition, Measurement


def plotted_value(measure: MeasureDefinition, measurement: Measurement | None) -> float | None:
    """numerator ÷ denominator × multiplier for proportions and rates, else the value itself."""
    if measurement is None or measurement.is_deleted:
        return None
    if measure.is_ratio:
        if measurement.numerator is None or not measurement.denominator:
            return None
        return measurement.numerator / measurement.denominator * measure.multiplier
    if measurement.value is not None:
        return measurement.value
    return None if measurement.numerator is None else float(measurement.numerator)
