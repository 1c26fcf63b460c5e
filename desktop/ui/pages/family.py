"""Family history page: same pattern as the medical records (SQL-side filter and sort, paged model)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.domain.dto import AuditEntryDTO, FamilyDTO
from desktop.domain.patient_dto import PatientDTO
from desktop.ui.dialogs.family_dialog import FamilyDialog
from desktop.ui.pages.table_page import TablePage
from desktop.ui.tablemodels.family_model import FamilyModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class FamilyPage(TablePage[FamilyDTO]):
    title = "Family history"
    noun = "entry"
    plural = "entries"
    search_hint = "Search relation or condition (Ctrl+F)"
    default_sort_column = 0
    default_sort_order = Qt.SortOrder.AscendingOrder

    def __init__(
        self, ctx: UiContext, patient: PatientDTO | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, patient, parent)

    def make_model(self) -> FamilyModel:
        return FamilyModel(self.ctx, self.patient_id, self)

    def setup_extra(self) -> None:
        metrics, header = self.fontMetrics(), self.view.horizontalHeader()
        header.resizeSection(0, metrics.horizontalAdvance("Grandmother") + metrics.height() * 3)
        header.resizeSection(1, metrics.horizontalAdvance("Age 130") + metrics.height() * 2)

    def make_dialog(self, dto: FamilyDTO | None) -> FamilyDialog:
        return FamilyDialog(self.ctx, dto, self, patient_id=self.patient_id)

    def delete_call(self, token: str, dto: FamilyDTO) -> None:
        self.ctx.services.family.delete(token, dto.id, dto.version, patient_id=self.patient_id)

    def history_call(self, token: str, dto: FamilyDTO) -> Sequence[AuditEntryDTO]:
        return self.ctx.services.family.history(token, dto.id, patient_id=self.patient_id)

    def describe(self, dto: FamilyDTO) -> str:
        return f"the entry \u201c{dto.relation}: {dto.condition}\u201d"
