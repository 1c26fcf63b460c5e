"""Database tools (admins, Tools menu): see the schema's state and history, upgrade, downgrade, back up,
restore, check.

Every action runs through desktop.services.maintenance on a worker thread under one runner key, so
nothing can be started twice and the window stays responsive; the maintenance service refuses a
second operation as well. Every action hands the session token to the service, which checks that it
is an administrator's; the dialog's own check only decides which buttons are enabled. The backups are
listed (desktop/ui/dialogs/backups_panel.py) and the selected one can be restored; a file from
elsewhere is chosen with "Restore from a file…". Destructive actions confirm first, naming what is
undone and what the older version will not show (with counts, from ``plan_downgrade``; the data is
kept aside); going to base also needs the current revision typed in. The service backs up before
every change.

After a restore or a downgrade the signed-in session may no longer exist (the sessions table came
from the backup, or went with the downgrade), so the dialog emits ``sign_out_requested(reason)`` when
it closes and the main window signs out; app.py then runs the start-up check again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.context import UiContext
from desktop.ui.dialogs import database_texts as texts
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.backups_panel import BackupsPanel
from desktop.ui.dialogs.database_actions import DatabaseActions
from desktop.ui.dialogs.database_confirmations import confirm_downgrade, confirm_restore, confirm_upgrade
from desktop.ui.dialogs.database_status_panel import DatabaseStatusPanel
from desktop.ui.dialogs.database_status_read import StatusRead, read_status
from desktop.ui.dialogs.operation_progress import OperationProgress, StepReport
from desktop.ui.errors import user_message

if TYPE_CHECKING:
    from desktop.services.maintenance import (
        CheckReport,
        DatabaseStatus,
        DowngradePlan,
        OperationResult,
        Revision,
    )

log = logging.getLogger(__name__)

JOB_KEY = "database-tools"

T = TypeVar("T")


class DatabaseToolsDialog(QDialog):
    #: Emitted (when the dialog closes) after a restore or downgrade: the main window signs out.
    sign_out_requested = Signal(str)
    #: Emitted after every refresh (tests wait on it).
    refreshed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = ctx.services.maintenance
        self._status: DatabaseStatus | None = None
        self._history: list[Revision] = []
        self._sign_out_reason = ""
        self._actor: str | None = None
        self.setWindowTitle("Database tools")
        self.resize(940, 700)

        self.panel = DatabaseStatusPanel()
        self.panel.selection_changed.connect(self._update_buttons)

        self.buttons = DatabaseActions()
        buttons = self.buttons
        buttons.refresh_button.clicked.connect(self.refresh)
        buttons.upgrade_button.clicked.connect(self.upgrade)
        buttons.backup_button.clicked.connect(self.backup_now)
        buttons.down_one_button.clicked.connect(lambda: self.downgrade("-1"))
        buttons.down_to_button.clicked.connect(self.downgrade_to_selected)
        buttons.down_base_button.clicked.connect(lambda: self.downgrade("base"))
        buttons.restore_button.clicked.connect(self.restore)
        buttons.restore_selected_button.clicked.connect(self.restore_selected)
        buttons.check_button.clicked.connect(self.check)
        buttons.folder_button.clicked.connect(self.open_backups_folder)

        self.operation = OperationProgress()
        self.output = self.operation.output  # what was done, for callers and tests
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        self.backups = BackupsPanel()
        self.backups.selection_changed.connect(self._update_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 2)
        layout.addWidget(self.backups, 1)
        layout.addWidget(self.buttons)
        layout.addWidget(self.operation, 1)
        layout.addWidget(close)
        self.refresh()

    @property
    def token(self) -> str:
        """The session token every action hands to the service, which checks it itself."""
        return str(self._ctx.token or "")

    @property
    def busy(self) -> bool:
        return self._ctx.runner.is_running(JOB_KEY)

    # --- status ------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        service, ctx, check_admin = self._service, self._ctx, self._actor is None
        self._start(
            lambda: read_status(service, ctx if check_admin else None),
            self._show_status,
            "Reading the database status…",
            refresh_after_error=False,
        )

    def _show_status(self, read: StatusRead) -> None:
        self._status, self._history = read.status, read.history
        if read.actor is not None:
            self._actor = read.actor
        self.panel.show_status(read.status, read.history, read.fingerprint)
        self.backups.show_backups(read.backups, read.backup_tools)
        self._update_buttons()
        if read.refused is not None:
            message = user_message(read.refused)
            self._say("The database tools are read-only for this session: " + message)
            prompts.error(self, message, "Database tools")
        self.refreshed.emit()

    def selected_revision(self) -> str | None:
        return self.panel.selected_revision()

    @Slot()
    def _update_buttons(self) -> None:
        self.buttons.update_enabled(
            self._status,
            self._history,
            self.selected_revision(),
            self.busy,
            self._actor is not None,
            self.backups.selected_path() is not None,
        )

    # --- actions -----------------------------------------------------------------------------------

    @Slot()
    def upgrade(self) -> None:
        if not confirm_upgrade(self, self._status):
            return
        service, token = self._service, self.token
        self._start_with_progress(
            lambda progress: service.upgrade(token, progress=progress),
            self._operation_done,
            "Making a backup, then upgrading…",
        )

    def downgrade_to_selected(self) -> None:
        selected = self.selected_revision()
        if selected:
            self.downgrade(selected)

    def downgrade(self, target: str) -> None:
        """Plan (off the GUI thread), confirm with the plan's details, then back up and downgrade."""
        service = self._service
        self._start(
            lambda: service.plan_downgrade(target),
            self._confirm_downgrade,
            "Working out what a downgrade would undo…",
        )

    def _confirm_downgrade(self, plan: DowngradePlan) -> None:
        self._update_buttons()
        if not plan.steps:
            prompts.info(self, "Nothing to undo: the database is already at that revision.")
            return
        cancelled = confirm_downgrade(self, plan)
        if cancelled:
            self._say(cancelled)
            return
        service, token, target = self._service, self.token, plan.target
        self._sign_out_reason = "The database was downgraded. Please sign in again."
        self._start_with_progress(
            lambda progress: service.downgrade(token, target, progress=progress),
            self._operation_done,
            "Making a backup, then downgrading…",
        )

    @Slot()
    def backup_now(self) -> None:
        service, token = self._service, self.token
        self._start(
            lambda: service.backup_now(token),
            lambda made: self._finish_message("\n".join(filter(None, (made.message, made.mirror_warning)))),
            "Making a backup…",
        )

    @Slot()
    def restore(self) -> None:
        """Restore a backup file chosen from anywhere (e.g. one copied from another computer)."""
        folder = str(self._service.backups_folder())
        kinds = "ClinicDesk backups (*.db *.dump *.sql);;All files (*)"
        chosen = prompts.open_file(self, "Choose a backup to restore", kinds, folder)
        if chosen:
            self._restore(Path(chosen))

    @Slot()
    def restore_selected(self) -> None:
        chosen = self.backups.selected_path()
        if chosen is not None:
            self._restore(chosen)

    def _restore(self, chosen: Path) -> None:
        name = chosen.name
        cancelled = confirm_restore(self, name)
        if cancelled:
            self._say(cancelled)
            return
        service, token = self._service, self.token
        # The admin check needs the database, so it is made before this app's connections are closed.
        try:
            service.authorize(token)
        except Exception as error:
            self._failed(error, refresh=False)
            return
        self._ctx.services.close()  # the service requires every connection of this app to be closed
        self._sign_out_reason = f"The database was restored from {name}. Please sign in again."
        self._start(lambda: service.restore(token, chosen), self._operation_done, f"Restoring {name}…")

    @Slot()
    def check(self) -> None:
        service, token = self._service, self.token
        self._start(lambda: service.check(token), self._show_check, "Checking the database…")

    def _show_check(self, report: CheckReport) -> None:
        self._finish_message(texts.integrity_text(report))

    @Slot()
    def open_backups_folder(self) -> None:
        folder = self._service.backups_folder()
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            prompts.info(self, f"The backups are in:\n{folder}")

    # --- running -----------------------------------------------------------------------------------

    def _start(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], object],
        message: str,
        refresh_after_error: bool = True,
    ) -> None:
        if self._may_start(message, refresh_after_error):
            self._ctx.runner.run(
                work,
                on_done=lambda result: self._finished(on_done, result),
                on_error=lambda error: self._failed(error, refresh_after_error),
                key=JOB_KEY,
            )
            self._update_buttons()

    def _start_with_progress(
        self, work: Callable[[Callable[[StepReport], None]], T], on_done: Callable[[T], object], message: str
    ) -> None:
        """Like ``_start`` for a migration: the steps it reports show in the progress bar and log."""
        if self._may_start(message, refresh_after_error=True):
            self._ctx.runner.run_with_progress(
                work,
                on_progress=self.operation.step,
                on_done=lambda result: self._finished(on_done, result),
                on_error=lambda error: self._failed(error),
                key=JOB_KEY,
            )
            self._update_buttons()

    def _may_start(self, message: str, refresh_after_error: bool) -> bool:
        """False (and says why) while another operation runs or the admin check has not passed."""
        if self.busy:
            self._say("Another database operation is still running; wait for it to finish.")
            return False
        if refresh_after_error and self._actor is None:  # every action but reading the status
            self._say("Not allowed: the administrator check for this session did not pass.")
            return False
        self.operation.begin(message)
        return True

    def _finished(self, on_done: Callable[[T], object], result: T) -> None:
        self.operation.end()
        try:
            on_done(result)
        finally:
            self._update_buttons()

    def _failed(self, error: BaseException, refresh: bool = True) -> None:
        self.operation.end()
        message = user_message(error, already_logged=True)
        self._say("FAILED: " + message)
        prompts.error(self, message, "Database tools")
        self._update_buttons()
        if refresh and not self.busy:  # show where the database stands after a failed action
            self.refresh()

    def _operation_done(self, result: OperationResult) -> None:
        self._finish_message(result.message)

    def _finish_message(self, message: str) -> None:
        self._say(message)
        self.refresh()

    def _say(self, text: str) -> None:
        self.operation.say(text)

    def done(self, result: int) -> None:
        if self.busy:  # never walk away from a running migration or restore
            self._say("Please wait until the current operation has finished.")
            return
        super().done(result)
        if self._sign_out_reason:
            reason, self._sign_out_reason = self._sign_out_reason, ""
            self.sign_out_requested.emit(reason)
