"""Table models over a screening run's predicted rows and its rejected rows.

The predicted rows can number a million, so the results model holds no row objects: it adapts the
run's compact table (``ScreenedRows``: a few numpy columns in the service layer) and a permutation for
the current sort, building a ScreenedRow only for the rows the view paints (a small cache keeps the
last few hundred). Sorting is the table's argsort of one column (well under a second for a million
rows); a QSortFilterProxyModel would call ``data()`` millions of times instead (measured: 14 s to
sort 100k rows by probability). ``SortRole`` still returns the raw value. The rejected rows (at most
MAX_LISTED_REJECTED) are a plain list sorted with Python's sort.

The prediction's confidence is in the Prediction cell's tooltip, not a column of its own: it follows
from the probability (the larger of p and 1 - p), and without it the table fits a 1024-pixel window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from desktop.domain.features import feature_label
from desktop.domain.screening import RejectedRow, ScreenedRow, ScreenedRows
from desktop.ui.formatting import percent
from desktop.ui.widgets.risk_badge import risk_colour, text_colour

AnyIndex = QModelIndex | QPersistentModelIndex

#: Role returning the raw, sortable value of a cell.
SortRole = Qt.ItemDataRole.UserRole + 1

RESULT_COLUMNS = (
    "Line",
    "Case id",
    "Prediction",
    "Probability",
    "Risk level",
    "Diagnosis in file",
    "Agrees",
    "Out of range",
)
REJECTED_COLUMNS = ("Line", "Case id", "Reason")
COL_CASE, COL_PREDICTION, COL_PROBABILITY, COL_RISK, COL_AGREES, COL_OUT_OF_RANGE = 1, 2, 3, 4, 6, 7
#: Header tooltips: what a short title means.
RESULT_TIPS = {
    COL_PROBABILITY: "The model's probability that the case is malignant",
    5: "The diagnosis given in the screened file, if any",
    COL_AGREES: "Whether the prediction agrees with the diagnosis in the file",
    COL_OUT_OF_RANGE: "Measurements outside the range the model was trained on (not reliable)",
}
#: The ScreenedRows column each results column sorts by.
SORT_KEYS = (
    "line",
    "case_id",
    "prediction",
    "probability_malignant",
    "risk_level",
    "known_diagnosis",
    "agrees",
    "out_of_range",
)
_CACHE_ROWS = 512


class SortableRowsModel(QAbstractTableModel):
    """Keeps ``_rows`` and sorts them in place by ``_raw(row, column)`` (see the module docstring)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._sorted: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if self._sorted is not None:
            self._rows.sort(
                key=self._key(self._sorted[0]), reverse=self._sorted[1] == Qt.SortOrder.DescendingOrder
            )
        self.endResetModel()

    def _key(self, column: int) -> Any:
        return lambda row: self._raw(row, column)

    @staticmethod
    def _raw(row: Any, column: int) -> Any:
        raise NotImplementedError

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < self.columnCount():
            return
        self._sorted = (column, order)
        # Qt's contract for sort(): layout change with persistent indexes moved to the rows' new places.
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        rows = self._rows
        order_index = sorted(
            range(len(rows)),
            key=lambda i: self._raw(rows[i], column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        new_position = {old: new for new, old in enumerate(order_index)}
        self._rows = [self._rows[i] for i in order_index]
        moved = [self.index(new_position[index.row()], index.column()) for index in persistent]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()


class ScreeningResultsModel(QAbstractTableModel):
    """The predicted rows of a run, read on demand from its compact table (see the module docstring)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._table: ScreenedRows | None = None
        self._order: np.ndarray | None = None  # view row -> table position; None: file order
        self._sorted: tuple[int, Qt.SortOrder] | None = None
        self._cache: dict[int, ScreenedRow] = {}

    def set_rows(self, table: ScreenedRows | None) -> None:
        """Show ``table`` (None: nothing), in the order last chosen with :meth:`sort`."""
        self.beginResetModel()
        self._table = table
        self._cache.clear()
        self._order = self._order_for(*self._sorted) if self._sorted is not None else None
        self.endResetModel()

    def row_at(self, row: int) -> ScreenedRow:
        cached = self._cache.get(row)
        if cached is None:
            assert self._table is not None
            position = row if self._order is None else int(self._order[row])
            if len(self._cache) >= _CACHE_ROWS:
                self._cache.clear()
            cached = self._cache[row] = self._table.row(position)
        return cached

    def _order_for(self, column: int, order: Qt.SortOrder) -> np.ndarray | None:
        if self._table is None:
            return None
        descending = order == Qt.SortOrder.DescendingOrder
        if column == 0 and not descending:
            return None  # rows are kept in file order, which is line order
        return np.asarray(self._table.order(SORT_KEYS[column], descending))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(SORT_KEYS):
            return
        self._sorted = (column, order)
        # Qt's contract for sort(): layout change with persistent indexes moved to the rows' new places.
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        old = self._order
        self._order = self._order_for(column, order)
        self._cache.clear()
        if persistent:
            n = self.rowCount()
            new_row = np.empty(n, dtype=np.int64)  # table position -> new view row
            new_row[np.arange(n) if self._order is None else self._order] = np.arange(n)
            moved = []
            for index in persistent:
                position = index.row() if old is None else int(old[index.row()])
                moved.append(self.index(int(new_row[position]), index.column()))
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() or self._table is None else len(self._table)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RESULT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(RESULT_COLUMNS):
            return RESULT_COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and horizontal:
            return RESULT_TIPS.get(section)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < self.rowCount()):
            return None
        r = self.row_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, column)
        if role == SortRole:
            return self._raw(r, column)
        if column == COL_RISK and role == Qt.ItemDataRole.BackgroundRole:
            return QColor(risk_colour(r.risk_level.value))
        if column == COL_RISK and role == Qt.ItemDataRole.ForegroundRole:
            return QColor("white")
        if column == COL_AGREES and role == Qt.ItemDataRole.ForegroundRole and r.agrees is False:
            return QColor(text_colour("error"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, COL_PROBABILITY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _tooltip(r: ScreenedRow, column: int) -> str | None:
        if column == COL_PREDICTION:
            return f"{r.prediction.value}, confidence {percent(r.confidence)}"
        if column == COL_CASE and r.case_id:
            return r.case_id  # a long id is elided in its cell
        if column == COL_OUT_OF_RANGE and r.out_of_range:
            return "Outside the training range, so the prediction is not reliable: " + _names(r)
        return None

    @staticmethod
    def _display(r: ScreenedRow, column: int) -> str:
        if column == 0:
            return str(r.line)
        if column == COL_CASE:
            return r.case_id
        if column == COL_PREDICTION:
            return r.prediction.value
        if column == COL_PROBABILITY:
            return percent(r.probability_malignant)
        if column == COL_RISK:
            return r.risk_level.value
        if column == 5:
            return r.known_diagnosis.value if r.known_diagnosis else ""
        if column == COL_AGREES:
            return "" if r.agrees is None else ("yes" if r.agrees else "NO")
        if column == COL_OUT_OF_RANGE:
            return _names(r)
        return ""

    @staticmethod
    def _raw(r: ScreenedRow, column: int) -> Any:
        values: tuple[Any, ...] = (
            r.line,
            r.case_id,
            r.prediction.value,
            r.probability_malignant,
            ("Low", "Medium", "High").index(r.risk_level.value),
            r.known_diagnosis.value if r.known_diagnosis else "",
            -1 if r.agrees is None else int(r.agrees),
            len(r.out_of_range),
        )
        return values[column] if 0 <= column < len(values) else None


def _names(r: ScreenedRow) -> str:
    """The out-of-range measurements by name, e.g. "Area (mean), Radius (worst)"."""
    return ", ".join(feature_label(n) for n in r.out_of_range)


class RejectedRowsModel(SortableRowsModel):
    """The bad-row report: line number, case id and the reason in plain words."""

    @staticmethod
    def _raw(row: RejectedRow, column: int) -> Any:
        return (row.line, row.case_id, row.reason)[column]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(REJECTED_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(REJECTED_COLUMNS):
            return REJECTED_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        r = self._rows[index.row()]
        values = (r.line, r.case_id, r.reason)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(values[index.column()])
        if role == SortRole:
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return r.reason
        return None
