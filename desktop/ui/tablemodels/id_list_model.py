"""A read-only table model that holds the ordered ids of its rows and builds each shown row on demand.

The design of Anki's browser table: one service query returns the ids of every row matching the
current filter, in the current sort order (``fetch_ids``); the model's length is their number, so
the scroll bar is right at once and dragging it to the end costs nothing. When the view asks for a
row the model does not hold, the model fetches the rows around it in one batch (``fetch_rows``: a
lookup by primary key, as cheap at row 99,999 as at row 0) into a small least-recently-used cache.
Memory is the ids (a few MB for 100k rows) plus a few hundred rows, however far one scrolls.

Subclasses say which columns exist (``COLUMNS``: header, DTO attribute, service sort key or None),
fetch ids and rows through their service, and keep their query; sorting and filtering happen in SQL:
``sort()`` and ``set_filter`` change the query and call ``reload()``.

Rows are fetched on the GUI thread: a batch is one indexed query of a few milliseconds (see the
tables benchmark in tests/perf), and ``data()`` must answer synchronously. A row deleted between the
ids query and its fetch is shown as removed ("(deleted)", greyed), never as another row's values.
A failed fetch (database unreachable, session ended) stops fetching until the next reload and emits
``fetch_failed(error)`` for the page to show; it never raises into Qt.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication

log = logging.getLogger(__name__)

#: The DTO behind a row (any column); None for a removed row.
DtoRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # module-level default parent (ruff B008)

#: What a row deleted since the ids were read says in its first column.
REMOVED_TEXT = "(deleted)"

#: (header, attribute of the DTO, service sort key or None when the column cannot sort)
Column = tuple[str, str, str | None]


class Row(Protocol):
    """A DTO shown as a row: its ``id`` is what the model holds and fetches it by."""

    @property
    def id(self) -> Hashable: ...


DtoT = TypeVar("DtoT", bound=Row)


class IdListTableModel(QAbstractTableModel, Generic[DtoT]):
    COLUMNS: ClassVar[Sequence[Column]] = ()
    #: Rows fetched at once around a row the view asks for: more than a screenful, so a page of
    #: scrolling costs one query; at most the services' MAX_PAGE_SIZE.
    BATCH = 100
    #: Rows kept: a few batches, so scrolling back a little does not fetch again.
    CACHE_SIZE = 500
    #: Rows per service call when exporting: the services' MAX_PAGE_SIZE.
    EXPORT_BATCH = 1000

    fetch_failed = Signal(object)
    #: Emitted after a (re)load, with the number of rows.
    reloaded = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: Sequence[Hashable] = ()
        self._cache: OrderedDict[Hashable, DtoT] = OrderedDict()
        self._removed: set[Hashable] = set()
        self._failed = False
        self._sorted_by: tuple[str, bool] | None = None  # the order of the loaded list, once sorted

    # --- to implement ------------------------------------------------------------------------------

    def fetch_ids(self) -> Sequence[Hashable]:
        """The ids of every row matching the query, in its order (one service call)."""
        raise NotImplementedError

    def fetch_rows(self, ids: Sequence[Hashable]) -> Sequence[DtoT]:
        """The rows ``ids`` that still exist, in that order (at most EXPORT_BATCH ids, the services'
        limit). Called from a worker thread by the CSV export too, so it must only call services."""
        raise NotImplementedError

    def set_order(self, key: str, descending: bool) -> None:
        """Sort the query by the service sort key ``key`` (the model reloads afterwards)."""
        raise NotImplementedError

    def set_filter(self, *args: Any, **kwargs: Any) -> None:
        """Change the query's filters and reload. Each model names its own filters (the page that
        shows it passes the same names, e.g. from ``TablePage.filter_args``)."""
        raise NotImplementedError

    def display(self, dto: DtoT, column: int) -> str:
        """Text of one cell; override for formatting."""
        value = getattr(dto, self.COLUMNS[column][1])
        return "" if value is None else str(value)

    def cell(self, dto: DtoT, column: int, role: int) -> Any:
        """Any other role of a cell (colours, alignment, a tooltip other than the cell's text)."""
        return None

    # --- Qt model ----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        dto = self.dto(index.row())
        if dto is None:
            return self._removed_cell(index, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(dto, index.column())
        if role == DtoRole:
            return dto
        value = self.cell(dto, index.column(), role)
        if value is None and role == Qt.ItemDataRole.ToolTipRole:
            return self.display(dto, index.column())  # the whole text of a cut-off cell
        return value

    def _removed_cell(self, index: Index, role: int) -> Any:
        if self._ids[index.row()] not in self._removed:
            return None  # not fetched (a failed fetch): blank, the page shows the error
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
            return REMOVED_TEXT
        if role == Qt.ItemDataRole.ForegroundRole:
            return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "This entry was deleted after the list was read. Refresh to drop it."
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][0]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._ids):
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self._ids[index.row()] not in self._removed:
            flags |= Qt.ItemFlag.ItemIsEnabled
        return flags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.COLUMNS[column][2] if 0 <= column < len(self.COLUMNS) else None
        if key is None:
            return
        wanted = (key, order == Qt.SortOrder.DescendingOrder)
        # QTableView.sortByColumn calls sort() twice when the indicator changes (once through the
        # header's sortIndicatorChanged, once itself); the same order is the same list.
        if wanted == self._sorted_by:
            return
        self.set_order(*wanted)
        self._sorted_by = wanted if self.reload() else None

    # --- our API -----------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Read the ids again (another desktop may have added, changed or deleted rows) and forget
        the cached rows; False (and fetch_failed) on error, leaving the model empty."""
        try:
            ids = self.fetch_ids()
        except Exception as error:
            self.clear()
            self.fetch_failed.emit(error)
            return False
        self.beginResetModel()
        self._ids = ids
        self._forget()
        self.endResetModel()
        self.reloaded.emit(len(ids))
        return True

    def clear(self) -> None:
        self.beginResetModel()
        self._ids = ()
        self._forget()
        self.endResetModel()

    def _forget(self) -> None:
        self._cache.clear()
        self._removed.clear()
        self._failed = False

    @property
    def total(self) -> int:
        """Rows matching the current filter when the ids were read."""
        return len(self._ids)

    @property
    def cached_rows(self) -> int:
        """Rows held in memory now (at most CACHE_SIZE, however long the list)."""
        return len(self._cache)

    def id_at(self, row: int) -> Hashable | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, ident: Hashable) -> int:
        """Row of the id ``ident``, or -1 (a scan of the ids: about a millisecond for 100k)."""
        try:
            return self._ids.index(ident)
        except ValueError:
            return -1

    def dto(self, row: int) -> DtoT | None:
        """The row's DTO, fetched with its neighbours if not cached; None for a removed row, a row
        out of range, or after a failed fetch."""
        ident = self.id_at(row)
        if ident is None:
            return None
        dto = self._cache.get(ident)
        if dto is not None:
            self._cache.move_to_end(ident)
            return dto
        if ident in self._removed or self._failed:
            return None
        self._fetch_around(row)
        return self._cache.get(ident)

    def _fetch_around(self, row: int) -> None:
        # Mostly below the row: views paint and users scroll downwards; a quarter above for the
        # way back up.
        start = max(0, min(row - self.BATCH // 4, len(self._ids) - self.BATCH))
        wanted = [
            i
            for i in self._ids[start : start + self.BATCH]
            if i not in self._cache and i not in self._removed
        ]
        try:
            found = self.fetch_rows(wanted)
        except Exception as error:
            self._failed = True
            self.fetch_failed.emit(error)
            return
        self._store(found)
        returned = {dto.id for dto in found}
        self._removed.update(i for i in wanted if i not in returned)

    def _store(self, dtos: Sequence[DtoT]) -> None:
        for dto in dtos:
            self._cache[dto.id] = dto
            self._cache.move_to_end(dto.id)
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)

    def refresh_id(self, ident: Hashable) -> None:
        """Fetch one row again (after this window saved it) and repaint it where it is; a row that
        no longer exists shows as removed. Its place in the order changes only on reload."""
        row = self.row_of(ident)
        if row < 0:
            return
        try:
            found = self.fetch_rows([ident])
        except Exception as error:
            self.fetch_failed.emit(error)
            return
        self._cache.pop(ident, None)
        if found:
            self._store(found)
            self._removed.discard(ident)
        else:
            self._removed.add(ident)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def all_rows(self) -> Iterator[DtoT]:
        """Every row of the current ids, a batch at a time, bypassing the cache (CSV export, on a
        worker thread: it reads only a snapshot of the ids and calls ``fetch_rows``)."""
        ids = self._ids
        for start in range(0, len(ids), self.EXPORT_BATCH):
            yield from self.fetch_rows(ids[start : start + self.EXPORT_BATCH])


def reload_keeping_place(view: QAbstractItemView, model: IdListTableModel[Any]) -> bool:
    """Reload ``model`` and keep what the user looks at: the selected row (by id, wherever it moved)
    and the row at the top of ``view`` (by id; by position when it is gone). ``view`` may show
    ``model`` through a proxy that keeps its rows (QIdentityProxyModel); its indexes are the view's."""
    current = view.currentIndex()
    selected = model.id_at(current.row()) if current.isValid() else None
    top = view.indexAt(QPoint(1, 1))
    top_row = top.row() if top.isValid() else -1
    top_id = model.id_at(top_row)
    if not model.reload():
        return False
    view.doItemsLayout()  # the scroll range of the new row count, before scrolling in it
    if selected is not None and (row := model.row_of(selected)) >= 0:
        flags = view.selectionModel().SelectionFlag
        view.selectionModel().setCurrentIndex(view.model().index(row, 0), flags.ClearAndSelect | flags.Rows)
    if top_id is not None:
        row = model.row_of(top_id)
        if row < 0:
            row = min(top_row, model.rowCount() - 1)
        if row >= 0:
            view.scrollTo(view.model().index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    return True
