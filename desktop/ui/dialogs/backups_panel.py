"""The backups list of the Database tools dialog: date, size, revision, verified, why it was made.

Shows what the maintenance service lists (newest first) and, when backups cannot be made here (no
PostgreSQL or MariaDB client tools), says so in plain words above the list. The dialog restores the selected
backup; its "Restore from a file…" button stays for a backup from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.dialogs.database_texts import human_size

COLUMNS = ("Made", "Size", "Revision", "Verified", "Why")
REASONS = {
    "manual": "made by hand",
    "daily": "first start of the day",
    "on-close": "closing after changes",
    "before-upgrade": "before an upgrade",
    "before-downgrade": "before a downgrade",
    "before-restore": "before a restore",
}


def reason_text(reason: str) -> str:
    return REASONS.get(reason, reason.replace("-", " "))


class BackupsPanel(QWidget):
    #: Emitted when the selected row changes.
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths: list[Path] = []
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Backups, newest first")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self.selection_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Backups (newest first):"))
        layout.addWidget(self.notice)
        layout.addWidget(self.table)

    def show_backups(self, backups: Sequence[Any], notice: str = "") -> None:
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.table.setRowCount(0)
        self._paths = [b.path for b in backups]
        for row, item in enumerate(backups):
            self.table.insertRow(row)
            when = item.created.astimezone().strftime("%Y-%m-%d %H:%M")
            cells = (
                when,
                human_size(item.size),
                item.revision,
                "yes" if item.verified else "no",
                reason_text(item.reason),
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(str(item.path))
                self.table.setItem(row, column, cell)

    def selected_path(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._paths):
            return None
        return self._paths[rows[0].row()]
