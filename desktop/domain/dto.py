"""Plain frozen values that cross the service boundary: what the UI and CLI receive and send.

Services never hand out ORM objects (a detached ORM row can lazy-load, go stale or be changed by
accident); they return these instead. Every editable value carries ``version``: the row's version
counter as the user saw it, passed back as ``expected_version`` when saving, so a save over someone
else's newer change raises ``ConflictError`` instead of overwriting it.

Timestamps are timezone-aware UTC. Medical-record dates are ISO strings (``YYYY-MM-DD``), as the web
version stored them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from desktop.domain.enums import Role

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000


# --- accounts and sessions -------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in person, as the UI needs it (title bar, admin-only menus)."""

    id: str
    email: str
    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class UserAccount:
    """One account as an administrator sees it (no medical data, never the password hash)."""

    id: str
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: dt.datetime
    version: int
    #: When the sign-in lock (too many failed attempts) ends; None when not locked.
    locked_until: dt.datetime | None = None
    #: The password was set by an administrator and not yet changed by the person.
    must_change_password: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class ClinicPreferences:
    """The preferences only an administrator may change (Edit > Preferences)."""

    idle_lock_minutes: int
    self_registration: bool
    admin_can_read_medical_data: bool
    backup_mirror_dir: str = ""  # a second folder every backup is copied to; "" for none


@dataclass(frozen=True)
class SessionInfo:
    """A valid sign-in: ``token`` is passed first to every per-user service call."""

    token: str
    user: CurrentUser
    expires_at: dt.datetime
    #: The password was set by an administrator: ask for a new one before anything else.
    must_change_password: bool = False


# --- profile ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileDTO:
    id: str
    email: str
    name: str
    age: int | None
    phone: str
    emergency_contact: str
    blood_type: str
    allergies: str
    medications: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


@dataclass(frozen=True)
class ProfileUpdate:
    """The fields a person may change in their own profile (e-mail and role are not among them)."""

    name: str
    age: int | None
    phone: str = ""
    emergency_contact: str = ""
    blood_type: str = ""
    allergies: str = ""
    medications: str = ""


# --- medical records -------------------------------------------------------------------------------

#: Columns a record list may be sorted by (anything else is refused, never interpolated into SQL).
RECORD_SORT_COLUMNS: tuple[str, ...] = ("date", "type", "result", "doctor", "status", "created_at")


@dataclass(frozen=True)
class RecordDTO:
    id: int
    date: str
    type: str
    result: str
    doctor: str
    notes: str
    status: str
    status_color: str
    created_at: dt.datetime
    version: int
    created_by: str | None = None  # the account that wrote it (None: written before authors were kept)


@dataclass(frozen=True)
class RecordDraft:
    """A new record or the new values of an edited one. ``status`` is a RecordStatus value."""

    date: str
    type: str
    result: str = ""
    doctor: str = ""
    notes: str = ""
    status: str = "pending"


@dataclass(frozen=True)
class RecordQuery:
    """One page of the signed-in user's records: filtered, sorted and paged in SQL.

    ``text`` matches (case-insensitively) type, result, doctor and notes; ``status`` is a RecordStatus
    value; ``date_from`` / ``date_to`` are inclusive.

    ``after`` is the ``next_cursor`` of the previous page (keyset paging): the page then starts just
    after that row, however deep, at the cost of the first page. Without it the page starts at
    ``offset``. A cursor only fits the sort it came from (ValidationError otherwise).
    """

    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE
    sort: str = "date"
    descending: bool = True
    text: str = ""
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    after: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """``rows`` of one page plus ``total``, the number of rows matching the query over all pages.

    Lists with keyset paging (records, family history) also return ``next_cursor``: pass it as the
    query's ``after`` for the next page. It is None when no row follows this page (the end).
    """

    rows: tuple[T, ...]
    total: int
    next_cursor: str | None = None


# --- family history --------------------------------------------------------------------------------

FAMILY_SORT_COLUMNS: tuple[str, ...] = ("relation", "age", "condition", "created_at")


@dataclass(frozen=True)
class FamilyDTO:
    id: int
    relation: str
    age: int
    condition: str
    created_at: dt.datetime
    version: int
    created_by: str | None = None


@dataclass(frozen=True)
class FamilyDraft:
    relation: str
    age: int
    condition: str


@dataclass(frozen=True)
class FamilyQuery:
    """``text`` matches relation and condition; ``after`` as in RecordQuery (keyset paging)."""

    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE
    sort: str = "created_at"
    descending: bool = True
    text: str = ""
    after: str | None = None


# --- predictions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedPrediction:
    """A stored prediction with the 30 inputs it was made from (``features``, keyed by FEATURE_NAMES)."""

    id: int
    features: Mapping[str, float]
    prediction: str
    confidence: float
    probability: float | None
    risk_level: str
    notes: str
    created_at: dt.datetime
    model_version: str | None
    version: int
    patient_id: str = ""
    created_by: str | None = None
    model_sha256: str | None = None  # the full hash of the model file (None: saved before it was kept)
    #: True when the row (saved by the web version) had no probability and ``probability`` was
    #: worked out from its label and confidence.
    probability_derived: bool = False


@dataclass(frozen=True)
class PredictionQuery:
    """``risk_level`` filters to one RiskLevel value; newest first unless ``descending`` is False."""

    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE
    descending: bool = True
    risk_level: str | None = None


# --- audit -----------------------------------------------------------------------------------------


class AuditAction(StrEnum):
    """What an audit row records. Stored as the plain string."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"
    SIGN_OUT = "sign_out"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    PASSWORD_REHASHED = "password_rehashed"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    ACCOUNT_UNLOCKED = "account_unlocked"
    SETTINGS_CHANGED = "settings_changed"
    ROLE_CHANGED = "role_changed"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    MIGRATION = "migration"
    BACKUP = "backup"
    RESTORE = "restore"
    INTEGRITY_CHECK = "integrity_check"
    MERGE = "merge"
    IMPORT = "import"


@dataclass(frozen=True)
class AuditEntryDTO:
    """One audit row. ``before`` / ``after`` are the row's values (decoded JSON) where recorded."""

    id: int
    created_at: dt.datetime
    user_id: str | None
    actor: str
    action: str
    entity: str
    entity_id: str
    summary: str
    before: Mapping[str, object] | None = None
    after: Mapping[str, object] | None = None
    #: True when medical values were left out because the reader may not see that person's chart.
    values_hidden: bool = False


@dataclass(frozen=True)
class AuditQuery:
    """Admin filter over the audit log; ``text`` matches actor, summary and entity id."""

    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE
    action: str | None = None
    user_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    entity: str | None = None
    entity_id: str | None = None
    descending: bool = True
