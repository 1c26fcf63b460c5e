"""Audit log entries for admins, paged and filtered by AuditService in SQL (newest first by default)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from desktop.domain.dto import AuditEntryDTO, AuditQuery, Page
from desktop.ui.tablemodels.paged_model import PagedTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class AuditModel(PagedTableModel[AuditEntryDTO]):
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
        self.query = AuditQuery(limit=self.PAGE_SIZE)

    def fetch_page(self, offset: int, limit: int, after: str | None = None) -> Page[AuditEntryDTO]:
        return self.ctx.services.audit.list(self.ctx.token, replace(self.query, offset=offset, limit=limit))

    def display(self, dto: AuditEntryDTO, column: int) -> str:
        if column == 0:
            return dto.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if column == 2:
            return str(dto.action).replace("_", " ")
        return super().display(dto, column)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column != 0:
            return
        self.query = replace(self.query, descending=order == Qt.SortOrder.DescendingOrder)
        self.reload()

    def set_filter(self, **changes: Any) -> None:
        """Change any AuditQuery filter field (text, action, user_id, date_from, date_to) and reload."""
        self.query = replace(self.query, **changes)
        self.reload()
