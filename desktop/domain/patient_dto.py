"""Plain frozen values of the patient list, the patient's identity and the chart access log.

Demographics (:class:`PatientDTO`) are what reception works with; allergies are medical data and
travel separately (:class:`AllergyInfo`), returned only to those the access policy lets read the
chart. Dates of birth are ``datetime.date``; timestamps are aware UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop.domain.dto import DEFAULT_PAGE_SIZE
from desktop.domain.enums import AllergyStatus, Sex
from desktop.domain.patients import age_on

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class PatientSummary:
    """Who a patient is: one row of the patient list, and the identity every view of a patient shows."""

    id: str
    mrn: str
    name: str
    family_name: str | None
    given_names: str
    date_of_birth: dt.date | None
    sex: Sex
    phone: str
    is_active: bool


@dataclass(frozen=True)
class PatientDTO(PatientSummary):
    """A patient's identity (the list row) with contact details and record keeping; no medical data.

    An extension of :class:`PatientSummary` rather than a copy of its fields, so the identity is
    declared once and whatever shows who a patient is (name, MRN, date of birth) accepts either.
    """

    email: str | None
    emergency_contact: str
    has_portal_access: bool
    created_at: dt.datetime
    version: int

    def age(self, today: dt.date) -> int | None:
        return age_on(self.date_of_birth, today) if self.date_of_birth else None


@dataclass(frozen=True)
class PatientDraft:
    """A new registration or the new demographics of a patient. ``mrn`` empty: one is generated
    (registration) or the current one kept (update). ``family_name`` empty: not known."""

    given_names: str
    family_name: str = ""
    date_of_birth: dt.date | str | None = None
    sex: Sex | str = Sex.UNKNOWN
    mrn: str = ""
    phone: str = ""
    email: str = ""
    emergency_contact: str = ""


@dataclass(frozen=True)
class AllergyInfo:
    """The banner's allergy zone: listed allergies, "No known allergies" (with the date last checked)
    or "Not recorded"."""

    status: AllergyStatus
    allergies: str
    checked_on: dt.date | None
    version: int


@dataclass(frozen=True)
class ChartHeader:
    """What opening a chart returns: who the patient is and their allergies (the banner)."""

    patient: PatientDTO
    allergies: AllergyInfo


@dataclass(frozen=True)
class AccessLogEntry:
    """One opening of a chart or read of a patient's medical data by someone else."""

    id: int
    created_at: dt.datetime
    user_id: str | None
    user_name: str
    user_role: str
    patient_id: str
    patient_name: str
    action: str
    detail: str


@dataclass(frozen=True)
class AccessLogQuery:
    """Admin filter over the access log: by patient, by the person who looked, or both."""

    patient_id: str | None = None
    user_id: str | None = None
    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class ImportProblem:
    line: int
    message: str


@dataclass(frozen=True)
class ImportReport:
    """What ``patients import`` did (or would have done: nothing is written when ``problems``)."""

    created: int
    updated: int
    ignored_columns: tuple[str, ...]
    problems: tuple[ImportProblem, ...]

    @property
    def written(self) -> bool:
        return not self.problems
