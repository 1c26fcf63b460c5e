"""What the UI shows about the model: training ranges, units, sample cases, version and CV metrics.

One adapter from the ML part's ``ModelInfo`` (desktop.domain.prediction, read through the services
layer) to the few plain values the form, the result panel and the printed report need, so those
widgets do not depend on the model card's exact layout. Qt-free.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.domain.dto import CurrentUser
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.patient_dto import PatientDTO
from desktop.domain.prediction import ModelInfo, PredictionResult, outside_training_range
from desktop.ui.patient_format import NOT_KNOWN, display_name
from desktop.ui.report_data import ReportData
from desktop.ui.sample_cases import SAMPLE_CASES

log = logging.getLogger(__name__)

#: Metric keys of the model card in the order printed, with their labels.
METRIC_LABELS: tuple[tuple[str, str], ...] = (
    ("accuracy", "Accuracy"),
    ("roc_auc", "ROC AUC"),
    ("sensitivity", "Sensitivity (malignant)"),
    ("specificity", "Specificity (malignant)"),
    ("brier", "Brier score"),
    ("brier_score", "Brier score"),
)


@dataclass(frozen=True)
class ModelCard:
    version: str = "unknown"
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    samples: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    metrics: Sequence[tuple[str, str]] = ()
    threshold: float = 0.5


def metric_label(name: str) -> str:
    return dict(METRIC_LABELS).get(name, name.replace("_", " ").capitalize())


def card_from_info(info: ModelInfo) -> ModelCard:
    """Build the card from the ML part's ModelInfo."""
    ranges = {f.name: (float(f.minimum), float(f.maximum)) for f in info.features if f.name in FEATURE_NAMES}
    units = {f.name: f.unit for f in info.features if f.unit}
    order = [key for key, _ in METRIC_LABELS]
    ranked = sorted(info.metrics, key=lambda m: order.index(m.name) if m.name in order else len(order))
    metrics = [(metric_label(m.name), f"{m.mean:.3f} ± {m.std:.3f}") for m in ranked]
    return ModelCard(
        version=info.full_version,
        ranges=ranges,
        units=units,
        samples=SAMPLE_CASES,
        metrics=metrics,
        threshold=float(info.decision_threshold),
    )


def contributions_of(result: PredictionResult) -> dict[str, float]:
    """Feature name -> signed log-odds contribution, for the chart."""
    return {c.name: float(c.contribution) for c in result.contributions}


def load_model_card(services: Any) -> ModelCard:
    """Read the model card through the prediction service (blocking: loads the model; use the runner).

    The service uses the application's shared predictor, the one screening uses too, so the model
    loads (and its hash is checked) once.
    """
    return card_from_info(services.predictions.model_info())


def report_data_for(
    card: ModelCard | None,
    *,
    patient: PatientDTO | None,
    clinician: str,
    created_at: dt.datetime,
    features: Mapping[str, float],
    prediction: str,
    confidence: float,
    probability: float | None,
    risk_level: str,
    notes: str = "",
    out_of_range: Sequence[str] = (),
    model_version: str | None = None,
    prediction_id: int | None = None,
    contributions: Mapping[str, float] | None = None,
) -> ReportData:
    """A ReportData with the model's version and metrics filled in from ``card``, naming
    ``patient`` (None: not known) and ``clinician`` (who made the prediction; "" not known)."""
    card = card or ModelCard()
    metrics = list(card.metrics)
    if model_version and card.version != "unknown" and model_version != card.version:
        metrics.insert(
            0, ("Note", f"made with model {model_version}; figures below are of model {card.version}")
        )
    if out_of_range == ():
        out_of_range = outside_training_range(features, card.ranges)
    return ReportData(
        patient_name=display_name(patient) if patient is not None else NOT_KNOWN,
        patient_date_of_birth=patient.date_of_birth if patient is not None else None,
        patient_mrn=patient.mrn if patient is not None else "",
        clinician=clinician,
        created_at=created_at,
        features=dict(features),
        prediction=prediction,
        confidence=confidence,
        probability=probability,
        risk_level=risk_level,
        notes=notes,
        out_of_range=tuple(out_of_range),
        model_version=model_version or card.version,
        metrics=tuple(metrics),
        prediction_id=prediction_id,
        contributions=dict(contributions or {}),
    )


def clinician_name(user: CurrentUser | None) -> str:
    """Who the report names as the clinician for a prediction made now: the signed-in member of
    staff; "" (printed "Not known") when patients run it on themselves."""
    return user.name if user is not None and user.role.is_staff else ""
