"""What a printed prediction report holds: one frozen value, filled by ``model_card.report_data_for``
from a prediction just made or a saved one, so the page that prints does not know the report's layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReportData:
    """Everything printed; ``metrics`` are (label, text) pairs, e.g. ("ROC AUC", "0.996 ± 0.004")."""

    patient_name: str
    created_at: dt.datetime
    features: Mapping[str, float]
    prediction: str
    confidence: float
    probability: float | None
    risk_level: str
    model_version: str = "unknown"
    metrics: Sequence[tuple[str, str]] = ()
    notes: str = ""
    out_of_range: Sequence[str] = ()
    prediction_id: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    patient_date_of_birth: dt.date | None = None
    patient_mrn: str = ""
    clinician: str = ""  # who made the prediction
    #: feature name -> signed log-odds contribution; empty when not known (then page 2 says why)
    contributions: Mapping[str, float] = field(default_factory=dict)
