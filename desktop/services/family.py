"""Family history of the signed-in user: paged list, CRUD, history (same rules as records)."""

from __future__ import annotations

from typing import Any

from desktop.db.models import FamilyHistory
from desktop.domain.dto import FAMILY_SORT_COLUMNS, AuditEntryDTO, FamilyDraft, FamilyDTO, FamilyQuery, Page
from desktop.domain.entry_rules import family_values, search_text
from desktop.services.context import ServiceContext
from desktop.services.owned_rows import OwnedRows
from desktop.services.rows import text_matches, to_dataclass

ENTITY = "familyhistory"
NOUN = "Family history"
LABEL = "family history entry"


def to_dto(row: Any) -> FamilyDTO:
    """From an ORM FamilyHistory or a Core row of its table (rows.load_in_order)."""
    return to_dataclass(FamilyDTO, row)


def _describe(row: Any) -> str:
    return str(row.relation)


class FamilyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._rows = OwnedRows(
            ctx, FamilyHistory, entity=ENTITY, label=LABEL, noun=NOUN, describe=_describe, to_dto=to_dto
        )

    def list(
        self, token: str, query: FamilyQuery | None = None, *, owner_id: str | None = None
    ) -> Page[FamilyDTO]:
        """One page of family-history entries (``text`` matches relation and condition) + the total;
        ``query.after`` continues after the previous page's ``next_cursor`` (keyset paging)."""
        query = query or FamilyQuery()
        search = search_text(query.text)

        def conditions(owner: str) -> list[Any]:
            where: list[Any] = [FamilyHistory.user_id == owner]
            if search:
                where.append(text_matches(search, FamilyHistory.relation, FamilyHistory.condition))
            return where

        return self._rows.page(token, query, FAMILY_SORT_COLUMNS, conditions, owner_id)

    def get(self, token: str, entry_id: int, *, owner_id: str | None = None) -> FamilyDTO:
        """One entry of the signed-in user; NotFoundError for a missing id or someone else's."""
        return self._rows.get(token, entry_id, owner_id)

    def create(self, token: str, draft: FamilyDraft) -> FamilyDTO:
        """Add an entry for the signed-in user."""
        return self._rows.create(token, family_values(draft))

    def update(self, token: str, entry_id: int, draft: FamilyDraft, expected_version: int) -> FamilyDTO:
        """Replace an entry's values (ConflictError if changed since ``expected_version``)."""
        return self._rows.update(token, entry_id, family_values(draft), expected_version)

    def delete(self, token: str, entry_id: int, expected_version: int | None = None) -> None:
        """Delete an entry; its last values stay in the audit log."""
        self._rows.delete(token, entry_id, expected_version)

    def history(self, token: str, entry_id: int) -> tuple[AuditEntryDTO, ...]:
        """The entry's audit trail, oldest first (owner only)."""
        return self._rows.history(token, entry_id)
