"""The signed-in user's family history, paged (keyset), sorted and filtered by FamilyService in SQL."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from desktop.domain.dto import FamilyDTO, FamilyQuery, Page
from desktop.ui.tablemodels.paged_model import PagedTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class FamilyModel(PagedTableModel[FamilyDTO]):
    KEYSET = True
    COLUMNS = (
        ("Relation", "relation", "relation"),
        ("Age", "age", "age"),
        ("Condition", "condition", "condition"),
    )

    def __init__(self, ctx: UiContext, patient_id: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id  # whose chart (None: the signed-in patient's own)
        self.query = FamilyQuery(limit=self.PAGE_SIZE, sort="created_at", descending=True)

    def fetch_page(self, offset: int, limit: int, after: str | None = None) -> Page[FamilyDTO]:
        query = replace(self.query, offset=offset, limit=limit, after=after)
        return self.ctx.services.family.list(self.ctx.token, query, patient_id=self.patient_id)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.COLUMNS[column][2] if 0 <= column < len(self.COLUMNS) else None
        if key is None:
            return
        self.query = replace(self.query, sort=key, descending=order == Qt.SortOrder.DescendingOrder)
        self.reload()

    def set_filter(self, text: str = "") -> None:
        self.query = replace(self.query, text=text.strip())
        self.reload()
