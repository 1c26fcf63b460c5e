"""The rows of a screened file that filing into charts leaves out: line in the file, MRN, why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from desktop.domain.chart_dto import FilingProblem
from desktop.ui.tablemodels.screening_model import AnyIndex, SortableRowsModel, SortRole

COLUMNS = ("Line", "MRN", "Why it is not filed")


def line_of(problem: FilingProblem) -> int:
    """Where to find the row in the file (its position among the rows when no line is known)."""
    return problem.line if problem.line is not None else problem.row


class FilingProblemsModel(SortableRowsModel):
    @staticmethod
    def _raw(row: FilingProblem, column: int) -> Any:
        return (line_of(row), row.mrn, row.reason)[column]

    def problem_at(self, row: int) -> FilingProblem:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        value = self._raw(self._rows[index.row()], index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return "(none)" if index.column() == 1 and not value else str(value)
        if role == SortRole:
            return value
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
