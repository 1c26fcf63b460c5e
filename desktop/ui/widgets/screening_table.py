"""A table of a screening's rows whose columns always fit its width: no sideways scrolling.

A person reading a screening compares a row's prediction with its last columns (the diagnosis in
the file, whether they agree, what was out of range); a sideways scroll hides one or the other. So
the columns start as wide as their contents and titles (none wider than MAX_COLUMN_WIDTH), and when
that is more than the table shows, the columns wider than their titles give up the difference,
the widest first; text that no longer fits is elided and its cell's tooltip has it in full. This is
redone whenever the table changes width (a window made smaller, a sidebar shown).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

#: Widest a column may start; wider text is elided and the cell's tooltip has it.
MAX_COLUMN_WIDTH = 160
#: Room for a title's margins and the sort arrow, which Qt draws inside the title.
TITLE_PADDING = 28


def fitted_widths(natural: list[int], least: list[int], available: int) -> list[int]:
    """``natural`` widths, the widest cut down to one common width (never below their ``least``)
    so that together they fit ``available``; as close to it as whole pixels allow."""

    def capped(cap: int) -> list[int]:
        return [max(low, min(width, cap)) for width, low in zip(natural, least, strict=True)]

    if sum(natural) <= available:
        return list(natural)
    low, high = 0, max(natural, default=0)  # the largest cap that fits, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if sum(capped(middle)) <= available:
            low = middle
        else:
            high = middle - 1
    return capped(low)


class ScreeningTable(QTableView):
    def __init__(self, model: QAbstractItemModel, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)  # the model sorts itself: a proxy is far too slow for 100k rows
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAccessibleName(name)
        self._natural: list[int] = []
        self._least: list[int] = []
        self.fit_columns()  # empty: as wide as the titles

    def fit_columns(self) -> None:
        """Measure the columns' contents and titles again (after new rows), then fit them."""
        header = self.horizontalHeader()
        metrics = header.fontMetrics()
        model = self.model()
        self._least = [
            metrics.horizontalAdvance(str(model.headerData(c, Qt.Orientation.Horizontal))) + TITLE_PADDING
            for c in range(header.count())
        ]
        # Not resizeColumnsToContents: it reserves room for a sort arrow in every title. The last
        # column takes what is left (stretchLastSection), so it starts at its title's width.
        self._natural = [
            least if c == header.count() - 1 else max(least, min(self.sizeHintForColumn(c), MAX_COLUMN_WIDTH))
            for c, least in enumerate(self._least)
        ]
        self._apply()

    def _apply(self) -> None:
        header = self.horizontalHeader()
        if not self._natural or len(self._natural) != header.count():
            return
        for column, width in enumerate(fitted_widths(self._natural, self._least, self.viewport().width())):
            header.resizeSection(column, width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply()
