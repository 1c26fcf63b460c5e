"""The patient row: checked drafts, MRN numbering and the DTOs the patient service returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import User
from desktop.domain import validation as v
from desktop.domain.enums import AllergyStatus, Sex
from desktop.domain.errors import ValidationError
from desktop.domain.patient_dto import AllergyInfo, PatientDraft, PatientDTO, PatientSummary
from desktop.domain.patients import NAME_MAX, date_of_birth, format_mrn, full_name, normalise_mrn

#: PostgreSQL advisory lock serialising MRN numbering (SQLite's write lock already does).
MRN_LOCK_KEY = 0x436C696E69634D52  # "ClinicMR"
MRN_TAKEN = "This MRN is already used by another patient."
PHONE_MAX = 40
CONTACT_MAX = 200


def _identity(row: Any) -> dict[str, Any]:
    """The :class:`PatientSummary` fields of a ``User`` or of a Core row of :data:`SUMMARY_COLUMNS`:
    one set of rules for the list and the chart (no MRN yet reads as "", and a row from before names
    were split into family and given names keeps the whole name as given names)."""
    return {
        "id": row.id,
        "mrn": row.mrn or "",
        "name": row.name,
        "family_name": row.family_name,
        "given_names": row.given_names if row.given_names is not None else row.name,
        "date_of_birth": row.date_of_birth,
        "sex": Sex(row.sex),
        "phone": row.phone or "",
        "is_active": bool(row.is_active),
    }


def to_summary(row: Any) -> PatientSummary:
    """From a Core row of the columns in :data:`SUMMARY_COLUMNS` (``name_key`` orders the list)."""
    return PatientSummary(**_identity(row))


def to_dto(user: User) -> PatientDTO:
    return PatientDTO(
        **_identity(user),
        email=user.email,
        emergency_contact=user.emergency_contact or "",
        has_portal_access=bool(user.email and user.password_hash),
        created_at=user.created_at,
        version=user.version_id,
    )


SUMMARY_COLUMNS = (
    User.id,
    User.mrn,
    User.name,
    User.family_name,
    User.given_names,
    User.date_of_birth,
    User.sex,
    User.phone,
    User.is_active,
    User.name_key,
)


def allergy_info(user: User) -> AllergyInfo:
    return AllergyInfo(
        status=AllergyStatus(user.allergy_status),
        allergies=user.allergies or "",
        checked_on=user.allergies_checked_on,
        version=user.version_id,
    )


def check_draft(draft: PatientDraft, today: dt.date) -> dict[str, Any]:
    """The draft's values ready for the row (``mrn`` None: generate / keep); ValidationError listing
    every field's problem otherwise."""
    errors = v.FieldErrors()
    given = errors.check(
        "given_names", v.text, draft.given_names, "Given names", max_length=NAME_MAX, required=True
    )
    family = errors.check("family_name", v.text, draft.family_name, "Family name", max_length=NAME_MAX)
    born = errors.check("date_of_birth", date_of_birth, draft.date_of_birth, today)
    sex = errors.check("sex", _sex, draft.sex)
    mrn = errors.check("mrn", normalise_mrn, draft.mrn) if (draft.mrn or "").strip() else None
    phone = errors.check("phone", v.text, draft.phone, "Phone", max_length=PHONE_MAX)
    email = errors.check("email", v.normalise_email, draft.email) if (draft.email or "").strip() else None
    contact = errors.check(
        "emergency_contact", v.text, draft.emergency_contact, "Emergency contact", max_length=CONTACT_MAX
    )
    if given is not None and family is not None and len(full_name(family, given)) > NAME_MAX:
        errors.add("given_names", f"The full name is too long: at most {NAME_MAX} characters.")
    errors.raise_if_any()
    return {
        "given_names": given,
        "family_name": family or None,
        "name": full_name(family, given),
        "date_of_birth": born,
        "sex": sex,
        "mrn": mrn,
        "phone": phone,
        "email": email,
        "emergency_contact": contact,
    }


def _sex(value: object) -> str:
    try:
        return Sex(value).value  # type: ignore[arg-type]
    except ValueError:
        raise ValidationError("Sex must be one of: male, female, other, unknown.") from None


def ensure_mrn_free(s: OrmSession, mrn: str, except_id: str | None = None) -> None:
    query = select(User.id).where(User.mrn == mrn)
    if except_id is not None:
        query = query.where(User.id != except_id)
    if s.scalars(query).first() is not None:
        raise ValidationError(MRN_TAKEN, {"mrn": MRN_TAKEN})


def next_mrn(s: OrmSession) -> str:
    """The next free generated MRN: the number of numbered patients plus one, skipping numbers a
    clinic has typed in itself. Call inside a write unit of work (the number is taken at commit)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MRN_LOCK_KEY})
    number = (s.scalar(select(func.count()).select_from(User).where(User.mrn.is_not(None))) or 0) + 1
    while s.scalars(select(User.id).where(User.mrn == format_mrn(number))).first() is not None:
        number += 1
    return format_mrn(number)
