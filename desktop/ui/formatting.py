"""How numbers and questions are worded on screen and on paper (Qt-free).

A probability of 0.99996 printed as "100.0%" reads as certainty the model does not have; the ends of
the scale are written as "> 99.9%" and "< 0.1%" instead.
"""

from __future__ import annotations

from typing import Any

from desktop.domain.enums import RecordStatus, Role
from desktop.domain.features import feature_label


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
    return f"{total:,} {noun}" if shown >= total else f"{total:,} {noun} ({shown:,} loaded)"


# --- words for stored names ------------------------------------------------------------------------
# The database stores codes and column names; the screen shows words. One table for every page and
# dialog that names an entry or a field (audit log, a row's history).

#: What an audit entry is about (its ``entity``: the table name of the row, or "" for events).
ENTITY_LABELS: dict[str, str] = {
    "user": "Account",
    "medicalrecord": "Medical record",
    "familyhistory": "Family history",
    "breastcancerprediction": "Prediction",
    "session": "Sign-in session",
    "settings": "Settings",
    "database": "Database",
    "": "-",
}

#: Field names of the stored rows, as the forms label them (the 30 measurements use feature_label).
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "email": "E-mail",
    "age": "Age",
    "phone": "Phone",
    "emergency_contact": "Emergency contact",
    "blood_type": "Blood type",
    "allergies": "Allergies",
    "medications": "Medications",
    "is_active": "Active",
    "role": "Role",
    "date": "Date",
    "type": "Type",
    "result": "Result",
    "doctor": "Doctor",
    "notes": "Notes",
    "status": "Status",
    "relation": "Relation",
    "condition": "Condition",
    "prediction": "Prediction",
    "confidence": "Confidence",
    "probability": "Probability of malignancy",
    "risk_level": "Risk level",
    "model_version": "Model",
}

#: How a value that was never recorded reads (never a blank cell that looks like an empty string).
NOT_RECORDED = "Not recorded"


def entity_label(entity: str) -> str:
    """Words for an audit entry's ``entity`` (an unknown name is shown as it is)."""
    return ENTITY_LABELS.get(entity, entity)


def action_label(action: str) -> str:
    """Words for an audit action code, e.g. ``sign_in_failed`` -> "Sign in failed"."""
    return str(action).replace("_", " ").capitalize()


def field_label(name: str) -> str:
    """Words for a stored field name, e.g. ``emergency_contact`` -> "Emergency contact"."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    try:
        return feature_label(name)
    except KeyError:
        return name.replace("_", " ").capitalize()


def field_value(name: str, value: object) -> str:
    """A stored value of field ``name`` as the forms show it: status codes as words, probabilities as
    percentages, yes/no for flags, measurements to six significant digits."""
    if value is None or (value == "" and name in ("blood_type", "age")):
        return NOT_RECORDED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "status":
        try:
            return RecordStatus(str(value)).label
        except ValueError:
            return str(value)
    if name == "role":
        return "Administrator" if value == Role.ADMIN.value else "User"
    if name in ("confidence", "probability") and isinstance(value, int | float):
        return percent(float(value))
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
