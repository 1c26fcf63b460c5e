"""``Services.patients``: the patient list, registration, demographics, allergies, merging, and the
chart access log.

Every method checks the access policy (desktop/services/access_policy.py) first; a chart read by
anyone other than the patient is written to the access log (desktop/services/access_log.py).
Patients are deactivated, never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import User
from desktop.domain import validation as v
from desktop.domain.dto import MAX_PAGE_SIZE, AuditAction, Page
from desktop.domain.enums import AllergyStatus, Role
from desktop.domain.errors import ValidationError
from desktop.domain.patient_dto import (
    SEARCH_LIMIT,
    AccessLogEntry,
    AccessLogQuery,
    AllergyInfo,
    ChartHeader,
    PatientDraft,
    PatientDTO,
    PatientSummary,
)
from desktop.domain.patients import age_on
from desktop.services import audit, patient_search
from desktop.services.access_log import log_ids, log_rows, open_patient, read_log
from desktop.services.access_policy import Action, policed, policy_action, require
from desktop.services.accounts import ensure_email_free
from desktop.services.context import ServiceContext
from desktop.services.patient_merge import MergeResult, merge_rows
from desktop.services.patient_records import (
    SUMMARY_COLUMNS,
    allergy_info,
    check_draft,
    ensure_mrn_free,
    next_mrn,
    to_dto,
    to_summary,
)
from desktop.services.rows import check_version
from desktop.services.sessions import authenticate, end_all_sessions

ALLERGIES_MAX = 500
SEARCH_TEXT_MAX = 100


def _search_text(text: str) -> str:
    return v.text(text, "Search text", max_length=SEARCH_TEXT_MAX)


@policed
class PatientService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def _user(self, s: OrmSession, token: str, action: Action) -> User:
        user = authenticate(s, self._ctx, token)
        require(user.id, user.role, action, self._ctx.settings)
        return user

    @policy_action(Action.PATIENTS_SEARCH)
    def search(
        self, token: str, text: str = "", *, limit: int = SEARCH_LIMIT, include_inactive: bool = False
    ) -> tuple[PatientSummary, ...]:
        """The first ``limit`` patients of :meth:`search_ids`' list (for scripts; the patient list
        holds every id and reads rows as it shows them)."""
        text = _search_text(text)
        _, limit = v.page(0, limit)
        with self._ctx.unit_of_work() as s:
            user = self._user(s, token, Action.PATIENTS_SEARCH)
            ids = self._matching(s, user, text, include_inactive)[:limit]
            return tuple(map(to_summary, patient_search.summaries(s, SUMMARY_COLUMNS, list(ids))))

    @policy_action(Action.PATIENTS_SEARCH)
    def search_ids(self, token: str, text: str = "", include_inactive: bool = False) -> tuple[str, ...]:
        """The ids of every patient matching ``text`` (name words in any order, MRN start, date of
        birth, phone), in name order; with an empty ``text``, the ones this person opened last, then
        every other, newest first. The patient list holds these and asks :meth:`rows` for those it
        shows."""
        text = _search_text(text)
        with self._ctx.unit_of_work() as s:
            user = self._user(s, token, Action.PATIENTS_SEARCH)
            return self._matching(s, user, text, include_inactive)

    @policy_action(Action.PATIENTS_SEARCH)
    def rows(self, token: str, ids: Sequence[str]) -> tuple[PatientSummary, ...]:
        """The list rows of the patients ``ids`` (at most 1000) in that order; unknown ids and staff
        accounts are left out. Names and demographics only: no medical data, no access-log entry."""
        if isinstance(ids, str | bytes) or not isinstance(ids, Sequence) or len(ids) > MAX_PAGE_SIZE:
            raise ValidationError(f"At most {MAX_PAGE_SIZE} patient ids can be read at once.")
        keys = [i for i in ids if v.is_clean(i)]
        with self._ctx.unit_of_work() as s:
            self._user(s, token, Action.PATIENTS_SEARCH)
            return tuple(map(to_summary, patient_search.summaries(s, SUMMARY_COLUMNS, keys)))

    @staticmethod
    def _matching(s: OrmSession, user: User, text: str, include_inactive: bool) -> tuple[str, ...]:
        if not text:
            return patient_search.recent_ids(s, user.id, include_inactive)
        return patient_search.matching_ids(s, text, include_inactive)

    @policy_action(Action.PATIENTS_READ)
    def get(self, token: str, patient_id: str | None = None) -> PatientDTO:
        """A patient's identity and contact details (a patient: their own; no medical data)."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return to_dto(open_patient(s, self._ctx, user, Action.PATIENTS_READ, patient_id, "demographics"))

    @policy_action(Action.CHART_OPEN)
    def open_chart(self, token: str, patient_id: str | None = None) -> ChartHeader:
        """Open a patient's chart: the banner's identity and allergies. Logged for everyone but the
        patient."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            patient = open_patient(s, self._ctx, user, Action.CHART_OPEN, patient_id, "chart opened")
            return ChartHeader(patient=to_dto(patient), allergies=allergy_info(patient))

    @policy_action(Action.CHART_READ_MEDICAL)
    def allergies(self, token: str, patient_id: str | None = None) -> AllergyInfo:
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return allergy_info(
                open_patient(s, self._ctx, user, Action.CHART_READ_MEDICAL, patient_id, "allergies")
            )

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def set_allergies(
        self,
        token: str,
        patient_id: str | None,
        status: AllergyStatus | str,
        allergies: str = "",
        expected_version: int | None = None,
    ) -> AllergyInfo:
        """Record the allergies (``recorded`` with the list), or state "no known allergies"
        (``none_known``); either is dated today as the last check."""
        try:
            status = AllergyStatus(status)
        except ValueError:
            raise ValidationError(
                "Choose whether allergies are listed or there are no known allergies."
            ) from None
        listed = v.text(allergies, "Allergies", max_length=ALLERGIES_MAX)
        if status is AllergyStatus.RECORDED and not listed:
            raise ValidationError("List the allergies, or state that there are no known allergies.")
        if status is not AllergyStatus.RECORDED:
            listed = ""
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            patient = open_patient(s, self._ctx, user, Action.CHART_WRITE_MEDICAL, patient_id)
            check_version(patient, expected_version)
            before = allergy_info(patient)
            patient.allergy_status = status.value
            patient.allergies = listed
            patient.allergies_checked_on = (
                None if status is AllergyStatus.NOT_RECORDED else self._ctx.now().date()
            )
            patient.updated_at = self._ctx.now()
            s.flush()
            audit.write(
                s, self._ctx, action=AuditAction.UPDATE, user=user, entity="user", entity_id=patient.id,
                summary=f"Allergies of MRN {patient.mrn}: {status.value}",
                before={"allergy_status": before.status.value, "allergies": before.allergies},
                after={"allergy_status": status.value, "allergies": listed},
            )  # fmt: skip
            s.commit()
            return allergy_info(patient)

    @policy_action(Action.PATIENTS_REGISTER)
    def register(self, token: str, draft: PatientDraft) -> PatientDTO:
        """Register a patient (no password: they cannot sign in until given one). An empty MRN gets
        the next number."""
        today = self._ctx.now().date()
        values = check_draft(draft, today)
        with self._ctx.unit_of_work(write=True) as s:
            user = self._user(s, token, Action.PATIENTS_REGISTER)
            if values["email"]:
                ensure_email_free(s, values["email"])
            if values["mrn"]:
                ensure_mrn_free(s, values["mrn"])
            else:
                values["mrn"] = next_mrn(s)
            now = self._ctx.now()
            patient = User(
                **values,
                password_hash="",
                role=Role.PATIENT.value,
                age=age_on(values["date_of_birth"], today) if values["date_of_birth"] else None,
                created_at=now,
                updated_at=now,
                is_active=True,
            )
            s.add(patient)
            s.flush()
            audit.write(
                s, self._ctx, action=AuditAction.CREATE, user=user, entity="user", entity_id=patient.id,
                summary=f"Patient registered: MRN {patient.mrn}",
            )  # fmt: skip
            s.commit()
            return to_dto(patient)

    @policy_action(Action.PATIENTS_UPDATE)
    def update(
        self, token: str, patient_id: str, draft: PatientDraft, expected_version: int | None = None
    ) -> PatientDTO:
        """Change a patient's demographics and contact details (an empty MRN keeps the current one)."""
        today = self._ctx.now().date()
        values = check_draft(draft, today)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            patient = open_patient(s, self._ctx, user, Action.PATIENTS_UPDATE, patient_id)
            check_version(patient, expected_version)
            if values["email"] and values["email"] != (patient.email or "").lower():
                ensure_email_free(s, values["email"])
            if values["mrn"] is None:
                values["mrn"] = patient.mrn
            ensure_mrn_free(s, values["mrn"], except_id=patient.id)
            before = to_dto(patient)
            for key, value in values.items():
                setattr(patient, key, value)
            if values["date_of_birth"]:
                patient.age = age_on(values["date_of_birth"], today)
            patient.updated_at = self._ctx.now()
            s.flush()
            changed = {
                k: str(getattr(before, k)) for k in values if str(getattr(before, k)) != str(values[k] or "")
            }
            audit.write(
                s, self._ctx, action=AuditAction.UPDATE, user=user, entity="user", entity_id=patient.id,
                summary=f"Patient details changed: MRN {patient.mrn}",
                before=changed, after={k: str(values[k]) for k in changed},
            )  # fmt: skip
            s.commit()
            return to_dto(patient)

    @policy_action(Action.PATIENTS_DEACTIVATE)
    def deactivate(self, token: str, patient_id: str, expected_version: int | None = None) -> PatientDTO:
        """Take a patient off the list (nothing is deleted; sign-in ends)."""
        return self._set_active(token, patient_id, False, expected_version)

    @policy_action(Action.PATIENTS_DEACTIVATE)
    def reactivate(self, token: str, patient_id: str, expected_version: int | None = None) -> PatientDTO:
        return self._set_active(token, patient_id, True, expected_version)

    def _set_active(
        self, token: str, patient_id: str, active: bool, expected_version: int | None
    ) -> PatientDTO:
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            patient = open_patient(s, self._ctx, user, Action.PATIENTS_DEACTIVATE, patient_id)
            check_version(patient, expected_version)
            patient.is_active = active
            patient.updated_at = self._ctx.now()
            if not active:
                end_all_sessions(s, patient.id)
            s.flush()
            audit.write(
                s, self._ctx, user=user, entity="user", entity_id=patient.id,
                action=AuditAction.ACCOUNT_REACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED,
                summary=f"Patient {'reactivated' if active else 'deactivated'}: MRN {patient.mrn}",
            )  # fmt: skip
            s.commit()
            return to_dto(patient)

    @policy_action(Action.PATIENTS_MERGE)
    def merge(self, token: str, duplicate_id: str, into_id: str) -> MergeResult:
        """Move everything of the duplicate registration ``duplicate_id`` into ``into_id``."""
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            duplicate = open_patient(s, self._ctx, user, Action.PATIENTS_MERGE, duplicate_id)
            into = open_patient(s, self._ctx, user, Action.PATIENTS_MERGE, into_id)
            result = merge_rows(s, self._ctx, user, duplicate, into)
            s.commit()
            return result

    @policy_action(Action.ACCESS_LOG_READ)
    def access_log(self, token: str, query: AccessLogQuery | None = None) -> Page[AccessLogEntry]:
        """Administrators: who opened which chart, filtered by patient and/or by the person."""
        with self._ctx.unit_of_work() as s:
            self._user(s, token, Action.ACCESS_LOG_READ)
            return read_log(s, query or AccessLogQuery())

    @policy_action(Action.ACCESS_LOG_READ_OWN)
    def who_opened_my_chart(self, token: str, offset: int = 0, limit: int = 200) -> Page[AccessLogEntry]:
        """The signed-in person's own chart: who opened it, newest first."""
        with self._ctx.unit_of_work() as s:
            user = self._user(s, token, Action.ACCESS_LOG_READ_OWN)
            return read_log(s, AccessLogQuery(patient_id=user.id, offset=offset, limit=limit))

    @policy_action(Action.ACCESS_LOG_READ)
    def access_log_ids(self, token: str, query: AccessLogQuery | None = None) -> tuple[int, ...]:
        """Administrators: the ids of every entry matching ``query``'s filters, newest first (the
        access log table holds these and asks ``access_log_rows`` for the ones it shows)."""
        with self._ctx.unit_of_work() as s:
            self._user(s, token, Action.ACCESS_LOG_READ)
            return log_ids(s, query or AccessLogQuery())

    @policy_action(Action.ACCESS_LOG_READ)
    def access_log_rows(self, token: str, ids: Sequence[int]) -> tuple[AccessLogEntry, ...]:
        """Administrators: the entries ``ids`` (at most 1000) in that order."""
        with self._ctx.unit_of_work() as s:
            self._user(s, token, Action.ACCESS_LOG_READ)
            return log_rows(s, ids)

    @policy_action(Action.ACCESS_LOG_READ_OWN)
    def my_chart_access_ids(self, token: str) -> tuple[int, ...]:
        """The ids of the entries about the signed-in person's own chart, newest first."""
        with self._ctx.unit_of_work() as s:
            user = self._user(s, token, Action.ACCESS_LOG_READ_OWN)
            return log_ids(s, AccessLogQuery(patient_id=user.id))

    @policy_action(Action.ACCESS_LOG_READ_OWN)
    def my_chart_access_rows(self, token: str, ids: Sequence[int]) -> tuple[AccessLogEntry, ...]:
        """The entries ``ids`` about the signed-in person's own chart, in that order (anyone else's
        are left out)."""
        with self._ctx.unit_of_work() as s:
            user = self._user(s, token, Action.ACCESS_LOG_READ_OWN)
            return log_rows(s, ids, patient_id=user.id)
