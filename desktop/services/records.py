"""Medical records of a patient's chart: id lists and rows for the records table, paged lists, CRUD,
history.

Every method takes ``patient_id``: a signed-in patient may leave it out (their own chart; any other
id is "not found"), staff name the patient. Who may read and write is the access policy's
(desktop.services.owned_rows opens the chart for every method).

The table asks ``ids`` for the ordered ids of every matching record (filter and sort in SQL, one
narrow query; the default order, newest first, is read from the index on (user_id, date, id)
without a sort) and ``rows`` for the records it shows, by id. ``list`` returns pages with their
total for other callers: ``ORDER BY sort_col, id LIMIT n``; a page after the first can seek past the
previous page's last row (``RecordQuery.after``, keyset paging) so pages neither overlap nor skip
rows added or deleted meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from desktop.db.models import MedicalRecord, User
from desktop.domain import validation as v
from desktop.domain.dto import RECORD_SORT_COLUMNS, AuditEntryDTO, Page, RecordDraft, RecordDTO, RecordQuery
from desktop.domain.entry_rules import record_values, search_text
from desktop.domain.enums import Role
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.context import ServiceContext
from desktop.services.owned_rows import OwnedRows
from desktop.services.rows import text_matches, to_dataclass

ENTITY = "medicalrecord"
NOUN = "Record"
LABEL = "record"


def to_dto(row: Any) -> RecordDTO:
    """From an ORM MedicalRecord or a Core row of its table (rows.load_in_order)."""
    return to_dataclass(RecordDTO, row)


def _conditions(patient_id: str, query: RecordQuery) -> list[Any]:
    conditions: list[Any] = [MedicalRecord.user_id == patient_id]
    search = search_text(query.text)
    if search:
        conditions.append(
            text_matches(
                search, MedicalRecord.type, MedicalRecord.result, MedicalRecord.doctor, MedicalRecord.notes
            )
        )
    if query.status:
        conditions.append(MedicalRecord.status == v.record_status(query.status).value)
    if query.date_from is not None:
        conditions.append(MedicalRecord.date >= v.iso_date(query.date_from, "From date"))
    if query.date_to is not None:
        conditions.append(MedicalRecord.date <= v.iso_date(query.date_to, "To date"))
    return conditions


def _filters_on_row(query: RecordQuery) -> bool:
    """Whether ``query`` filters on what only the record itself holds (text, status), not the index
    on (user_id, date, id): then the patient's records are best read in table order and the matches
    sorted, rather than walked in date order through that index (desktop/db/plan_forms.py)."""
    return bool(search_text(query.text) or query.status)


def _describe(row: Any) -> str:
    return f"{row.type} ({row.date})"


def _doctor_by_default(author: User) -> Mapping[str, object]:
    """A record a clinician writes names them as the doctor unless the draft names someone."""
    return {"doctor": author.name} if author.role == Role.CLINICIAN.value else {}


@policed
class RecordService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._rows = OwnedRows(
            ctx, MedicalRecord, entity=ENTITY, label=LABEL, noun=NOUN, describe=_describe, to_dto=to_dto
        )

    @policy_action(Action.CHART_READ_MEDICAL)
    def list(
        self, token: str, query: RecordQuery | None = None, *, patient_id: str | None = None
    ) -> Page[RecordDTO]:
        """One page of the patient's records matching ``query`` plus the total count."""
        query = query or RecordQuery()
        return self._rows.page(
            token, query, RECORD_SORT_COLUMNS, lambda owner: _conditions(owner, query), patient_id
        )

    @policy_action(Action.CHART_READ_MEDICAL)
    def ids(
        self, token: str, query: RecordQuery | None = None, *, patient_id: str | None = None
    ) -> tuple[int, ...]:
        """The ids of the patient's records matching ``query``'s filters, in its order (paging fields
        ignored): the records table holds these and asks ``rows`` for the ones it shows."""
        query = query or RecordQuery()
        sort = v.choice(query.sort, RECORD_SORT_COLUMNS, "Sort column")
        return self._rows.ids(
            token,
            sort,
            query.descending,
            lambda owner: _conditions(owner, query),
            patient_id,
            order_from_index=not _filters_on_row(query),
        )

    @policy_action(Action.CHART_READ_MEDICAL)
    def rows(self, token: str, ids: Sequence[int], *, patient_id: str | None = None) -> tuple[RecordDTO, ...]:
        """The patient's records ``ids`` (at most 1000) in that order; deleted ones are left out."""
        return self._rows.rows(token, ids, patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def count(self, token: str, query: RecordQuery | None = None, *, patient_id: str | None = None) -> int:
        """How many of the patient's records match ``query`` (paging fields ignored)."""
        query = query or RecordQuery()
        return self._rows.count(token, lambda owner: _conditions(owner, query), patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def get(self, token: str, record_id: int, *, patient_id: str | None = None) -> RecordDTO:
        """One record of the patient's chart; NotFoundError for a missing id or another patient's."""
        return self._rows.get(token, record_id, patient_id)

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def create(self, token: str, draft: RecordDraft, *, patient_id: str | None = None) -> RecordDTO:
        """Add a record to the patient's chart; an empty doctor is the clinician writing it."""
        return self._rows.create(token, record_values(draft), patient_id, author_defaults=_doctor_by_default)

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def update(
        self,
        token: str,
        record_id: int,
        draft: RecordDraft,
        expected_version: int,
        *,
        patient_id: str | None = None,
    ) -> RecordDTO:
        """Replace a record's values. ConflictError if it changed since the person loaded
        ``expected_version``; the previous values are kept in the audit log."""
        return self._rows.update(token, record_id, record_values(draft), expected_version, patient_id)

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def delete(
        self,
        token: str,
        record_id: int,
        expected_version: int | None = None,
        *,
        patient_id: str | None = None,
    ) -> None:
        """Delete a record; its last values stay in the audit log. With ``expected_version``, refuse
        (ConflictError) if it changed since the person saw it."""
        self._rows.delete(token, record_id, expected_version, patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def history(
        self, token: str, record_id: int, *, patient_id: str | None = None
    ) -> tuple[AuditEntryDTO, ...]:
        """The record's audit trail, oldest first: creation, every change with its previous values,
        and its deletion (NotFoundError for a record of another chart)."""
        return self._rows.history(token, record_id, patient_id)
