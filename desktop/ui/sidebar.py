"""The main window's list of pages, as wide as its longest title."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from desktop.ui.page_registry import PAGES, PageSpec
from desktop.ui.theme import SIDEBAR_POINT_SIZE


def sidebar_width(base: QFont) -> int:
    """Wide enough for the longest page title in the sidebar's font (theme.py: 11 pt, 1 em padding)."""
    font = QFont(base)
    font.setPointSizeF(SIDEBAR_POINT_SIZE)
    metrics = QFontMetrics(font)
    widest = max(metrics.horizontalAdvance(spec.title) for spec in PAGES)
    return widest + metrics.horizontalAdvance("M") * 3 + 16


class PageSidebar(QListWidget):
    """One row per page in ``specs``; the row's data is the page key."""

    def __init__(self, specs: Sequence[PageSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setAccessibleName("Pages")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setFixedWidth(sidebar_width(self.font()))
        for spec in specs:
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.addItem(item)
