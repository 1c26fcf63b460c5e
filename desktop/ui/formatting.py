"""How numbers are written on screen and on paper (Qt-free).

A probability of 0.99996 printed as "100.0%" reads as certainty the model does not have; the ends of
the scale are written as "> 99.9%" and "< 0.1%" instead.
"""

from __future__ import annotations


def percent(value: float | None, missing: str = "-") -> str:
    """``value`` (0..1) as a percentage with one decimal, never claiming 0% or 100%."""
    if value is None:
        return missing
    if value >= 0.9995:
        return "> 99.9%"
    if value < 0.0005:
        return "< 0.1%"
    return f"{value:.1%}"
