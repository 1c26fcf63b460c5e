"""A chart's family history: ids sorted and filtered by FamilyService in SQL, rows on demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.domain.dto import FamilyDTO, FamilyQuery
from desktop.ui.tablemodels.id_list_model import IdListTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class FamilyModel(IdListTableModel[FamilyDTO]):
    COLUMNS = (
        ("Relation", "relation", "relation"),
        ("Age", "age", "age"),
        ("Condition", "condition", "condition"),
    )

    def __init__(self, ctx: UiContext, patient_id: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id  # whose chart (None: the signed-in patient's own)
        self.query = FamilyQuery(sort="created_at", descending=True)

    def fetch_ids(self) -> Sequence[int]:
        return self.ctx.services.family.ids(self.ctx.token, self.query, patient_id=self.patient_id)

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[FamilyDTO]:
        return self.ctx.services.family.rows(self.ctx.token, ids, patient_id=self.patient_id)

    def set_order(self, key: str, descending: bool) -> None:
        self.query = replace(self.query, sort=key, descending=descending)

    def set_filter(self, text: str = "") -> None:
        self.query = replace(self.query, text=text.strip())
        self.reload()
