"""Closed sets of values stored in the database as plain strings (the web version's layout)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


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
