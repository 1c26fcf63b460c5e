"""A saved prediction's row: its checked inputs, the stored result of running the model on them, and
the DTO. Shared by the prediction service (one case) and the filing of a screening (many cases in one
transaction), so both store exactly the same columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.db.models import BreastCancerPrediction
from desktop.domain import validation as v
from desktop.domain.dto import SavedPrediction
from desktop.domain.entry_rules import prediction_notes
from desktop.domain.enums import Diagnosis
from desktop.domain.errors import ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.prediction import PredictionResult, validate_features
from desktop.ml.predictor import Predictor
from desktop.services.rows import to_dataclass

ENTITY = "breastcancerprediction"
NOUN = "Prediction"
LABEL = "prediction"


def derived_probability(prediction: str, confidence: float) -> float:
    """The probability of malignancy behind a stored label and confidence.

    The web version stored only the label and the probability of the predicted class (as this
    program's ``confidence`` still is), so the probability of malignancy follows from them.
    """
    return confidence if prediction == Diagnosis.MALIGNANT.value else 1.0 - confidence


def to_dto(row: BreastCancerPrediction) -> SavedPrediction:
    confidence = float(row.confidence)
    stored = row.probability
    return to_dataclass(
        SavedPrediction,
        row,
        features={name: float(getattr(row, name)) for name in FEATURE_NAMES},
        confidence=confidence,
        probability=float(stored) if stored is not None else derived_probability(row.prediction, confidence),
        probability_derived=stored is None,
        notes=row.notes or "",
        patient_id=row.user_id,
    )


def describe(row: BreastCancerPrediction) -> str:
    return f"{row.prediction}, {row.risk_level} risk"


def checked_inputs(features: object, notes: object) -> tuple[dict[str, float], str]:
    """The 30 measurements by name and the notes; ValidationError naming every offending field (each
    measurement under its own name, the overall message under "features")."""
    errors = v.FieldErrors()
    values: dict[str, float] = {}
    if isinstance(features, Mapping):
        try:
            values = dict(zip(FEATURE_NAMES, validate_features(features), strict=True))
        except ValidationError as error:
            errors.add("features", error.message)
            for name, message in error.fields.items():
                errors.add(name, message)
    else:
        errors.add("features", "The 30 measurements are missing.")
    note = errors.check("notes", prediction_notes, notes)
    errors.raise_if_any()
    return values, note


def stored_result(predictor: Predictor, values: Mapping[str, float]) -> dict[str, Any]:
    """The model's result on ``values`` as the row's columns (see :func:`result_columns`)."""
    return result_columns(predictor, predictor.predict(values))


def result_columns(predictor: Predictor, result: PredictionResult) -> dict[str, Any]:
    """``result`` (of ``predictor``) as the row's columns, with the model's version and the full
    sha256 of its file (so a result can be traced to the exact model that produced it)."""
    return {
        "prediction": result.prediction.value,
        "confidence": float(result.confidence),
        "probability": float(result.probability_malignant),
        "risk_level": result.risk_level.value,
        "model_version": result.model_version,
        "model_sha256": predictor.info.sha256,
    }
