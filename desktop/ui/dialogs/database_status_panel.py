"""The read-only half of the Database tools dialog: status, warning banner and migration history.

Fed with what desktop.services.maintenance returns (``DatabaseStatus``, the ``Revision`` list newest
first, the fingerprint result); it never talks to a service itself.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.dialogs import database_texts as texts

HISTORY_COLUMNS = ("", "Revision", "Message", "Date", "Applied")


class DatabaseStatusPanel(QWidget):
    #: The selected history row changed.
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine_label, self.location_label, self.size_label = QLabel(), QLabel(), QLabel()
        self.current_label, self.head_label, self.pending_label = QLabel(), QLabel(), QLabel()
        self.fingerprint_label = QLabel()
        for label in (self.location_label, self.pending_label, self.fingerprint_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status_box = QGroupBox("Status")
        form = QFormLayout(status_box)
        for caption, label in (
            ("Engine:", self.engine_label),
            ("Location:", self.location_label),
            ("File size:", self.size_label),
            ("Current revision:", self.current_label),
            ("Head (this version):", self.head_label),
            ("Pending:", self.pending_label),
            ("Schema fingerprint:", self.fingerprint_label),
        ):
            form.addRow(caption, label)

        self.banner = QLabel()
        self.banner.setObjectName("databaseBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "QLabel { background: #fef3c7; color: #78350f; border: 1px solid #b45309; padding: 8px; }"
        )
        self.banner.setVisible(False)

        self.history_table = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history_table.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history_table.setAccessibleName("Migration history")
        self.history_table.itemSelectionChanged.connect(self.selection_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(status_box)
        layout.addWidget(self.banner)
        layout.addWidget(QLabel("Migration history (newest first):"))
        layout.addWidget(self.history_table, 1)

    def show_status(self, status: Any, history: list[Any], fingerprint: Any) -> None:
        self.engine_label.setText(status.engine)
        self.location_label.setText(status.location)
        self.size_label.setText(texts.human_size(status.file_size) if status.file_size is not None else "-")
        self.current_label.setText(texts.short(status.current) if status.exists else "no database yet")
        self.head_label.setText(status.head)
        if status.is_too_new:
            self.pending_label.setText("unknown: the database is newer than this version")
        elif status.pending:
            self.pending_label.setText(", ".join(f"{r.revision} ({r.message})" for r in status.pending))
        else:
            self.pending_label.setText("none")
        if fingerprint is None:
            self.fingerprint_label.setText("not checked")
        elif not fingerprint.known:
            self.fingerprint_label.setText("no fingerprint known for this revision")
        elif fingerprint.matches:
            self.fingerprint_label.setText("matches this revision")
        else:
            self.fingerprint_label.setText(
                f"DIFFERS from this revision ({len(fingerprint.differences)} difference(s)): "
                "run the integrity check for the list"
            )
        self._fill_history(history)
        self._update_banner(status)

    def _fill_history(self, history: list[Any]) -> None:
        self.history_table.setRowCount(len(history))
        for row, rev in enumerate(history):
            marker = "▶ current" if rev.is_current else ("head" if rev.is_head else "")
            values = (marker, rev.revision, rev.message, rev.created, "yes" if rev.applied else "no")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, rev.revision)
                if rev.is_current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.history_table.setItem(row, column, item)
        for column in (0, 1, 3):
            self.history_table.resizeColumnToContents(column)

    def _update_banner(self, status: Any) -> None:
        text = ""
        if status.is_too_new:
            text = (
                f"This database (revision {status.current}) was made by a newer ClinicDesk. "
                "This version does not change it."
            )
        elif status.exists and not status.at_head:
            text = texts.cannot_run_text(status.current, status.head)
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def selected_revision(self) -> str | None:
        items = self.history_table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None
