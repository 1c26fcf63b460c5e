"""Marks, in a list of saved predictions, those made from measurements outside the training range.

Whether a stored prediction is reliable depends on the installed model's training ranges, which the
page reads from the model card after the list is shown; this proxy adds the mark to the prediction
column (and names the measurements in its tooltip) without the list model having to know the card.
Rows and columns are the source's, so selections and row numbers carry over unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QIdentityProxyModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.domain.prediction import not_reliable_text, outside_training_range

#: What the prediction column adds to an unreliable prediction.
NOT_RELIABLE_MARK = "not reliable"


class UnreliableMarker(QIdentityProxyModel):
    def __init__(self, column: int, item_role: int, parent: Any = None) -> None:
        """``column`` shows the prediction; ``item_role`` returns the row's SavedPrediction."""
        super().__init__(parent)
        self._column = column
        self._item_role = item_role
        self._ranges: Mapping[str, tuple[float, float]] = {}

    def set_ranges(self, ranges: Mapping[str, tuple[float, float]]) -> None:
        self._ranges = dict(ranges)
        rows, columns = self.rowCount(), self.columnCount()
        if rows and columns:
            self.dataChanged.emit(self.index(0, self._column), self.index(rows - 1, self._column))

    def outside(self, row: int) -> tuple[str, ...]:
        """The measurements of ``row`` outside the training range (none before the card is read)."""
        item = self.index(row, 0).data(self._item_role)
        return outside_training_range(item.features, self._ranges) if item is not None else ()

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        value = super().data(index, role)
        if index.isValid() and index.column() == self._column and self._ranges:
            if role == Qt.ItemDataRole.DisplayRole:
                if self.outside(index.row()):
                    return f"{value} ({NOT_RELIABLE_MARK})"
            elif role == Qt.ItemDataRole.ToolTipRole:
                return not_reliable_text(self.outside(index.row())) or value
        return value
