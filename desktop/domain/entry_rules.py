"""What a medical record, a family-history entry and a prediction's notes may hold.

The services check every draft with these functions before it reaches the database, and the edit
dialogs call the very same functions to show the problems before sending anything, so a rule and its
message exist once. The length limits are also the database's column sizes (see the Alembic
revisions) and the dialogs' input lengths.
"""

from __future__ import annotations

from typing import TypedDict

from desktop.domain import validation as v
from desktop.domain.dto import FamilyDraft, RecordDraft

#: Type, result and doctor of a medical record.
RECORD_TEXT_MAX = 100
RECORD_NOTES_MAX = 1000
RELATION_MAX = 50
CONDITION_MAX = 200
AGE_MAX = 130
PREDICTION_NOTES_MAX = 2000
#: Free-text search in the lists.
SEARCH_MAX = 200


class RecordValues(TypedDict):
    """A record's checked column values."""

    date: str
    type: str
    result: str
    doctor: str
    notes: str
    status: str
    status_color: str


class FamilyValues(TypedDict):
    """A family-history entry's checked column values."""

    relation: str
    age: int
    condition: str


def record_values(draft: RecordDraft) -> RecordValues:
    """The record's values, trimmed; ValidationError with one message per offending field."""
    errors = v.FieldErrors()
    date = errors.check("date", v.iso_date, draft.date)
    kind = errors.check("type", v.text, draft.type, "Type", max_length=RECORD_TEXT_MAX, required=True)
    result = errors.check("result", v.text, draft.result, "Result", max_length=RECORD_TEXT_MAX)
    doctor = errors.check("doctor", v.text, draft.doctor, "Doctor", max_length=RECORD_TEXT_MAX)
    notes = errors.check("notes", v.text, draft.notes, "Notes", max_length=RECORD_NOTES_MAX, multiline=True)
    status = errors.check("status", v.record_status, draft.status)
    errors.raise_if_any()
    return RecordValues(
        date=date,
        type=kind,
        result=result,
        doctor=doctor,
        notes=notes,
        status=status.value,
        status_color=status.colour,
    )


def family_values(draft: FamilyDraft) -> FamilyValues:
    """The entry's values, trimmed; ValidationError with one message per offending field."""
    errors = v.FieldErrors()
    relation = errors.check(
        "relation", v.text, draft.relation, "Relation", max_length=RELATION_MAX, required=True
    )
    age = errors.check("age", v.integer, draft.age, "Age", minimum=0, maximum=AGE_MAX)
    condition = errors.check(
        "condition", v.text, draft.condition, "Condition", max_length=CONDITION_MAX, required=True
    )
    errors.raise_if_any()
    return FamilyValues(relation=relation, age=age, condition=condition)


def prediction_notes(value: object) -> str:
    """The notes kept with a saved prediction."""
    return v.text(value, "Notes", max_length=PREDICTION_NOTES_MAX, multiline=True)


def search_text(value: object) -> str:
    """The free text a list is searched for ("" for none)."""
    return v.text(value, "Search text", max_length=SEARCH_MAX)
