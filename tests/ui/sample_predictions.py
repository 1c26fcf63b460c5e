"""Example feature sets and saved predictions for the prediction, history and report UI tests.

Fixtures live in tests/ui/conftest.py; these are plain functions and values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.ui.sample_cases import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

__all__ = ["BENIGN_EXAMPLE", "MALIGNANT_EXAMPLE", "case_with_probability", "save_predictions"]


def case_with_probability(
    services: Any, token: str, probability: float, patient_id: str | None = None
) -> dict[str, float]:
    """Measurements for which the real model gives ``probability`` of malignancy (to about 1e-6,
    never below it, so a value on a risk edge lands in the band above): a point on the line from a
    clearly benign case (the benign example 10% smaller: p < 0.001) to the malignant example (p = 1),
    found by bisection, which keeps p(low) < probability <= p(high) at every step."""
    start = {name: 0.9 * value for name, value in BENIGN_EXAMPLE.items()}

    def case(t: float) -> dict[str, float]:
        return {name: a + t * (MALIGNANT_EXAMPLE[name] - a) for name, a in start.items()}

    def p(t: float) -> float:
        return services.predictions.make_prediction(
            token, case(t), patient_id=patient_id
        ).probability_malignant

    low, high = 0.0, 1.0
    assert p(low) < probability <= p(high)
    for _ in range(60):
        middle = (low + high) / 2
        found = p(middle)
        if found >= probability:
            high = middle
            if found - probability < 1e-6:
                break
        else:
            low = middle
    return case(high)


def save_predictions(
    services: Any, token: str, probabilities: list[float], *, notes: str = "", patient_id: str | None = None
) -> list[Any]:
    """Save one prediction per probability through the real service and model (from measurements
    the model gives that probability for) into ``patient_id``'s chart (None: the signed-in
    patient's own); returns the SavedPredictions."""
    return [
        services.predictions.save(
            token, case_with_probability(services, token, p, patient_id), notes, patient_id=patient_id
        )
        for p in probabilities
    ]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
