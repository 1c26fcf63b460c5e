"""How numbers and questions are worded on screen and on paper (Qt-free).

A probability of 0.99996 printed as "100.0%" reads as certainty the model does not have; the ends of
the scale are written as "> 99.9%" and "< 0.1%" instead.
"""

from __future__ import annotations

from typing import Any


def percent(value: float | None, missing: str = "-") -> str:
    """``value`` (0..1) as a percentage with one decimal, never claiming 0% or 100%."""
    if value is None:
        return missing
    if value >= 0.9995:
        return "> 99.9%"
    if value < 0.0005:
        return "< 0.1%"
    return f"{value:.1%}"


def delete_prediction_question(prediction: Any) -> str:
    """The confirmation asked before a saved prediction is deleted (history page and detail dialog)."""
    p = prediction
    when = p.created_at.astimezone() if p.created_at.tzinfo else p.created_at
    return (
        f"Delete prediction #{p.id} of {when:%Y-%m-%d %H:%M} ({p.prediction}, {p.risk_level} risk)?\n\n"
        "It disappears from your history; a copy of its values stays in the audit log."
    )


def count_text(total: int, shown: int, nouns: tuple[str, str], filtered: bool) -> str:
    """The line under a list: how many rows match (and how many are loaded so far).

    ``nouns`` is (singular, plural). An empty list says whether to add something or widen the search,
    which an empty table alone does not.
    """
    singular, plural = nouns
    if total == 0:
        if filtered:
            return f"No {plural} match the search."
        return f"No {plural} yet. Press New… (Ctrl+N) to add one."
    noun = singular if total == 1 else plural
    return f"{total} {noun}" if shown >= total else f"{total} {noun} ({shown} loaded)"
