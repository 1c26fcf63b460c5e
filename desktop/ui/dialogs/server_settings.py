"""Admin settings: where the data lives (this computer's SQLite file or the clinic's PostgreSQL server).

Everything slow (connecting, copying) runs through ``ctx.runner`` (ui/workers.py) so the window stays
responsive; the dialog refuses to close while a copy runs, because the copy reports back into it.
It talks only to desktop.services.server_settings / copy_database: no SQL here. The choice takes effect
at the next start (the running services keep their database).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services import server_settings as ss
from desktop.services.server_settings import ConnectionCheck, ConnectionMode, ServerSettings
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.widgets.window_fit import keep_fitted

if TYPE_CHECKING:
    from desktop.services.copy_database import CopyResult
    from desktop.ui.context import UiContext

OK_STYLE = "color: #15803d;"
PROBLEM_STYLE = "color: #b91c1c;"


def _copy_job(source: str, target: str, progress: Callable[[tuple[str, int, int]], None]) -> CopyResult:
    """Runs on the worker thread; adapts copy_to's (table, done, total) to the runner's one value."""
    # Here, not at the top: copy_database imports Alembic (about 0.26 s), which only a copy needs;
    # opening the main window (which imports this dialog) must not wait for it.
    from desktop.services.copy_database import copy_to

    return copy_to(source, target, progress=lambda table, done, total: progress((table, done, total)))


class ServerSettingsDialog(QDialog):
    """Tools > Database connection... (administrators only). ``ServerSettingsDialog(ctx, parent)``."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Database connection")
        # (settings, password, outcome) of the last "Test connection", so Save knows what was tested.
        self._last_check: tuple[ServerSettings, str, ConnectionCheck] | None = None
        current = ss.current_server_settings()

        self.local_radio = QRadioButton("This computer only (SQLite)")
        self.server_radio = QRadioButton("Clinic server (PostgreSQL or MariaDB/MySQL)")
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.local_radio)
        self._modes.addButton(self.server_radio)
        local_note = QLabel(f"Data file: {ServerSettings().url().removeprefix('sqlite:///')}")
        local_note.setWordWrap(True)
        local_note.setIndent(24)

        self.engine = QComboBox()
        for mode, name in ss.ENGINE_NAMES.items():
            self.engine.addItem(name, mode)
        server_mode = current.mode if current.mode != ConnectionMode.SQLITE else ConnectionMode.POSTGRESQL
        self.engine.setCurrentIndex(self.engine.findData(server_mode))
        self.engine.setAccessibleName("Database server engine")
        self.host = QLineEdit(current.host)
        self.host.setPlaceholderText("e.g. clinic-server or 192.168.1.20")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(current.port)
        self.database = QLineEdit(current.database)
        self.user = QLineEdit(current.user)
        self.password = QLineEdit(ss.stored_password(current) or "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_note = QLabel(f"The password is kept in {ss.password_location()}.")
        self.password_note.setWordWrap(True)
        self.server_box = QGroupBox("Clinic server")
        form = QFormLayout(self.server_box)
        for widget, name in (
            (self.host, "Server name or address"),
            (self.port, "Server port"),
            (self.database, "Database name"),
            (self.user, "Database user"),
            (self.password, "Database password"),
        ):
            widget.setAccessibleName(name)
        form.addRow("&Engine:", self.engine)
        form.addRow("&Server:", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("&User:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow(self.password_note)

        self.test_button = QPushButton("&Test connection")
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)

        self.copy_button = QPushButton("&Copy this computer's database to the server")
        self.copy_progress = QProgressBar()
        self.copy_progress.setVisible(False)
        self.copy_result = QLabel()
        self.copy_result.setWordWrap(True)
        copy_box = QGroupBox("Moving to the server")
        copy_layout = QVBoxLayout(copy_box)
        copy_note = QLabel(
            "Copies every record of this computer to an empty server database and counts the rows on "
            "both sides. This computer's database is not changed."
        )
        copy_note.setWordWrap(True)
        copy_layout.addWidget(copy_note)
        copy_layout.addWidget(self.copy_button)
        copy_layout.addWidget(self.copy_progress)
        copy_layout.addWidget(self.copy_result)
        self.copy_result.setText("")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.local_radio)
        layout.addWidget(local_note)
        layout.addWidget(self.server_radio)
        layout.addWidget(self.server_box)
        layout.addLayout(test_row)
        layout.addWidget(copy_box)
        layout.addWidget(QLabel("A change takes effect the next time ClinicDesk starts."))
        self.override = QLabel(ss.override_note(ctx.settings.database_url))
        self.override.setWordWrap(True)
        self.override.setStyleSheet(PROBLEM_STYLE)
        self.override.setVisible(bool(self.override.text()))
        layout.addWidget(self.override)
        layout.addWidget(self.buttons)

        self.server_radio.setChecked(current.mode != ConnectionMode.SQLITE)
        self.engine.currentIndexChanged.connect(self._engine_changed)
        self.local_radio.setChecked(current.mode == ConnectionMode.SQLITE)
        self.local_radio.toggled.connect(self._update_enabled)
        self.test_button.clicked.connect(self.test_connection)
        self.copy_button.clicked.connect(self.copy_database)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        if not ctx.is_admin:  # the Tools menu only offers it to admins; be safe anyway
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            self.test_result.setText("Only an administrator can change the database connection.")
        self._update_enabled()
        # Wide enough for the notes to wrap onto a few lines, and tall enough for them as they change.
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 44)
        keep_fitted(self)

    # --- state -------------------------------------------------------------------------------------

    def settings(self) -> ServerSettings:
        mode = ConnectionMode.SQLITE
        if self.server_radio.isChecked():
            mode = ConnectionMode(self.engine.currentData())
        return ServerSettings(
            mode,
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
        )

    @property
    def _source_is_local(self) -> bool:
        return self.ctx.settings.database_url.startswith("sqlite")

    @property
    def busy(self) -> bool:
        return self.ctx.runner.is_running("server-copy") or self.ctx.runner.is_running("server-test")

    @Slot()
    def _engine_changed(self) -> None:
        """Propose the new engine's usual port when the port is still the other engine's usual one."""
        mode = ConnectionMode(self.engine.currentData())
        if self.port.value() in ss.DEFAULT_PORTS.values():
            self.port.setValue(ss.DEFAULT_PORTS[mode])

    @Slot()
    def _update_enabled(self) -> None:
        server = self.server_radio.isChecked()
        busy = self.busy
        self.server_box.setEnabled(server and not busy)
        self.test_button.setEnabled(server and not busy and self.ctx.is_admin)
        self.copy_button.setEnabled(server and not busy and self.ctx.is_admin and self._source_is_local)
        self.copy_button.setToolTip(
            ""
            if self._source_is_local
            else "ClinicDesk is already using a server; there is no local file to copy."
        )
        self.local_radio.setEnabled(not busy)
        self.server_radio.setEnabled(not busy)

    def _show(self, label: QLabel, text: str, ok: bool) -> None:
        label.setStyleSheet(OK_STYLE if ok else PROBLEM_STYLE)
        label.setText(text)

    def _field_problems(self) -> bool:
        problems = self.settings().validate()
        if problems:
            self._show(self.test_result, " ".join(problems.values()), False)
        return bool(problems)

    # --- test connection ---------------------------------------------------------------------------

    @Slot()
    def test_connection(self) -> None:
        if self._field_problems():
            return
        settings = self.settings()
        password = self.password.text()
        self.test_result.setStyleSheet("")
        self.test_result.setText("Connecting…")
        self.ctx.runner.run(
            partial(ss.check_connection, settings, password or None),
            key="server-test",
            on_done=lambda check: self._tested(settings, password, check),
            on_error=self._failed_test,
        )
        self._update_enabled()

    def _tested(self, settings: ServerSettings, password: str, check: ConnectionCheck) -> None:
        self._last_check = (settings, password, check)
        self._show(self.test_result, check.message, check.ok)
        self._update_enabled()

    def _failed_test(self, error: BaseException) -> None:
        self._show(self.test_result, user_message(error, already_logged=True), False)
        self._update_enabled()

    # --- copy --------------------------------------------------------------------------------------

    @Slot()
    def copy_database(self) -> None:
        if self._field_problems():
            return
        settings = self.settings()
        if not prompts.confirm(
            self,
            f"Copy every record on this computer to the database “{settings.database}” on "
            f"{settings.host}? The server database must be empty; this computer's data is not changed.",
            yes_label="Copy",
        ):
            return
        self.copy_progress.setVisible(True)
        self.copy_progress.setRange(0, 0)
        self.copy_result.setStyleSheet("")
        self.copy_result.setText("Preparing the server database…")
        target = settings.url(self.password.text() or None)
        source = self.ctx.settings.database_url
        self.ctx.runner.run_with_progress(
            lambda progress: _copy_job(source, target, progress),
            key="server-copy",
            on_progress=self._copy_progress,
            on_done=self._copied,
            on_error=self._copy_failed,
        )
        self._update_enabled()

    def _copy_progress(self, value: tuple[str, int, int]) -> None:
        table, done, total = value
        self.copy_progress.setRange(0, max(total, 1))
        self.copy_progress.setValue(done if total else 1)
        self.copy_result.setText(f"Copying {table}: {done:,} of {total:,} rows")

    def _copied(self, result: CopyResult) -> None:
        self.copy_progress.setRange(0, 1)
        self.copy_progress.setValue(1)
        rows = "".join(
            f"<tr><td>{html.escape(c.table)}</td><td align='right'>{c.source_rows:,}</td>"
            f"<td align='right'>{c.target_rows:,}</td><td>{'✓' if c.matches else 'different'}</td></tr>"
            for c in result.tables
        )
        self.copy_result.setStyleSheet(OK_STYLE)
        self.copy_result.setText(
            f"<p>Copied and checked {result.total_rows:,} rows. Choose <b>Save</b>, then restart ClinicDesk "
            "straight away: anything entered on this computer after the copy is not on the server.</p>"
            "<table cellspacing='6'><tr><th align='left'>Table</th><th>Here</th>"
            f"<th>Server</th><th></th></tr>{rows}</table>"
        )
        self._update_enabled()

    def _copy_failed(self, error: BaseException) -> None:
        self.copy_progress.setVisible(False)
        self._show(self.copy_result, user_message(error, already_logged=True), False)
        self._update_enabled()

    # --- save / close ------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        settings = self.settings()
        if settings.mode != ConnectionMode.SQLITE:
            if self._field_problems():
                return
            check = self._last_check
            tested = check is not None and check[:2] == (settings, self.password.text()) and check[2].ok
            if not tested and not prompts.confirm(
                self,
                "The connection to this server has not been tested successfully. Save it anyway?",
                yes_label="Save anyway",
            ):
                return
        try:
            result = ss.save_server_settings(settings, self.password.text() or None)
        except OSError as error:
            prompts.error(self, f"The settings could not be saved: {error.strerror or error}.")
            return
        where = f" The password is kept in {result.password_location}." if result.password_location else ""
        target = "the clinic server" if settings.mode != ConnectionMode.SQLITE else "this computer's file"
        prompts.info(self, f"Saved. ClinicDesk will use {target} the next time it starts.{where}")
        self.accept()

    def reject(self) -> None:
        if self.ctx.runner.is_running("server-copy"):
            prompts.warn(self, "The copy is still running; please wait for it to finish.")
            return
        super().reject()
