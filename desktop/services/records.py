"""Medical records of the signed-in user: paged/sorted/filtered lists in SQL, CRUD, history.

Lists are built for a table model that fetches pages as the user scrolls: the total is one COUNT
over the owner's index, each page one ORDER BY sort_col, id LIMIT n with ``id`` as the tie breaker.
A page after the first seeks past the previous page's last row (``RecordQuery.after``, keyset
paging) so pages never overlap or skip rows even when rows are added or deleted meanwhile, and the
last page costs what the first does. ``offset`` still works for callers that want page n.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AuditLog, MedicalRecord
from desktop.domain import validation as v
from desktop.domain.dto import (
    RECORD_SORT_COLUMNS,
    AuditAction,
    AuditEntryDTO,
    Page,
    RecordDraft,
    RecordDTO,
    RecordQuery,
)
from desktop.domain.enums import RecordStatus
from desktop.domain.errors import NotFoundError
from desktop.services import audit, rows
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version, owned, readable_owner, row_id
from desktop.services.sessions import authenticate

ENTITY = "medicalrecord"
LABEL = "record"


def to_dto(row: Any) -> RecordDTO:
    """From an ORM MedicalRecord or a Core row of its table (rows.load_in_order): same attribute names."""
    return RecordDTO(
        id=row.id,
        date=row.date,
        type=row.type,
        result=row.result,
        doctor=row.doctor,
        notes=row.notes,
        status=row.status,
        status_color=row.status_color,
        created_at=row.created_at,
        version=row.version_id,
    )


def validate(draft: RecordDraft) -> dict[str, Any]:
    errors = v.FieldErrors()
    values: dict[str, Any] = {
        "date": errors.check("date", v.iso_date, draft.date),
        "type": errors.check("type", v.text, draft.type, "Type", max_length=100, required=True),
        "result": errors.check("result", v.text, draft.result, "Result", max_length=100),
        "doctor": errors.check("doctor", v.text, draft.doctor, "Doctor", max_length=100),
        "notes": errors.check("notes", v.text, draft.notes, "Notes", max_length=1000, multiline=True),
    }
    status = errors.check("status", v.record_status, draft.status)
    errors.raise_if_any()
    assert isinstance(status, RecordStatus)
    values["status"] = status.value
    values["status_color"] = status.colour
    return values


def _conditions(owner_id: str, query: RecordQuery) -> list[Any]:
    conditions: list[Any] = [MedicalRecord.user_id == owner_id]
    search = v.text(query.text, "Search text", max_length=200)
    if search:
        pattern = audit.like_pattern(search)
        conditions.append(
            or_(
                *(
                    func.lower(col).like(pattern, escape="\\")
                    for col in (
                        MedicalRecord.type,
                        MedicalRecord.result,
                        MedicalRecord.doctor,
                        MedicalRecord.notes,
                    )
                )
            )
        )
    if query.status:
        conditions.append(MedicalRecord.status == v.record_status(query.status).value)
    if query.date_from is not None:
        conditions.append(MedicalRecord.date >= v.iso_date(query.date_from, "From date"))
    if query.date_to is not None:
        conditions.append(MedicalRecord.date <= v.iso_date(query.date_to, "To date"))
    return conditions


class RecordService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(
        self, token: str, query: RecordQuery | None = None, *, owner_id: str | None = None
    ) -> Page[RecordDTO]:
        """One page of records matching ``query`` plus the total count.

        ``owner_id`` lets an administrator read another account's records, only when the setting
        ``admin_can_read_medical_data`` is on (PermissionDeniedError otherwise).
        """
        query = query or RecordQuery()
        offset, limit = v.page(query.offset, query.limit)
        sort = v.choice(query.sort, RECORD_SORT_COLUMNS, "Sort column")
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            owner = readable_owner(self._ctx, user, owner_id)
            conditions = _conditions(owner, query)
            total = s.scalar(select(func.count()).select_from(MedicalRecord).where(*conditions)) or 0
            # Keyset paging (rows.page_keys): a deep page seeks past the previous page's last row
            # instead of skipping OFFSET rows; only (id, key) pairs are sorted, then the page's rows
            # are loaded by id (sorting whole rows was about 20x slower on SQLite).
            ids, next_cursor = rows.page_keys(
                s,
                MedicalRecord,
                conditions,
                sort,
                descending=query.descending,
                offset=offset,
                limit=limit,
                after=query.after,
            )
            found = rows.load_in_order(s, MedicalRecord, ids)
            return Page(rows=tuple(to_dto(r) for r in found), total=int(total), next_cursor=next_cursor)

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
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            owner = readable_owner(self._ctx, user, owner_id)
            return to_dto(owned(s, MedicalRecord, record_id, owner, LABEL))

    def create(self, token: str, draft: RecordDraft) -> RecordDTO:
        """Add a record for the signed-in user."""
        values = validate(draft)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = MedicalRecord(user_id=user.id, created_at=self._ctx.now(), **values)
            s.add(row)
            s.flush()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.CREATE,
                user=user,
                entity=ENTITY,
                entity_id=row.id,
                summary=f"Record added: {row.type} ({row.date})",
                after=audit.row_values(row),
            )
            s.commit()
            return to_dto(row)

    def update(self, token: str, record_id: int, draft: RecordDraft, expected_version: int) -> RecordDTO:
        """Replace a record's values. ConflictError if it changed since the user loaded
        ``expected_version``; the previous values are kept in the audit log."""
        values = validate(draft)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = owned(s, MedicalRecord, record_id, user.id, LABEL)
            check_version(row, expected_version)
            before = audit.row_values(row)
            for key, value in values.items():
                setattr(row, key, value)
            s.flush()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.UPDATE,
                user=user,
                entity=ENTITY,
                entity_id=row.id,
                summary=f"Record changed: {row.type} ({row.date})",
                before=before,
                after=audit.row_values(row),
            )
            s.commit()
            return to_dto(row)

    def delete(self, token: str, record_id: int, expected_version: int | None = None) -> None:
        """Delete a record; its last values stay in the audit log. With ``expected_version``, refuse
        (ConflictError) if it changed since the user saw it."""
        audit.delete_owned(
            self._ctx,
            token,
            MedicalRecord,
            record_id,
            label=LABEL,
            entity=ENTITY,
            summary=lambda row: f"Record deleted: {row.type} ({row.date})",
            expected_version=expected_version,
        )

    def history(self, token: str, record_id: int) -> tuple[AuditEntryDTO, ...]:
        """The record's audit trail, oldest first: creation, every change with its previous values,
        and its deletion. Only the owner can read it (NotFoundError otherwise)."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return entity_history(s, ENTITY, record_id, user.id, LABEL)


def entity_history(
    s: OrmSession, entity: str, ident: object, owner_id: str, label: str
) -> tuple[AuditEntryDTO, ...]:
    """Audit rows about one row written by its owner (the only account that can change it)."""
    key = row_id(ident, label)
    rows = list(
        s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id == str(key), AuditLog.user_id == owner_id)
            .order_by(AuditLog.created_at, AuditLog.id)
        )
    )
    if not rows:
        raise NotFoundError(f"This {label} no longer exists.")
    # SQLite may reuse the id of a deleted row: show only the latest life of this id.
    last_create = max((i for i, r in enumerate(rows) if r.action == AuditAction.CREATE), default=0)
    return tuple(audit.to_dto(r) for r in rows[last_create:])
