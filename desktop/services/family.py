"""Family history of the signed-in user: paged list, CRUD, history (same rules as records)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from desktop.db.models import FamilyHistory
from desktop.domain import validation as v
from desktop.domain.dto import (
    FAMILY_SORT_COLUMNS,
    AuditAction,
    AuditEntryDTO,
    FamilyDraft,
    FamilyDTO,
    FamilyQuery,
    Page,
)
from desktop.services import audit, rows
from desktop.services.context import ServiceContext
from desktop.services.records import entity_history
from desktop.services.rows import check_version, owned, readable_owner
from desktop.services.sessions import authenticate

ENTITY = "familyhistory"
LABEL = "family history entry"


def to_dto(row: Any) -> FamilyDTO:
    """From an ORM FamilyHistory or a Core row of its table (rows.load_in_order): same attribute names."""
    return FamilyDTO(
        id=row.id,
        relation=row.relation,
        age=row.age,
        condition=row.condition,
        created_at=row.created_at,
        version=row.version_id,
    )


def validate(draft: FamilyDraft) -> dict[str, Any]:
    errors = v.FieldErrors()
    values = {
        "relation": errors.check(
            "relation", v.text, draft.relation, "Relation", max_length=50, required=True
        ),
        "age": errors.check("age", v.integer, draft.age, "Age", minimum=0, maximum=130),
        "condition": errors.check(
            "condition", v.text, draft.condition, "Condition", max_length=200, required=True
        ),
    }
    errors.raise_if_any()
    return values


class FamilyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(
        self, token: str, query: FamilyQuery | None = None, *, owner_id: str | None = None
    ) -> Page[FamilyDTO]:
        """One page of family-history entries (``text`` matches relation and condition) + the total;
        ``query.after`` continues after the previous page's ``next_cursor`` (keyset paging)."""
        query = query or FamilyQuery()
        offset, limit = v.page(query.offset, query.limit)
        sort = v.choice(query.sort, FAMILY_SORT_COLUMNS, "Sort column")
        search = v.text(query.text, "Search text", max_length=200)
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            conditions: list[Any] = [FamilyHistory.user_id == readable_owner(self._ctx, user, owner_id)]
            if search:
                pattern = audit.like_pattern(search)
                conditions.append(
                    or_(
                        func.lower(FamilyHistory.relation).like(pattern, escape="\\"),
                        func.lower(FamilyHistory.condition).like(pattern, escape="\\"),
                    )
                )
            total = s.scalar(select(func.count()).select_from(FamilyHistory).where(*conditions)) or 0
            # Keyset paging, as in records.py: later pages seek past the previous page's last row.
            ids, next_cursor = rows.page_keys(
                s,
                FamilyHistory,
                conditions,
                sort,
                descending=query.descending,
                offset=offset,
                limit=limit,
                after=query.after,
            )
            found = rows.load_in_order(s, FamilyHistory, ids)
            return Page(rows=tuple(to_dto(r) for r in found), total=int(total), next_cursor=next_cursor)

    def get(self, token: str, entry_id: int, *, owner_id: str | None = None) -> FamilyDTO:
        """One entry of the signed-in user; NotFoundError for a missing id or someone else's."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return to_dto(owned(s, FamilyHistory, entry_id, readable_owner(self._ctx, user, owner_id), LABEL))

    def create(self, token: str, draft: FamilyDraft) -> FamilyDTO:
        """Add an entry for the signed-in user."""
        values = validate(draft)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = FamilyHistory(user_id=user.id, created_at=self._ctx.now(), **values)
            s.add(row)
            s.flush()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.CREATE,
                user=user,
                entity=ENTITY,
                entity_id=row.id,
                summary=f"Family history added: {row.relation}",
                after=audit.row_values(row),
            )
            s.commit()
            return to_dto(row)

    def update(self, token: str, entry_id: int, draft: FamilyDraft, expected_version: int) -> FamilyDTO:
        """Replace an entry's values (ConflictError if changed since ``expected_version``)."""
        values = validate(draft)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = owned(s, FamilyHistory, entry_id, user.id, LABEL)
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
                summary=f"Family history changed: {row.relation}",
                before=before,
                after=audit.row_values(row),
            )
            s.commit()
            return to_dto(row)

    def delete(self, token: str, entry_id: int, expected_version: int | None = None) -> None:
        """Delete an entry; its last values stay in the audit log."""
        audit.delete_owned(
            self._ctx,
            token,
            FamilyHistory,
            entry_id,
            label=LABEL,
            entity=ENTITY,
            summary=lambda row: f"Family history deleted: {row.relation}",
            expected_version=expected_version,
        )

    def history(self, token: str, entry_id: int) -> tuple[AuditEntryDTO, ...]:
        """The entry's audit trail, oldest first (owner only)."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return entity_history(s, ENTITY, entry_id, user.id, LABEL)
