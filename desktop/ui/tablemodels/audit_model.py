"""Audit log entries for admins: ids filtered and ordered by AuditService in SQL (newest first by
default), entries fetched as they are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.domain.dto import AuditEntryDTO, AuditQuery
from desktop.ui.formatting import action_label, entity_label
from desktop.ui.tablemodels.id_list_model import IdListTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class AuditModel(IdListTableModel[AuditEntryDTO]):
    COLUMNS = (
        ("When", "created_at", "created_at"),
        ("Who", "actor", None),
        ("Action", "action", None),
        ("Entity", "entity", None),
        ("Id", "entity_id", None),
        ("Summary", "summary", None),
    )

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.query = AuditQuery()

    def fetch_ids(self) -> Sequence[int]:
        return self.ctx.services.audit.ids(self.ctx.token, self.query)

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[AuditEntryDTO]:
        return self.ctx.services.audit.rows(self.ctx.token, ids)

    def set_order(self, key: str, descending: bool) -> None:
        self.query = replace(self.query, descending=descending)  # the time is the only order

    def display(self, dto: AuditEntryDTO, column: int) -> str:
        if column == 0:
            return dto.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if column == 2:
            return action_label(dto.action)
        if column == 3:
            return entity_label(dto.entity)
        return super().display(dto, column)

    def set_filter(self, **changes: Any) -> None:
        """Change any AuditQuery filter field (text, action, user_id, date_from, date_to) and reload."""
        self.query = replace(self.query, **changes)
        self.reload()
