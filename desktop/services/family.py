"""Family history of a patient's chart: id list and rows for the table, paged list, CRUD, history
(same rules and ``patient_id`` as records)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from desktop.db.models import FamilyHistory
from desktop.domain import validation as v
from desktop.domain.dto import FAMILY_SORT_COLUMNS, AuditEntryDTO, FamilyDraft, FamilyDTO, FamilyQuery, Page
from desktop.domain.entry_rules import family_values, search_text
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.context import ServiceContext
from desktop.services.owned_rows import OwnedRows
from desktop.services.rows import text_matches, to_dataclass

ENTITY = "familyhistory"
NOUN = "Family history"
LABEL = "family history entry"


def to_dto(row: Any) -> FamilyDTO:
    """From an ORM FamilyHistory or a Core row of its table (rows.load_in_order)."""
    return to_dataclass(FamilyDTO, row)


def _conditions(query: FamilyQuery) -> Callable[[str], list[Any]]:
    """The SQL filter of ``query`` for one owner (``text`` matches relation and condition)."""
    search = search_text(query.text)

    def conditions(owner: str) -> list[Any]:
        where: list[Any] = [FamilyHistory.user_id == owner]
        if search:
            where.append(text_matches(search, FamilyHistory.relation, FamilyHistory.condition))
        return where

    return conditions


def _describe(row: Any) -> str:
    return str(row.relation)


@policed
class FamilyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._rows = OwnedRows(
            ctx, FamilyHistory, entity=ENTITY, label=LABEL, noun=NOUN, describe=_describe, to_dto=to_dto
        )

    @policy_action(Action.CHART_READ_MEDICAL)
    def list(
        self, token: str, query: FamilyQuery | None = None, *, patient_id: str | None = None
    ) -> Page[FamilyDTO]:
        """One page of the patient's family-history entries (``text`` matches relation and condition)
        + the total; ``query.after`` continues after the previous page's ``next_cursor``."""
        query = query or FamilyQuery()
        return self._rows.page(token, query, FAMILY_SORT_COLUMNS, _conditions(query), patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def ids(
        self, token: str, query: FamilyQuery | None = None, *, patient_id: str | None = None
    ) -> tuple[int, ...]:
        """The ids of the patient's entries matching ``query``'s filter, in its order (paging fields
        ignored)."""
        query = query or FamilyQuery()
        sort = v.choice(query.sort, FAMILY_SORT_COLUMNS, "Sort column")
        return self._rows.ids(token, sort, query.descending, _conditions(query), patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def rows(self, token: str, ids: Sequence[int], *, patient_id: str | None = None) -> tuple[FamilyDTO, ...]:
        """The patient's entries ``ids`` (at most 1000) in that order; deleted ones are left out."""
        return self._rows.rows(token, ids, patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def get(self, token: str, entry_id: int, *, patient_id: str | None = None) -> FamilyDTO:
        """One entry of the patient's chart; NotFoundError for a missing id or another patient's."""
        return self._rows.get(token, entry_id, patient_id)

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def create(self, token: str, draft: FamilyDraft, *, patient_id: str | None = None) -> FamilyDTO:
        """Add an entry to the patient's chart."""
        return self._rows.create(token, family_values(draft), patient_id)

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def update(
        self,
        token: str,
        entry_id: int,
        draft: FamilyDraft,
        expected_version: int,
        *,
        patient_id: str | None = None,
    ) -> FamilyDTO:
        """Replace an entry's values (ConflictError if changed since ``expected_version``)."""
        return self._rows.update(token, entry_id, family_values(draft), expected_version, patient_id)

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def delete(
        self, token: str, entry_id: int, expected_version: int | None = None, *, patient_id: str | None = None
    ) -> None:
        """Delete an entry; its last values stay in the audit log."""
        self._rows.delete(token, entry_id, expected_version, patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def history(
        self, token: str, entry_id: int, *, patient_id: str | None = None
    ) -> tuple[AuditEntryDTO, ...]:
        """The entry's audit trail, oldest first."""
        return self._rows.history(token, entry_id, patient_id)
