"""A chart's medical records: the ordered ids from RecordService.ids, rows on demand.

Sorting by a column and the text/status filters are passed to the service, which does them in SQL
and returns only the ids (ORDER BY sort_col, id), so 100k records open, sort and scroll to the end
without reading 100k rows. The status column carries its colour as a dot icon (DecorationRole, see
delegates/status_delegate.py) and as a QColor under ``StatusColourRole``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from desktop.domain.dto import RecordDTO, RecordQuery
from desktop.domain.enums import RecordStatus
from desktop.ui.delegates.status_delegate import status_dot
from desktop.ui.tablemodels.id_list_model import IdListTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

StatusColourRole = Qt.ItemDataRole.UserRole + 2

STATUS_COLUMN = 4
NOTES_COLUMN = 5


def status_label(value: str) -> str:
    try:
        return RecordStatus(value).label
    except ValueError:
        return value


class RecordsModel(IdListTableModel[RecordDTO]):
    COLUMNS = (
        ("Date", "date", "date"),
        ("Type", "type", "type"),
        ("Result", "result", "result"),
        ("Doctor", "doctor", "doctor"),
        ("Status", "status", "status"),
        ("Notes", "notes", None),
    )

    def __init__(self, ctx: UiContext, patient_id: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id  # whose chart (None: the signed-in patient's own)
        self.query = RecordQuery(sort="date", descending=True)

    def fetch_ids(self) -> Sequence[int]:
        return self.ctx.services.records.ids(self.ctx.token, self.query, patient_id=self.patient_id)

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[RecordDTO]:
        return self.ctx.services.records.rows(self.ctx.token, ids, patient_id=self.patient_id)

    def set_order(self, key: str, descending: bool) -> None:
        self.query = replace(self.query, sort=key, descending=descending)

    def display(self, dto: RecordDTO, column: int) -> str:
        if column == STATUS_COLUMN:
            return status_label(dto.status)
        text = super().display(dto, column)
        return text.replace("\n", " ") if column == NOTES_COLUMN else text

    def cell(self, dto: RecordDTO, column: int, role: int) -> Any:
        if role == StatusColourRole:
            return QColor(dto.status_color) if dto.status_color else None
        if role == Qt.ItemDataRole.DecorationRole and column == STATUS_COLUMN:
            return status_dot(dto.status_color) if dto.status_color else None
        return None

    def set_filter(self, text: str = "", status: str | None = None) -> None:
        """Filter by text (type, result, doctor, notes) and status, and reload."""
        self.query = replace(self.query, text=text.strip(), status=status or None)  # "" = any status
        self.reload()
