"""Medical records page: the signed-in user's records, filtered and sorted in SQL, fetched as you scroll.

Status is drawn with its colour (delegates/status_delegate.py); add/edit in dialogs/record_dialog.py;
a record's earlier values come from the audit log (History...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QHeaderView, QWidget

from desktop.domain.dto import AuditEntryDTO, RecordDTO
from desktop.domain.enums import RecordStatus
from desktop.domain.patient_dto import PatientDTO
from desktop.ui.delegates.status_delegate import StatusDelegate
from desktop.ui.dialogs.record_dialog import RecordDialog
from desktop.ui.pages.table_page import TablePage
from desktop.ui.tablemodels.records_model import STATUS_COLUMN, RecordsModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class RecordsPage(TablePage[RecordDTO]):
    title = "Medical records"
    noun = "record"
    search_hint = "Search type, result, doctor or notes (Ctrl+F)"

    def __init__(
        self, ctx: UiContext, patient: PatientDTO | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, patient, parent)

    def make_model(self) -> RecordsModel:
        return RecordsModel(self.ctx, self.patient_id, self)

    def setup_extra(self) -> None:
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Filter by status")
        self.status_filter.addItem("All statuses", "")  # "" means no filter
        for status in RecordStatus:
            self.status_filter.addItem(status.label, status.value)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.filters.addWidget(self.status_filter)
        self.view.setItemDelegateForColumn(STATUS_COLUMN, StatusDelegate(self.view))
        metrics = self.fontMetrics()
        header = self.view.horizontalHeader()
        for column, sample in enumerate(
            ("2026-12-31", "Blood test panel", "Awaiting pathology", "Dr. Someone", "Follow up")
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + metrics.height() * 3)
        header.setSectionResizeMode(len(RecordsModel.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.setTabOrder(self.search, self.status_filter)

    def filter_args(self) -> dict[str, Any]:
        return {"text": self.search.text(), "status": self.status_filter.currentData() or None}

    def make_dialog(self, dto: RecordDTO | None) -> RecordDialog:
        return RecordDialog(self.ctx, dto, self, patient_id=self.patient_id)

    def delete_call(self, token: str, dto: RecordDTO) -> None:
        self.ctx.services.records.delete(token, dto.id, dto.version, patient_id=self.patient_id)

    def history_call(self, token: str, dto: RecordDTO) -> Sequence[AuditEntryDTO]:
        return self.ctx.services.records.history(token, dto.id, patient_id=self.patient_id)

    def describe(self, dto: RecordDTO) -> str:
        return f"the record \u201c{dto.type}\u201d of {dto.date}"
