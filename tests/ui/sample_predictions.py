"""Example feature sets and saved predictions for the prediction, history and report UI tests.

Fixtures live in tests/ui/conftest.py; these are plain functions and values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.ui.sample_cases import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

__all__ = ["BENIGN_EXAMPLE", "MALIGNANT_EXAMPLE", "StoredResult", "save_predictions"]


@dataclass(frozen=True)
class StoredResult:
    """The part of a prediction result the prediction service stores (what the model returns)."""

    prediction: str
    confidence: float
    probability: float
    risk_level: str
    model_version: str = "test-model"


def save_predictions(services: Any, token: str, probabilities: list[float], *, notes: str = "") -> list[Any]:
    """Save one prediction per probability through the real service; returns the SavedPredictions."""
    saved = []
    for p in probabilities:
        label = "Malignant" if p >= 0.5 else "Benign"
        risk = "High" if p >= 0.5 else "Medium" if p >= 0.05 else "Low"
        result = StoredResult(label, max(p, 1 - p), p, risk)
        features = MALIGNANT_EXAMPLE if p >= 0.5 else BENIGN_EXAMPLE
        saved.append(services.predictions.save(token, result, features, notes))
    return saved


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
