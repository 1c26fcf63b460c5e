"""Closed sets of values stored in the database as plain strings (the web version's layout)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who an account is. ``user`` (the web version's and earlier desktop's only non-admin role) is
    read as ``patient``; ``Role.USER`` stays as an alias of ``PATIENT`` for callers written before
    clinic roles existed."""

    PATIENT = "patient"
    RECEPTION = "reception"
    CLINICIAN = "clinician"
    ADMIN = "admin"
    USER = "patient"  # alias: the stored value "user" became "patient"

    @classmethod
    def _missing_(cls, value: object) -> Role | None:
        return cls.PATIENT if value == "user" else None

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        return self is not Role.PATIENT


ROLE_LABELS: dict[Role, str] = {
    Role.PATIENT: "Patient",
    Role.RECEPTION: "Reception",
    Role.CLINICIAN: "Clinician",
    Role.ADMIN: "Administrator",
}


class Sex(StrEnum):
    """Administrative gender, coded as HL7 FHIR's value set; the UI shows :attr:`label`."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return "Not known" if self is Sex.UNKNOWN else self.value.capitalize()


class AllergyStatus(StrEnum):
    """Whether allergies were asked about: "no known allergies" is a statement a clinician makes (with
    the date it was last checked), distinct from nobody having recorded anything."""

    NOT_RECORDED = "not_recorded"
    NONE_KNOWN = "none_known"
    RECORDED = "recorded"


class RecordStatus(StrEnum):
    """A medical record's status; each has the colour the web version stored in ``status_color``."""

    PENDING = "pending"
    NORMAL = "normal"
    ABNORMAL = "abnormal"
    CRITICAL = "critical"
    FOLLOW_UP = "follow-up"
    COMPLETED = "completed"

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self]

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


STATUS_COLOURS: dict[RecordStatus, str] = {
    RecordStatus.PENDING: "#f59e0b",  # amber: the web version's default
    RecordStatus.NORMAL: "#10b981",
    RecordStatus.ABNORMAL: "#f97316",
    RecordStatus.CRITICAL: "#ef4444",
    RecordStatus.FOLLOW_UP: "#3b82f6",
    RecordStatus.COMPLETED: "#6b7280",
}


class Diagnosis(StrEnum):
    BENIGN = "Benign"
    MALIGNANT = "Malignant"


class RiskLevel(StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


BLOOD_TYPES: tuple[str, ...] = ("O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-")
