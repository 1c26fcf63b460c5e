"""Composition root of the GUI: logging -> QApplication -> first window -> database -> sign-in -> main window.

The sign-in window is shown first, with only Qt imported; the start-up sequence behind it (the
database check, any upgrade or repair, the services) is desktop/app/sequence.py, the automatic
backups desktop/app/backups.py. onnxruntime is loaded by the prediction service on first use,
alembic only when an upgrade is needed.

The services other than sign-in's (and their imports: numpy with the predictor, the pages' services)
are built on a worker once someone starts to type in the sign-in window, not as soon as sign-in is
possible: a sign-in window waiting for the next person stays about 16 MB smaller (measured with
tests/perf/bench_startup.py), and typing an e-mail address and a password takes longer than building
them (about 0.15 s), so the main window does not wait for them.

Closing: the app does not quit the moment its last window closes; it makes the closing backup on a
worker first and then emits ``finished``, which ends the event loop (run_gui).

Measuring: see desktop/app/report.py (``CLINICDESK_EXIT_AFTER_SHOWN``).
"""

from __future__ import annotations

import gc
import logging
import sys
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog
from shiboken6 import isValid

from desktop.app import report
from desktop.app.closing import CloseWatch
from desktop.app.excepthook import install_excepthook
from desktop.app.sequence import FirstEdit, StartupSequence
from desktop.ui import theme
from desktop.ui.drafts import DraftStore
from desktop.ui.login import LoginDialog

if TYPE_CHECKING:
    from desktop.app.backups import AutomaticBackups
    from desktop.domain.dto import SessionInfo
    from desktop.settings import Settings
    from desktop.ui.context import UiContext
    from desktop.ui.main_window import MainWindow
    from desktop.ui.workers import Runner

# Deferred imports. Only what the first window needs is imported above (Qt, the theme, the sign-in
# dialog). Every other import of this module sits inside the function that first needs it, each
# marked "after the first window" or "after sign-in": the backups once sign-in is possible, the main
# window and its pages after sign-in. They are plain import statements: a missing module fails there,
# loudly, like any other import.

__all__ = ["AppController", "install_excepthook", "run_gui"]

log = logging.getLogger(__name__)


class AppController(QObject):
    """Drives the windows through start-up, sign-in, sign-out and closing."""

    #: The program is done (exit code): the closing backup is over, or start-up cannot go on.
    finished = Signal(int)

    def __init__(self, app: QApplication, database_url: str | None = None, gc_paused: bool = False) -> None:
        super().__init__(app)
        self.app = app
        self.ctx: UiContext | None = None
        self.main_window: MainWindow | None = None
        # Unsaved input of people switched out at the lock screen, for this run only (drafts.py).
        self.drafts = DraftStore()
        self.password_dialog: QDialog | None = None  # deletes itself on close
        self.backups: AutomaticBackups | None = None
        self.login = LoginDialog()
        self.login.signed_in.connect(self._signed_in)
        self.login.rejected.connect(self._login_closed)
        self.startup = StartupSequence(app, self.login, database_url, gc_paused, self)
        self.startup.ready.connect(self._sign_in_possible)
        self.startup.stopped.connect(self._finish)
        self._close_watch = CloseWatch(self)
        self._close_watch.window_closed.connect(self._close_down_if_no_window)
        self._warm_up_started = False
        self._first_edit: FirstEdit | None = None
        self._closing = False

    @property
    def settings(self) -> Settings | None:
        return self.startup.settings

    @property
    def runner(self) -> Runner | None:
        return self.startup.runner

    @property
    def timings(self) -> dict[str, float]:
        return self.startup.timings

    # --- start-up ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._close_watch.watch(self.login)
        self.startup.start()

    @Slot(bool)
    def _sign_in_possible(self, first_admin: bool) -> None:
        from desktop.app.backups import AutomaticBackups  # after the first window

        self.ctx = ctx = self.startup.ctx
        if ctx is None:
            raise RuntimeError("sign-in became possible without services")
        self.backups = AutomaticBackups(ctx.runner, self)
        self.backups.daily_done.connect(self._daily_backup_done)
        self.backups.closing_done.connect(self._closing_backup_done)
        # The first start of the day makes a verified backup, behind the sign-in window.
        self.backups.after_start(ctx.settings.database_url)
        login = self.login
        if login.email.text() or login.password.text():  # a sign-in typed meanwhile
            self._warm_up()
            return
        fields = [login.email, login.password]
        if first_admin:  # the form for the first administrator is the one on screen
            fields += [login.new_name, login.new_email, login.new_password, login.new_password2]
        self._first_edit = FirstEdit(fields, self._warm_up, self)

    @Slot()
    def _warm_up(self) -> None:
        """Build the services sign-in does not need (see the module docstring)."""
        if self._warm_up_started or self.ctx is None:
            return
        self._warm_up_started = True
        if self._first_edit is not None:
            self._first_edit.stop()
            self._first_edit = None
        self.ctx.runner.run(
            self.ctx.services.warm_up, on_done=self._warmed_up, on_error=self._warm_up_failed, key="warm-up"
        )

    def _warmed_up(self, _result: None) -> None:
        """The services' modules are long-lived too: keep later collections off them, like the objects
        frozen when sign-in became possible (desktop/app/sequence.py)."""
        gc.freeze()

    def _warm_up_failed(self, error: BaseException) -> None:
        """Not fatal: the service that failed to build reports its error when a page first uses it."""
        log.warning("building the services ahead of use failed: %s", error)

    @Slot(str)
    def _daily_backup_done(self, message: str) -> None:
        if message:
            self.login.show_message(message)
        if report.exit_mode():  # measuring: the last start-up job behind the sign-in window
            report.print_report(self.timings)
            QTimer.singleShot(0, partial(self._finish, 0))

    # --- sign-in / sign-out ------------------------------------------------------------------------

    @Slot(object)
    def _signed_in(self, session: SessionInfo) -> None:
        if self.ctx is None:
            raise RuntimeError("signed in before the services were open")
        self.ctx.set_session(session)
        self._warm_up()  # in case nothing was typed (a password manager filled the fields)
        self.login.hide()
        if session.must_change_password:
            self._ask_for_own_password(self.ctx)
            return
        self._open_main_window()

    def _ask_for_own_password(self, ctx: UiContext) -> None:
        """The password was set by an administrator: the person chooses their own before any page."""
        from desktop.ui.dialogs.new_password_dialog import NewPasswordDialog  # after sign-in

        dialog = NewPasswordDialog(ctx)
        dialog.accepted.connect(self._open_main_window)
        dialog.rejected.connect(self._own_password_refused)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.password_dialog = dialog

    @Slot()
    def _own_password_refused(self) -> None:
        ctx, runner = self.ctx, self.runner
        if ctx is not None and ctx.session is not None and runner is not None:
            runner.run(partial(ctx.services.auth.sign_out, ctx.session.token), on_error=lambda _e: None)
            ctx.clear_session()
        self._signed_out("Choose your own password at your next sign-in to use ClinicDesk.")

    @Slot()
    def _open_main_window(self) -> None:
        from desktop.ui.main_window import MainWindow  # after sign-in: imports every dialog it opens

        if self.ctx is None:
            raise RuntimeError("signed in before the services were open")
        self.main_window = MainWindow(self.ctx, drafts=self.drafts)
        self.main_window.signed_out.connect(self._signed_out)
        self._close_watch.watch(self.main_window)
        self.main_window.show()

    @Slot(str)
    def _signed_out(self, reason: str) -> None:
        window, self.main_window = self.main_window, None
        if window is not None:
            window.deleteLater()
        self.login.email.clear()  # the next person at the desk types their own
        self.login.password.clear()
        self.login.show_sign_in()
        if reason:
            self.login.show_message(reason)
        self.login.show()

    # --- closing -----------------------------------------------------------------------------------

    @Slot()
    def _login_closed(self) -> None:
        if self.main_window is None:  # closing the sign-in window before signing in quits
            self._close_down()

    @Slot()
    def _close_down_if_no_window(self) -> None:
        """A window closed: the program closes when none of its windows is left (not on sign-out)."""
        windows = (self.login, self.main_window, self.password_dialog)
        if not any(w is not None and isValid(w) and w.isVisible() for w in windows):
            self._close_down()

    def _close_down(self) -> None:
        """The person closed the program: the closing backup on a worker, then ``finished``."""
        if self._closing:
            return
        self._closing = True
        if self.ctx is None or self.backups is None:  # no database was opened: nothing to back up
            self._finish(0)
            return
        self.backups.at_close(self.ctx.settings.database_url)

    @Slot()
    def _closing_backup_done(self) -> None:
        self._finish(0)

    @Slot(int)
    def _finish(self, code: int) -> None:
        self._closing = True
        self.finished.emit(code)

    def shutdown(self) -> None:
        """After the event loop: wait for the workers, close the database; the closing backup is made
        here only when the program ended without passing through ``_close_down``."""
        self.startup.resume_gc()
        if self.runner is not None:
            self.runner.wait_for_done(5000)
        if self.ctx is not None:
            self.ctx.services.close()
            if self.backups is not None:
                self.backups.at_exit(self.ctx.settings.database_url)


def run_gui(database_url: str | None = None, gc_paused: bool = False) -> int:
    """Run the desktop application until it is closed; returns the exit code.

    Logging is set up right after the first window is shown (desktop/app/sequence.py).
    ``gc_paused``: the caller disabled the garbage collector for start-up (desktop.cli does, for the
    GUI); it is enabled again once sign-in is possible.
    """
    install_excepthook()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("ClinicDesk")
    app.setOrganizationName("ClinicDesk")
    app.setApplicationDisplayName("ClinicDesk")
    app.setDesktopFileName("clinicdesk")  # matches resources/clinicdesk.desktop
    app.setWindowIcon(theme.app_icon())
    app.setQuitOnLastWindowClosed(False)  # the controller makes the closing backup first
    theme.follow_system(app)
    controller = AppController(app, database_url, gc_paused=gc_paused)
    controller.finished.connect(app.exit)
    controller.start()
    try:
        return app.exec()
    finally:
        controller.shutdown()
