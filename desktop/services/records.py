"""Medical records of the signed-in user: paged/sorted/filtered lists in SQL, CRUD, history.

Lists are built for a table model that fetches pages as the user scrolls: the total is one COUNT
over the owner's index, each page one ORDER BY sort_col, id LIMIT n with ``id`` as the tie breaker.
A page after the first seeks past the previous page's last row (``RecordQuery.after``, keyset
paging) so pages never overlap or skip rows even when rows are added or deleted meanwhile, and the
last page costs what the first does. ``offset`` still works for callers that want page n.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from desktop.db.models import MedicalRecord
from desktop.domain import validation as v
from desktop.domain.dto import RECORD_SORT_COLUMNS, AuditEntryDTO, Page, RecordDraft, RecordDTO, RecordQuery
from desktop.domain.entry_rules import record_values, search_text
from desktop.services.context import ServiceContext
from desktop.services.owned_rows import OwnedRows
from desktop.services.rows import readable_owner, text_matches, to_dataclass
from desktop.services.sessions import authenticate

ENTITY = "medicalrecord"
NOUN = "Record"
LABEL = "record"


def to_dto(row: Any) -> RecordDTO:
    """From an ORM MedicalRecord or a Core row of its table (rows.load_in_order)."""
    return to_dataclass(RecordDTO, row)


def _conditions(owner_id: str, query: RecordQuery) -> list[Any]:
    conditions: list[Any] = [MedicalRecord.user_id == owner_id]
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


def _describe(row: Any) -> str:
    return f"{row.type} ({row.date})"


class RecordService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._rows = OwnedRows(
            ctx, MedicalRecord, entity=ENTITY, label=LABEL, noun=NOUN, describe=_describe, to_dto=to_dto
        )

    def list(
        self, token: str, query: RecordQuery | None = None, *, owner_id: str | None = None
    ) -> Page[RecordDTO]:
        """One page of records matching ``query`` plus the total count.

        ``owner_id`` lets an administrator read another account's records, only when the setting
        ``admin_can_read_medical_data`` is on (PermissionDeniedError otherwise).
        """
        query = query or RecordQuery()
        return self._rows.page(
            token, query, RECORD_SORT_COLUMNS, lambda owner: _conditions(owner, query), owner_id
        )

    def count(self, token: str, query: RecordQuery | None = None, *, owner_id: str | None = None) -> int:
        """How many records match ``query`` (paging fields ignored): one indexed COUNT."""
        query = query or RecordQuery()
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            owner = readable_owner(self._ctx, user, owner_id)
            return int(
                s.scalar(select(func.count()).select_from(MedicalRecord).where(*_conditions(owner, query)))
                or 0
            )

    def get(self, token: str, record_id: int, *, owner_id: str | None = None) -> RecordDTO:
        """One record of the signed-in user; NotFoundError for a missing id or someone else's."""
        return self._rows.get(token, record_id, owner_id)

    def create(self, token: str, draft: RecordDraft) -> RecordDTO:
        """Add a record for the signed-in user."""
        return self._rows.create(token, record_values(draft))

    def update(self, token: str, record_id: int, draft: RecordDraft, expected_version: int) -> RecordDTO:
        """Replace a record's values. ConflictError if it changed since the user loaded
        ``expected_version``; the previous values are kept in the audit log."""
        return self._rows.update(token, record_id, record_values(draft), expected_version)

    def delete(self, token: str, record_id: int, expected_version: int | None = None) -> None:
        """Delete a record; its last values stay in the audit log. With ``expected_version``, refuse
        (ConflictError) if it changed since the user saw it."""
        self._rows.delete(token, record_id, expected_version)

    def history(self, token: str, record_id: int) -> tuple[AuditEntryDTO, ...]:
        """The record's audit trail, oldest first: creation, every change with its previous values,
        and its deletion. Only the owner can read it (NotFoundError otherwise)."""
        return self._rows.history(token, record_id)
