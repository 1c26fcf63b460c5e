"""Table model over the signed-in person's saved predictions, fetched page by page.

The model holds only what the service returned (frozen ``SavedPrediction`` values) and asks for the
next page when the view scrolls near the end (canFetchMore / fetchMore, as in Qt's "Fetch More
Example" for C++: ``parent.isValid()`` guard and ``beginInsertRows(parent, first, first + n - 1)``).
``fetchMore`` guards against re-entry because qtmodeltester calls it from inside the insert
notification.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from desktop.domain.dto import DEFAULT_PAGE_SIZE, Page, SavedPrediction
from desktop.ui.formatting import percent
from desktop.ui.widgets.risk_badge import risk_colour

#: ``fetch(offset, limit)`` returns one page of predictions, newest first.
Fetcher = Callable[[int, int], Page[SavedPrediction]]

COLUMNS: tuple[str, ...] = ("Date", "Prediction", "Probability", "Confidence", "Risk level", "Model", "Notes")
COL_DATE, COL_PREDICTION, COL_PROBABILITY, COL_CONFIDENCE, COL_RISK, COL_MODEL, COL_NOTES = range(7)

#: Custom role returning the row's SavedPrediction.
PredictionRole = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


class PredictionsModel(QAbstractTableModel):
    def __init__(self, fetch: Fetcher | None = None, page_size: int = DEFAULT_PAGE_SIZE, parent=None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._page_size = page_size
        self._rows: list[SavedPrediction] = []
        self._total = 0
        self._fetching = False

    # --- loading -----------------------------------------------------------------------------------

    def set_fetcher(self, fetch: Fetcher | None) -> None:
        """Start over with ``fetch`` (None empties the model, e.g. after sign-out)."""
        # Fetch before the reset: a failing service call must leave the model consistent.
        page = fetch(0, self._page_size) if fetch is not None else None
        self.beginResetModel()
        self._fetch = fetch
        self._rows = list(page.rows) if page is not None else []
        self._total = page.total if page is not None else 0
        self.endResetModel()

    def reload(self) -> None:
        self.set_fetcher(self._fetch)

    def prediction_at(self, row: int) -> SavedPrediction:
        return self._rows[row]

    def loaded(self) -> list[SavedPrediction]:
        """The rows fetched so far (the chart plots these)."""
        return list(self._rows)

    @property
    def total(self) -> int:
        return self._total

    # --- Qt model interface ------------------------------------------------------------------------

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
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == PredictionRole:
            return item
        if column == COL_RISK and role == Qt.ItemDataRole.BackgroundRole:
            return QColor(risk_colour(item.risk_level))
        if column == COL_RISK and role == Qt.ItemDataRole.ForegroundRole:
            return QColor("white")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_PROBABILITY, COL_CONFIDENCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NOTES and item.notes:
            return item.notes
        return None

    @staticmethod
    def _display(item: SavedPrediction, column: int) -> str:
        if column == COL_DATE:
            when = item.created_at.astimezone() if item.created_at.tzinfo else item.created_at
            return when.strftime("%Y-%m-%d %H:%M")
        if column == COL_PREDICTION:
            return item.prediction
        if column == COL_PROBABILITY:
            return percent(item.probability)
        if column == COL_CONFIDENCE:
            return percent(item.confidence)
        if column == COL_RISK:
            return item.risk_level
        if column == COL_MODEL:
            return item.model_version or "web version"
        if column == COL_NOTES:
            first_line = (item.notes or "").splitlines()[0] if item.notes else ""
            return first_line
        return ""

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._fetch is None:
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetch is None or self._fetching:
            return
        self._fetching = True
        try:
            page = self._fetch(len(self._rows), self._page_size)
            new = list(page.rows)
            if not new:
                self._total = len(self._rows)
                return
            first = len(self._rows)
            self.beginInsertRows(parent, first, first + len(new) - 1)
            self._rows.extend(new)
            self._total = page.total
            self.endInsertRows()
        finally:
            self._fetching = False
