"""The database tools' buttons, and which of them may be pressed for the database's current state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

if TYPE_CHECKING:
    from desktop.services.maintenance import DatabaseStatus, Revision

COLUMNS = 3


class DatabaseActions(QWidget):
    """Refresh, upgrade, backup / the three downgrades / restore from a file, check, backups folder /
    restore the selected backup (a grid three wide).

    The dialog connects the buttons; this widget only lays them out and enables them.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refresh_button = QPushButton("Refresh")
        self.upgrade_button = QPushButton("Upgrade to head")
        self.backup_button = QPushButton("Backup now")
        self.down_one_button = QPushButton("Downgrade one step…")
        self.down_to_button = QPushButton("Downgrade to selected…")
        self.down_base_button = QPushButton("Downgrade to base…")
        self.restore_button = QPushButton("Restore from a file…")
        self.check_button = QPushButton("Integrity check")
        self.folder_button = QPushButton("Open backups folder")
        self.restore_selected_button = QPushButton("Restore selected backup…")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        order = (
            self.refresh_button,
            self.upgrade_button,
            self.backup_button,
            self.down_one_button,
            self.down_to_button,
            self.down_base_button,
            self.restore_button,
            self.check_button,
            self.folder_button,
            self.restore_selected_button,
        )
        for index, button in enumerate(order):
            grid.addWidget(button, index // COLUMNS, index % COLUMNS)

    def update_enabled(
        self,
        status: DatabaseStatus | None,
        history: Sequence[Revision],
        selected: str | None,
        running: bool,
        authorized: bool,
        backup_selected: bool,
    ) -> None:
        """Enable what makes sense now: nothing changes while an operation runs or before the admin
        check passed; a downgrade needs a revision to leave, an upgrade a database behind head, restoring
        the selected backup a selected backup."""
        busy = running or not authorized
        known = status is not None and status.exists and not status.is_too_new
        current = status.current if status is not None and known else None
        behind = status is not None and known and not status.at_head
        exists = status is not None and status.exists
        self.refresh_button.setEnabled(not running)
        self.upgrade_button.setEnabled(not busy and behind)
        self.upgrade_button.setDefault(behind)  # the way back after a downgrade
        self.down_one_button.setEnabled(not busy and current is not None)
        self.down_base_button.setEnabled(not busy and current is not None)
        applied_older = any(r.revision == selected and r.applied and not r.is_current for r in history)
        self.down_to_button.setEnabled(not busy and current is not None and applied_older)
        self.backup_button.setEnabled(not busy and exists)
        self.restore_button.setEnabled(not busy and status is not None)
        self.restore_selected_button.setEnabled(not busy and status is not None and backup_selected)
        self.check_button.setEnabled(not busy and exists)
        self.folder_button.setEnabled(True)
