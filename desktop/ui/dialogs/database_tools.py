"""Database tools (admins, Tools menu): see the schema's state and history, upgrade, downgrade, back up,
restore, check.

Every action runs through desktop.services.maintenance on a worker thread under one runner key, so
nothing can be started twice and the window stays responsive; the maintenance service refuses a
second operation as well. Destructive actions confirm first, naming what is undone and which tables
and columns lose data (with row counts, from ``plan_downgrade``); going to base also needs the
current revision typed in. The service backs up before every change.

After a restore or a downgrade the signed-in session may no longer exist (the sessions table came
from the backup, or went with the downgrade), so the dialog emits ``sign_out_requested(reason)`` when
it closes and the main window signs out; app.py then runs the start-up check again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import PermissionDeniedError
from desktop.ui.context import UiContext
from desktop.ui.dialogs import database_texts as texts
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.database_status_panel import DatabaseStatusPanel
from desktop.ui.errors import user_message

log = logging.getLogger(__name__)

JOB_KEY = "database-tools"


def maintenance_for(ctx: UiContext) -> Any:
    """The maintenance service for this database (the container's, when it is wired to a URL)."""
    service = getattr(ctx.services, "maintenance", None)
    if service is not None and isinstance(getattr(service, "url", None), str):
        return service
    from desktop.services.maintenance import MaintenanceService

    return MaintenanceService(ctx.settings.database_url)


class DatabaseToolsDialog(QDialog):
    #: Emitted (when the dialog closes) after a restore or downgrade: the main window signs out.
    sign_out_requested = Signal(str)
    #: Emitted after every refresh (tests wait on it).
    refreshed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = maintenance_for(ctx)
        self._status: Any = None
        self._history: list[Any] = []
        self._sign_out_reason = ""
        self._actor: str | None = None
        self.setWindowTitle("Database tools")
        self.resize(940, 700)

        self.panel = DatabaseStatusPanel()
        self.panel.selection_changed.connect(self._update_buttons)
        # Shortcuts used by callers and tests.
        self.banner, self.history_table = self.panel.banner, self.panel.history_table
        self.current_label, self.head_label = self.panel.current_label, self.panel.head_label
        self.pending_label, self.fingerprint_label = self.panel.pending_label, self.panel.fingerprint_label
        self.engine_label, self.location_label = self.panel.engine_label, self.panel.location_label
        self.size_label = self.panel.size_label

        self.refresh_button = self._button("Refresh", self.refresh)
        self.upgrade_button = self._button("Upgrade to head", self.upgrade)
        self.down_one_button = self._button("Downgrade one step…", lambda: self.downgrade("-1"))
        self.down_to_button = self._button("Downgrade to selected…", self.downgrade_to_selected)
        self.down_base_button = self._button("Downgrade to base…", lambda: self.downgrade("base"))
        self.backup_button = self._button("Backup now", self.backup_now)
        self.restore_button = self._button("Restore from backup…", self.restore)
        self.check_button = self._button("Integrity check", self.check)
        self.folder_button = self._button("Open backups folder", self.open_backups_folder)
        actions = QGridLayout()
        for index, button in enumerate(
            (
                self.refresh_button,
                self.upgrade_button,
                self.backup_button,
                self.down_one_button,
                self.down_to_button,
                self.down_base_button,
                self.restore_button,
                self.check_button,
                self.folder_button,
            )
        ):
            actions.addWidget(button, index // 3, index % 3)

        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setAccessibleName("Results of database operations")
        self.output.setMaximumBlockCount(2000)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 2)
        layout.addLayout(actions)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.output, 1)
        layout.addWidget(close)
        self.refresh()

    def _button(self, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        return button

    @property
    def actor(self) -> str:
        """Who the audit log names; checked by the service when the dialog opened (admins only)."""
        return self._actor or "unknown"

    def _authorize(self, status: Any) -> str:
        """Worker thread: the service's admin check of this session, once, when the dialog opens.

        Only a database at head can answer it (older revisions have no sessions table, e.g. after an
        earlier downgrade); the UI's own admin check (the Tools menu is admin-only) is then all there is.
        """
        authorize = getattr(self._service, "authorize", None)
        if not callable(authorize) or not status.exists or status.is_too_new or not status.at_head:
            return self._fallback_actor()
        return str(authorize(self._ctx.token))

    def _fallback_actor(self) -> str:
        if not self._ctx.is_admin:
            raise PermissionDeniedError("Only administrators may use the database tools.")
        user = self._ctx.user
        return user.email if user else "admin"

    @property
    def busy(self) -> bool:
        return self._ctx.runner.is_running(JOB_KEY)

    # --- status ------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        service, authorize = self._service, self._actor is None

        def read() -> tuple[Any, list[Any], Any, str | None, BaseException | None]:
            status = service.status()
            actor, refused = None, None
            if authorize:
                try:
                    actor = self._authorize(status)
                except Exception as error:  # shown with the status; actions stay disabled
                    refused = error
            history = service.history() if not status.is_too_new else []
            fingerprint = None
            if status.exists and status.current and not status.is_too_new:
                try:
                    fingerprint = service.fingerprint()
                except Exception:  # the fingerprint is informative only; the status must still show
                    log.exception("schema fingerprint check failed")
            return status, history, fingerprint, actor, refused

        self._start(read, self._show_status, "Reading the database status…", refresh_after_error=False)

    def _show_status(self, result: tuple[Any, list[Any], Any, str | None, BaseException | None]) -> None:
        status, history, fingerprint, actor, refused = result
        self._status, self._history = status, history
        if actor is not None:
            self._actor = actor
        self.panel.show_status(status, history, fingerprint)
        self._update_buttons()
        if refused is not None:
            message = user_message(refused)
            self._say("The database tools are read-only for this session: " + message)
            prompts.error(self, message, "Database tools")
        self.refreshed.emit()

    def selected_revision(self) -> str | None:
        return self.panel.selected_revision()

    @Slot()
    def _update_buttons(self) -> None:
        busy = self.busy or self._actor is None  # nothing changes before the admin check passed
        status = self._status
        known = status is not None and status.exists and not status.is_too_new
        current = status.current if known else None
        selected = self.selected_revision()
        self.refresh_button.setEnabled(not self.busy)
        self.upgrade_button.setEnabled(not busy and known and not status.at_head)
        self.upgrade_button.setDefault(bool(known and not status.at_head))  # the way back after a downgrade
        self.down_one_button.setEnabled(not busy and current is not None)
        self.down_base_button.setEnabled(not busy and current is not None)
        applied_older = any(r.revision == selected and r.applied and not r.is_current for r in self._history)
        self.down_to_button.setEnabled(not busy and current is not None and applied_older)
        self.backup_button.setEnabled(not busy and status is not None and status.exists)
        self.restore_button.setEnabled(not busy and status is not None)
        self.check_button.setEnabled(not busy and status is not None and status.exists)
        self.folder_button.setEnabled(True)

    # --- actions -----------------------------------------------------------------------------------

    @Slot()
    def upgrade(self) -> None:
        status = self._status
        pending = ", ".join(r.revision for r in status.pending) if status else ""
        if not prompts.confirm(
            self,
            f"Upgrade the database to {status.head if status else 'head'}?\n\n"
            f"Applies: {pending or 'nothing'}.\nA backup is made first.",
            "Upgrade database",
            yes_label="Upgrade",
        ):
            return
        service, actor = self._service, self.actor
        self._start(
            lambda progress: service.upgrade(actor, progress=progress),
            self._operation_done,
            "Making a backup, then upgrading…",
            with_progress=True,
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

    def _confirm_downgrade(self, plan: Any) -> None:
        self._update_buttons()
        if not plan.steps:
            prompts.info(self, "Nothing to undo: the database is already at that revision.")
            return
        text = texts.downgrade_confirmation(plan.current, plan.target, plan.steps, plan.lost)
        if not prompts.confirm(self, text, "Downgrade database", yes_label="Downgrade", destructive=True):
            self._say("Downgrade cancelled; nothing was changed.")
            return
        if plan.confirm_text:
            typed = prompts.ask_text(
                self, texts.base_confirmation_prompt(plan.current), "Confirm downgrade to base"
            )
            if (typed or "").strip() != plan.confirm_text:
                self._say(
                    "Downgrade to base cancelled: the revision typed did not match; nothing was changed."
                )
                return
        service, actor, target = self._service, self.actor, plan.target
        self._sign_out_reason = "The database was downgraded. Please sign in again."
        self._start(
            lambda progress: service.downgrade(actor, target, progress=progress),
            self._operation_done,
            "Making a backup, then downgrading…",
            with_progress=True,
        )

    @Slot()
    def backup_now(self) -> None:
        service, actor = self._service, self.actor
        self._start(
            lambda: service.backup_now(actor),
            lambda made: self._finish_message(made.message),
            "Making a backup…",
        )

    @Slot()
    def restore(self) -> None:
        folder = str(self._service.backups_folder())
        kinds = "ClinicDesk backups (*.db *.dump *.sql);;All files (*)"
        chosen = prompts.open_file(self, "Choose a backup to restore", kinds, folder)
        if not chosen:
            return
        name = Path(chosen).name
        text = (
            f"Replace the current database with the backup {name}?\n\nEverything changed since that backup "
            "was made will be gone from the database. The current database is backed up first, so this can "
            "be undone by restoring that backup. Everyone is signed out afterwards."
        )
        if not prompts.confirm(self, text, "Restore backup", yes_label="Restore", destructive=True):
            self._say("Restore cancelled; nothing was changed.")
            return
        self._ctx.services.close()  # the service requires every connection of this app to be closed
        service, actor = self._service, self.actor
        self._sign_out_reason = f"The database was restored from {name}. Please sign in again."
        self._start(lambda: service.restore(actor, chosen), self._operation_done, f"Restoring {name}…")

    @Slot()
    def check(self) -> None:
        service, actor = self._service, self.actor
        self._start(lambda: service.check(actor), self._show_check, "Checking the database…")

    def _show_check(self, report: Any) -> None:
        self._finish_message(texts.integrity_text(report))

    @Slot()
    def open_backups_folder(self) -> None:
        folder = self._service.backups_folder()
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            prompts.info(self, f"The backups are in:\n{folder}")

    # --- running -----------------------------------------------------------------------------------

    def _start(
        self,
        fn: Any,
        on_done: Any,
        message: str,
        with_progress: bool = False,
        refresh_after_error: bool = True,
    ) -> None:
        if self.busy:
            self._say("Another database operation is still running; wait for it to finish.")
            return
        if refresh_after_error and self._actor is None:  # every action but reading the status
            self._say("Not allowed: the administrator check for this session did not pass.")
            return
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)  # busy indicator until the first step is known
        self.progress_label.setText(message)
        extra = {"on_progress": self._progress} if with_progress else {}
        self._ctx.runner.run(
            fn,
            on_done=lambda result: self._finished(on_done, result),
            on_error=lambda error: self._failed(error, refresh_after_error),
            key=JOB_KEY,
            **extra,
        )
        self._update_buttons()

    def _progress(self, step: Any) -> None:
        self.progress.setRange(0, max(1, step.total))
        if step.done:
            self.progress.setValue(step.index)
            self._say(f"  ✓ {step.direction} {step.revision} – {step.message}")
        else:
            self.progress_label.setText(
                f"Step {step.index} of {step.total}: {step.direction} {step.revision} – {step.message}"
            )

    def _finished(self, on_done: Any, result: Any) -> None:
        self.progress.setVisible(False)
        self.progress_label.clear()
        try:
            on_done(result)
        finally:
            self._update_buttons()

    def _failed(self, error: BaseException, refresh: bool = True) -> None:
        self.progress.setVisible(False)
        self.progress_label.clear()
        message = user_message(error, already_logged=True)
        self._say("FAILED: " + message)
        prompts.error(self, message, "Database tools")
        self._update_buttons()
        if refresh and not self.busy:  # show where the database stands after a failed action
            self.refresh()

    def _operation_done(self, result: Any) -> None:
        self._finish_message(result.message)

    def _finish_message(self, message: str) -> None:
        self._say(message)
        self.refresh()

    def _say(self, text: str) -> None:
        self.output.appendPlainText(text)

    def done(self, result: int) -> None:
        if self.busy:  # never walk away from a running migration or restore
            self._say("Please wait until the current operation has finished.")
            return
        super().done(result)
        if self._sign_out_reason:
            reason, self._sign_out_reason = self._sign_out_reason, ""
            self.sign_out_requested.emit(reason)
