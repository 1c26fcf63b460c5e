"""A read-only table model over a service's paged query: rows are fetched as the view scrolls.

Subclasses say which columns exist (``COLUMNS``: header, DTO attribute, sort key or None) and how to
fetch one page (``fetch_page(offset, limit, after) -> Page[DtoT]``); the model is generic in the DTO
its rows hold (``PagedTableModel[RecordDTO]``), so pages and dialogs built on it get typed rows.
Sorting and filtering happen in SQL in the service: ``sort()`` and ``set_filter`` only change the
query and reload the first page.

Keyset models (``KEYSET = True``: records, family history) fetch each later page with
``fetch_page(0, limit, after=cursor)``, the ``next_cursor`` of the page before, so the service seeks
past the last row shown instead of skipping OFFSET rows (the last of 100k rows costs what the first
do), and rows added or deleted meanwhile neither repeat nor push rows out of the view. They can fetch
more while the service hands a cursor back. Other models page by offset, as before. Either way a row
whose id is already shown is not added twice (an edited row can move past the cursor).

canFetchMore/fetchMore follow the C++ Qt "Fetch More" example (not PySide6's copy, which has an
off-by-one): a valid parent
has no children, ``beginInsertRows(parent, first, first + n - 1)`` with the real count fetched, and a
re-entry guard, because QAbstractItemModelTester calls fetchMore from inside the insert notification.

Fetches run on the GUI thread: a page is one indexed query of a few milliseconds, and Qt's fetchMore
contract is synchronous. A failed fetch (database unreachable, session ended) stops fetching and
emits ``fetch_failed(error)`` for the page to show; it never raises into Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from desktop.domain.dto import Page

log = logging.getLogger(__name__)

#: The DTO behind a row (any column).
DtoRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # module-level default parent (ruff B008)


class Row(Protocol):
    """A DTO shown as a row: its ``id`` tells rows apart (an edited row replaces the old one)."""

    @property
    def id(self) -> Hashable: ...


DtoT = TypeVar("DtoT", bound=Row)


class PagedTableModel(QAbstractTableModel, Generic[DtoT]):
    #: (header, attribute of the DTO, service sort key or None when the column cannot sort)
    COLUMNS: ClassVar[Sequence[tuple[str, str, str | None]]] = ()
    #: The first page: small, so a page opens at once.
    PAGE_SIZE = 200
    #: Later pages (someone is scrolling far): the service's maximum, so reaching the end of 100k rows
    #: takes 100 queries instead of 500 (a seek past the cursor for keyset models, else an OFFSET).
    FETCH_SIZE = 1000

    #: True when ``fetch_page`` takes ``after`` and the service returns ``Page.next_cursor``.
    KEYSET: ClassVar[bool] = False

    fetch_failed = Signal(object)
    #: Emitted after the first page of a (re)load arrived, with the total matching rows.
    reloaded = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DtoT] = []
        self._total = 0
        self._fetching = False
        self._exhausted = True
        self._ids: set[Hashable] = set()
        self._cursor: str | None = None  # keyset models: where the next page starts
        self._next_offset = 0  # offset models: where the next page starts (rows seen, not kept)

    # --- to implement ------------------------------------------------------------------------------

    def fetch_page(self, offset: int, limit: int, after: str | None = None) -> Page[DtoT]:
        """One page; keyset models use ``after`` (a cursor) and then ignore ``offset``; offset models
        are never given one."""
        raise NotImplementedError

    def set_filter(self, *args: Any, **kwargs: Any) -> None:
        """Change the query's filters and reload. Each model names its own filters (the page that
        shows it passes the same names from ``TablePage.filter_args``)."""
        raise NotImplementedError

    def display(self, dto: DtoT, column: int) -> str:
        """Text of one cell; override for formatting."""
        value = getattr(dto, self.COLUMNS[column][1])
        return "" if value is None else str(value)

    # --- Qt model ----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        dto = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.display(dto, index.column())
        if role == DtoRole:
            return dto
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][0]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def canFetchMore(self, parent: Index = ROOT) -> bool:
        if parent.isValid():
            return False
        if self.KEYSET:  # the service says whether a row follows the last page (counts can be stale)
            return not self._exhausted
        return not self._exhausted and len(self._rows) < self._total

    def fetchMore(self, parent: Index = ROOT) -> None:
        if parent.isValid() or self._fetching or not self.canFetchMore(parent):
            return
        self._fetching = True
        try:
            try:
                if self.KEYSET:
                    page = self.fetch_page(0, self.FETCH_SIZE, after=self._cursor)
                else:
                    page = self.fetch_page(self._next_offset, self.FETCH_SIZE)
            except Exception as error:
                self._exhausted = True
                self.fetch_failed.emit(error)
                return
            self._advance(page)
            rows = self._new_rows(page.rows)
            if not rows:
                return
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)  # parent: invalid here
            self._rows.extend(rows)
            self._ids.update(dto.id for dto in rows)
            self.endInsertRows()
        finally:
            self._fetching = False

    def _advance(self, page: Page[DtoT]) -> None:
        """Move the position past ``page`` and decide whether another page may follow."""
        self._total = page.total
        self._next_offset += len(page.rows)
        if self.KEYSET:
            self._cursor = page.next_cursor
            self._exhausted = self._cursor is None or not page.rows
        else:
            self._exhausted = not page.rows or self._next_offset >= self._total

    def _new_rows(self, dtos: Iterable[DtoT]) -> list[DtoT]:
        """``dtos`` without those already shown (same id) or repeated within the page."""
        fresh: list[DtoT] = []
        in_page: set[Hashable] = set()
        for dto in dtos:
            ident = dto.id
            if ident in self._ids or ident in in_page:
                continue
            in_page.add(ident)
            fresh.append(dto)
        return fresh

    # --- our API -----------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Drop the rows and fetch the first page again; False (and fetch_failed) on error."""
        try:
            page = self.fetch_page(0, self.PAGE_SIZE)
        except Exception as error:
            self.clear()
            self.fetch_failed.emit(error)
            return False
        self.beginResetModel()
        self._rows, self._ids, self._cursor, self._next_offset = [], set(), None, 0
        self._advance(page)
        self._rows = self._new_rows(page.rows)
        self._ids = {dto.id for dto in self._rows}
        self.endResetModel()
        self.reloaded.emit(self._total)
        return True

    def clear(self) -> None:
        self.beginResetModel()
        self._rows, self._total, self._exhausted = [], 0, True
        self._ids, self._cursor, self._next_offset = set(), None, 0
        self.endResetModel()

    @property
    def total(self) -> int:
        """Rows matching the current filter in the database (not only those fetched)."""
        return self._total

    def dto(self, row: int) -> DtoT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def replace(self, row: int, dto: DtoT) -> None:
        """Show an edited row's new values without reloading (keeps the scroll position)."""
        if 0 <= row < len(self._rows):
            self._rows[row] = dto
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def row_of(self, ident: Hashable) -> int:
        """Row of the DTO with ``id == ident`` among those fetched, or -1."""
        for row, dto in enumerate(self._rows):
            if dto.id == ident:
                return row
        return -1
