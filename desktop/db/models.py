"""The ORM models: the web version's five tables, column for column, plus what the desktop needs.

Table and column names are those the web version's SQLModel classes produced (class name lower-cased),
so its databases open here. Additions over the web version (revision c7e5d1f0a9b3): ``user.role``,
``version_id`` on every editable row (optimistic concurrency: a stale save raises StaleDataError
instead of overwriting someone else's change), indexes on every foreign key, named CHECK constraints,
the prediction's probability and model version, ``auditlog`` and ``loginattempt``. Revision
e4b7a2c9d5f1 makes the ``user`` row a patient (or a member of staff): date of birth, administrative
gender, MRN, the allergy statement, search keys, optional e-mail; ``created_by`` on medical rows, the
model file's sha256 on predictions and the ``accesslog`` of who opened whose chart. Revision
f5c2a7d9e3b1 indexes medical records in the records table's order.

No relationships are declared: services query explicitly, scoped to the signed-in user, so an
accidental lazy load can never read another person's rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.base import Base
from desktop.db.mysql_types import EMAIL_LENGTH, key_string
from desktop.db.types import utcnow
from desktop.domain.patients import phone_key, search_tokens, sort_key


def new_uuid() -> str:
    return str(uuid.uuid4())


class User(Base):
    """An account and, for role ``patient``, a patient (most patients never sign in: no e-mail, or
    an empty ``password_hash``). ``name`` stays the single full name the web version shows;
    ``family_name`` / ``given_names`` hold the parts when they are known."""

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("role IN ('patient', 'reception', 'clinician', 'admin')", name="role"),
        CheckConstraint("sex IN ('male', 'female', 'other', 'unknown')", name="sex"),
        CheckConstraint(
            "allergy_status IN ('not_recorded', 'none_known', 'recorded')", name="allergy_status"
        ),
        Index("ix_user_created_at", "created_at"),
        # The patient list's two orders (desktop/services/patient_search.py). Each holds every column
        # the list's id query reads, so the database walks one index in the list's order and never
        # reads the table: about 20 ms for the ids of 100,000 patients on SQLite, where reading the
        # rows took 100-500 ms.
        Index("ix_user_patient_names", "role", "name_key", "id", "is_active", "mrn"),
        Index("ix_user_patient_newest", "role", "created_at", "id", "is_active"),
    )

    id: Mapped[str] = mapped_column(key_string(), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(100))
    # NULL for patients who never sign in. Typed ``str`` on purpose: every account that signs in (and
    # so every session, actor and profile) has one; the patient DTOs read it as optional.
    email: Mapped[str] = mapped_column(key_string(EMAIL_LENGTH), unique=True, index=True, nullable=True)
    password_hash: Mapped[str] = mapped_column(String)
    # Python-side defaults only (the schema has none): unknown until recorded. The web version wrote
    # age 0 and blood type O+ here, wrong facts about nearly everyone; its rows keep what they have.
    age: Mapped[int | None] = mapped_column(Integer, default=None)
    phone: Mapped[str | None] = mapped_column(String, default="")
    emergency_contact: Mapped[str | None] = mapped_column(String, default="")
    blood_type: Mapped[str | None] = mapped_column(String, default="")
    allergies: Mapped[str | None] = mapped_column(String, default="")
    medications: Mapped[str | None] = mapped_column(String, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    is_active: Mapped[bool] = mapped_column(default=True)
    role: Mapped[str] = mapped_column(String(20), default="patient", server_default="patient")
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    family_name: Mapped[str | None] = mapped_column(String(100))
    given_names: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(10), default="unknown", server_default="unknown")
    mrn: Mapped[str | None] = mapped_column(String(20), unique=True)
    allergy_status: Mapped[str] = mapped_column(
        String(20), default="not_recorded", server_default="not_recorded"
    )
    allergies_checked_on: Mapped[dt.date | None] = mapped_column(Date)
    name_key: Mapped[str] = mapped_column(String(200), default="", server_default="")
    phone_key: Mapped[str] = mapped_column(String(40), default="", server_default="")

    __mapper_args__ = {"version_id_col": version_id}


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_search_keys(mapper: Any, connection: Any, user: User) -> None:
    """The search keys follow the name and phone whoever writes them (profile, registration, import)."""
    user.name_key = sort_key(user.name, user.family_name, user.given_names)
    user.phone_key = phone_key(user.phone)


@event.listens_for(User, "after_insert")
@event.listens_for(User, "after_update")
def _keep_search_tokens(mapper: Any, connection: Any, user: User) -> None:
    """Rewrite the patient's rows in the token table in the same transaction as the change."""
    table = PatientSearchToken.__table__
    assert isinstance(table, Table)
    connection.execute(table.delete().where(table.c.user_id == user.id))
    tokens = search_tokens(user.name_key, user.phone_key) if user.role == "patient" else set()
    if tokens:
        connection.execute(table.insert(), [{"token": t, "user_id": user.id} for t in sorted(tokens)])


class PatientSearchToken(Base):
    """Every word a patient can be found by (name words, phone digits), one row each: a search as you
    type seeks the typed prefix in this table's primary key instead of reading every patient.
    Derived from ``user`` (kept in step by the listener above), so a downgrade simply drops it."""

    __tablename__ = "patientsearchtoken"

    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(key_string(), ForeignKey("user.id"), primary_key=True, index=True)


class MedicalRecord(Base):
    __tablename__ = "medicalrecord"
    #: The records table's order (date DESC, id DESC, read backwards) without a sort; see the
    #: revision that added it and desktop/db/plan_forms.py.
    __table_args__ = (Index("ix_medicalrecord_user_id_date_id", "user_id", "date", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    date: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(100))
    doctor: Mapped[str] = mapped_column(String(100))
    notes: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String, default="pending")
    status_color: Mapped[str] = mapped_column(String, default="#f59e0b")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}


class FamilyHistory(Base):
    __tablename__ = "familyhistory"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    relation: Mapped[str] = mapped_column(String(50))
    age: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}


class Session(Base):
    __tablename__ = "session"

    id: Mapped[str] = mapped_column(key_string(), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    is_active: Mapped[bool] = mapped_column(default=True)


class BreastCancerPrediction(Base):
    __tablename__ = "breastcancerprediction"
    __table_args__ = (
        CheckConstraint("prediction IN ('Benign', 'Malignant')", name="prediction"),
        CheckConstraint("risk_level IN ('Low', 'Medium', 'High')", name="risk_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    radius_mean: Mapped[float]
    texture_mean: Mapped[float]
    perimeter_mean: Mapped[float]
    area_mean: Mapped[float]
    smoothness_mean: Mapped[float]
    compactness_mean: Mapped[float]
    concavity_mean: Mapped[float]
    concave_points_mean: Mapped[float]
    symmetry_mean: Mapped[float]
    fractal_dimension_mean: Mapped[float]
    radius_se: Mapped[float]
    texture_se: Mapped[float]
    perimeter_se: Mapped[float]
    area_se: Mapped[float]
    smoothness_se: Mapped[float]
    compactness_se: Mapped[float]
    concavity_se: Mapped[float]
    concave_points_se: Mapped[float]
    symmetry_se: Mapped[float]
    fractal_dimension_se: Mapped[float]
    radius_worst: Mapped[float]
    texture_worst: Mapped[float]
    perimeter_worst: Mapped[float]
    area_worst: Mapped[float]
    smoothness_worst: Mapped[float]
    compactness_worst: Mapped[float]
    concavity_worst: Mapped[float]
    concave_points_worst: Mapped[float]
    symmetry_worst: Mapped[float]
    fractal_dimension_worst: Mapped[float]
    prediction: Mapped[str] = mapped_column(String)
    confidence: Mapped[float]
    risk_level: Mapped[str] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    notes: Mapped[str | None] = mapped_column(String, default="")
    probability: Mapped[float | None]
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    #: The full sha256 of the model file that produced the result (``model_version`` keeps 12 digits).
    model_sha256: Mapped[str | None] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}


class AuditLog(Base):
    """Append-only trail: nothing in the program updates or deletes these rows.

    ``before`` holds the row's previous values (JSON) for every update or delete of medical data.
    """

    __tablename__ = "auditlog"
    __table_args__ = (Index("ix_auditlog_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    actor: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(50), index=True)
    entity: Mapped[str] = mapped_column(String(50), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class LoginAttempt(Base):
    """Every sign-in attempt, by normalised e-mail (whether or not an account has it): lockout counts
    the failures of the last 15 minutes from here, so it holds across several desktops."""

    __tablename__ = "loginattempt"
    __table_args__ = (Index("ix_loginattempt_email_created_at", "email", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[str | None] = mapped_column(key_string(), ForeignKey("user.id"), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AccessLog(Base):
    """Who opened whose chart or read whose medical data, and when (append-only, like auditlog).

    Written for every such read by anyone other than the patient; the patient can read their own
    rows, administrators filter by patient or by the person who looked.
    """

    __tablename__ = "accesslog"
    __table_args__ = (
        Index("ix_accesslog_patient_id_created_at", "patient_id", "created_at"),
        Index("ix_accesslog_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[str | None] = mapped_column(key_string(), ForeignKey("user.id"))
    patient_id: Mapped[str] = mapped_column(key_string(), ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(String(200), default="")
