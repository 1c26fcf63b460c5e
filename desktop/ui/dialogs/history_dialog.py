"""A row's history from the audit log: when it was created, each change with its earlier values, deletion.

Shown from the records and family pages ("History..."). The upper table lists the audit entries
oldest first; selecting one shows, field by field, the value before and after that change, so a wrong
edit can be traced and the earlier value read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.formatting import field_label, field_value

#: Bookkeeping columns nobody needs to read in a history (the row id is in the window title).
HIDDEN_FIELDS = {"id", "user_id", "version_id", "password_hash", "created_at", "updated_at", "status_color"}


def _local(moment: Any) -> str:
    try:
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")
    except (AttributeError, ValueError):
        return "" if moment is None else str(moment)


class HistoryDialog(QDialog):
    def __init__(self, entries: Sequence[Any], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries = list(entries)
        self.setWindowTitle(title)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 60, self.fontMetrics().lineSpacing() * 28)
        intro = QLabel("Every change to this entry, oldest first. Select a change to see the earlier values.")
        intro.setWordWrap(True)
        self.hidden_label = QLabel(
            "Medical values are not shown: administrators do not see patients' medical data "
            "unless the clinic's setting allows it."
        )
        self.hidden_label.setWordWrap(True)
        self.hidden_label.setVisible(False)
        self.table = QTableWidget(len(self.entries), 3)
        self.table.setAccessibleName("Changes")
        self.table.setHorizontalHeaderLabels(["When", "Who", "What"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        for row, entry in enumerate(self.entries):
            for col, text in enumerate((_local(entry.created_at), entry.actor, entry.summary)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.details = QTableWidget(0, 3)
        self.details.setAccessibleName("Values before and after the selected change")
        self.details.setHorizontalHeaderLabels(["Field", "Before", "After"])
        self.details.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.details.verticalHeader().hide()
        header = self.details.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.hidden_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.table.currentCellChanged.connect(self._show_entry)
        if self.entries:
            self.table.selectRow(len(self.entries) - 1)

    @Slot(int, int, int, int)
    def _show_entry(self, row: int, _col: int = 0, _prev_row: int = 0, _prev_col: int = 0) -> None:
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        before = dict(entry.before or {}) if entry else {}
        after = dict(entry.after or {}) if entry else {}
        keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN_FIELDS]
        if before and after:  # a change: the changed fields first
            keys.sort(key=lambda k: before.get(k) == after.get(k))
        self.hidden_label.setVisible(bool(entry and entry.values_hidden))
        self.details.setRowCount(len(keys))
        for r, key in enumerate(keys):
            old, new = before.get(key), after.get(key)
            items = [
                QTableWidgetItem(field_label(key)),
                QTableWidgetItem("" if old is None and key not in before else field_value(key, old)),
                QTableWidgetItem("" if new is None and key not in after else field_value(key, new)),
            ]
            if entry and entry.before and entry.after and old != new:
                font = items[0].font()
                font.setBold(True)
                for item in items:
                    item.setFont(font)
            for c, item in enumerate(items):
                self.details.setItem(r, c, item)
        self.details.resizeColumnToContents(0)
