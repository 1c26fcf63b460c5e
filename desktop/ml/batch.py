"""Vectorised results of ``Predictor.predict_many``: numpy arrays, one entry per input row.

Building a PredictionResult (30 contributions) per row would cost far more than the inference itself,
so a batch keeps arrays and builds full results (and range flags) only for rows someone looks at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from desktop.domain.enums import Diagnosis, RiskLevel
from desktop.domain.prediction import PredictionResult

#: Codes stored in ``BatchPrediction.risk_codes``.
RISK_BY_CODE: tuple[RiskLevel, ...] = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)


@dataclass(frozen=True, eq=False)
class BatchPrediction:
    """Predictions for N rows. Arrays are read-only; ``result(i)`` gives row i as a PredictionResult."""

    features: np.ndarray  # [N, 30] as validated: a read-only view of the caller's array, not a copy
    probability_malignant: np.ndarray  # [N] float64
    malignant: np.ndarray  # [N] bool
    risk_codes: np.ndarray  # [N] int8, index into RISK_BY_CODE
    model_version: str
    _feature_min: np.ndarray
    _feature_max: np.ndarray
    _explain: Callable[[np.ndarray, float], PredictionResult]

    def __len__(self) -> int:
        return int(self.probability_malignant.shape[0])

    @property
    def confidence(self) -> np.ndarray:
        p = self.probability_malignant
        return np.where(self.malignant, p, 1.0 - p)

    def prediction(self, i: int) -> Diagnosis:
        return Diagnosis.MALIGNANT if self.malignant[i] else Diagnosis.BENIGN

    def risk_level(self, i: int) -> RiskLevel:
        return RISK_BY_CODE[int(self.risk_codes[i])]

    def out_of_range_mask(self) -> np.ndarray:
        """[N, 30] bool: values outside the training range (computed on demand, not stored)."""
        return (self.features < self._feature_min) | (self.features > self._feature_max)

    def result(self, i: int) -> PredictionResult:
        """Row i with its explanation, exactly as ``Predictor.predict`` would return it."""
        return self._explain(self.features[i], float(self.probability_malignant[i]))
