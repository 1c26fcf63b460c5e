"""The signed-in user's medical records, fetched page by page from RecordService.list.

Sorting by a column and the text/status filters are passed to the service, which does them in SQL
(ORDER BY sort_col, id LIMIT n; later pages seek past the previous page's last row with the cursor
the service hands back), so 100k records open as fast as ten and the last page costs what the first does.
The status column carries its colour as a dot icon (DecorationRole, see delegates/status_delegate.py)
and as a QColor under ``StatusColourRole``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from desktop.domain.dto import Page, RecordDTO, RecordQuery
from desktop.domain.enums import RecordStatus
from desktop.ui.delegates.status_delegate import status_dot
from desktop.ui.tablemodels.paged_model import Index, PagedTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

StatusColourRole = Qt.ItemDataRole.UserRole + 2

STATUS_COLUMN = 4


def status_label(value: str) -> str:
    try:
        return RecordStatus(value).label
    except ValueError:
        return value


class RecordsModel(PagedTableModel[RecordDTO]):
    KEYSET = True
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
        self.query = RecordQuery(limit=self.PAGE_SIZE, sort="date", descending=True)

    def fetch_page(self, offset: int, limit: int, after: str | None = None) -> Page[RecordDTO]:
        query = replace(self.query, offset=offset, limit=limit, after=after)
        return self.ctx.services.records.list(self.ctx.token, query, patient_id=self.patient_id)

    def display(self, dto: RecordDTO, column: int) -> str:
        if column == STATUS_COLUMN:
            return status_label(dto.status)
        text = super().display(dto, column)
        return text.replace("\n", " ") if column == 5 else text

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == StatusColourRole and index.isValid():
            dto = self.dto(index.row())
            return QColor(dto.status_color) if dto is not None and dto.status_color else None
        if role == Qt.ItemDataRole.DecorationRole and index.column() == STATUS_COLUMN:
            dto = self.dto(index.row())
            return status_dot(dto.status_color) if dto is not None and dto.status_color else None
        return super().data(index, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.COLUMNS[column][2] if 0 <= column < len(self.COLUMNS) else None
        if key is None:
            return
        self.query = replace(self.query, sort=key, descending=order == Qt.SortOrder.DescendingOrder)
        self.reload()

    def set_filter(self, text: str = "", status: str | None = None) -> None:
        """Filter by text (type, result, doctor, notes) and status; reloads from the first page."""
        self.query = replace(self.query, text=text.strip(), status=status or None)  # "" = any status
        self.reload()
