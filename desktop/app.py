"""Composition root of the GUI: logging -> QApplication -> first window -> database -> sign-in -> main window.

Start-up order matters for how fast ClinicDesk feels (measured warm: a bare PySide6 window takes
~0.12 s, SQLAlchemy 0.15 s, alembic 0.26 s, onnxruntime 0.10 s). So the sign-in window is shown first,
disabled, with only Qt imported; the database check, the migration (if any) and building the services
(SQLAlchemy) run afterwards on the worker pool; the form is enabled when sign-in is possible.
onnxruntime is loaded by the prediction service on first use, alembic only when an upgrade is needed.
The services other than sign-in's are built on a worker right after sign-in became possible.

The cyclic garbage collector is paused from the start until then (``gc_paused``): start-up creates
about 120 000 long-lived objects (PySide6, SQLAlchemy, the ORM mappers) and almost no garbage, and
the collector's repeated passes over them cost ~40-50 ms before sign-in is possible (measured with
tests/perf/bench_startup.py). The survivors are then frozen (``gc.freeze``) so later collections do
not walk them again.

Measuring: ``CLINICDESK_EXIT_AFTER_SHOWN=1`` prints one JSON line to stdout with wall-clock timestamps
(``time.time()``) of ``window_shown`` (the sign-in window's first paint has been done, i.e. it is on
screen) and ``sign_in_ready``, and the peak RSS (MB) once the start-up work behind the sign-in window
has finished, then exits with 0; ``CLINICDESK_EXIT_AFTER_SHOWN=window`` exits right after the first
window is shown. tests/perf/bench_startup.py uses it.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QWidget

from desktop.domain.errors import KnownError
from desktop.ui import theme
from desktop.ui.drafts import DraftStore
from desktop.ui.errors import apology, user_message
from desktop.ui.login import LoginDialog

if TYPE_CHECKING:
    from desktop.domain.dto import SessionInfo
    from desktop.services.container import Services
    from desktop.services.startup import StartupCheck
    from desktop.settings import Settings
    from desktop.ui.context import UiContext
    from desktop.ui.main_window import MainWindow
    from desktop.ui.workers import Runner

# Deferred imports. Only what the first window needs is imported above (Qt, the theme, the sign-in
# dialog and the error texts). Every other import of this module sits inside the function that first
# needs it, each marked "after the first window": the settings (json, the credentials store), the
# message boxes and the worker pool are imported once the window is on screen; the start-up check,
# the services (SQLAlchemy) on a worker behind it; the main window and its pages after sign-in. They
# are plain import statements: a missing module fails there, loudly, like any other import.

log = logging.getLogger(__name__)

EXIT_AFTER_SHOWN_ENV = "CLINICDESK_EXIT_AFTER_SHOWN"
#: Go on with start-up even if the window manager never has the sign-in window painted (hidden start).
FIRST_PAINT_TIMEOUT_MS = 1000


def install_excepthook() -> None:
    """Log any uncaught exception with its traceback and show a short apology, never the traceback."""
    showing = {"now": False}

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if showing["now"] or QApplication.instance() is None:
            return
        showing["now"] = True
        try:
            from desktop.ui.dialogs import prompts  # after the first window

            text = exc.message if isinstance(exc, KnownError) else apology()
            prompts.error(None, text)
        finally:
            showing["now"] = False

    sys.excepthook = hook


class _FirstPaint(QObject):
    """Calls ``callback`` once, right after ``widget`` was painted for the first time (it is on screen:
    ``show()`` only queues the paint, and a 0 ms timer started at ``show()`` fires before it)."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)  # after this paint and the flush to the screen
            self.deleteLater()
        return False


class AppController(QObject):
    """Drives the windows through start-up, sign-in, sign-out and quitting."""

    def __init__(self, app: QApplication, database_url: str | None = None, gc_paused: bool = False) -> None:
        super().__init__(app)
        self.app = app
        self.database_url = database_url
        self.settings: Settings | None = None  # loaded once the window shows
        self.runner: Runner | None = None
        self.ctx: UiContext | None = None
        self.main_window: MainWindow | None = None
        # Unsaved input of people switched out at the lock screen, for this run only (drafts.py).
        self.drafts = DraftStore()
        self.login = LoginDialog()
        self.login.signed_in.connect(self._signed_in)
        self.login.rejected.connect(self._login_closed)
        self.timings: dict[str, float] = {}
        self._exit_mode = os.environ.get(EXIT_AFTER_SHOWN_ENV, "")
        self._gc_paused = gc_paused
        self._started = False

    # --- start-up ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._first_paint = _FirstPaint(self.login, self._window_shown)
        self.login.show()
        QTimer.singleShot(FIRST_PAINT_TIMEOUT_MS, self._window_shown)

    @Slot()
    def _window_shown(self) -> None:
        if self._started:
            return
        self._started = True
        self.timings["window_shown"] = time.time()
        if self._exit_mode == "window":
            self._report_and_quit()
            return
        from desktop import settings as app_settings  # after the first window
        from desktop.ui.workers import Runner  # after the first window

        app_settings.setup_logging()
        settings = self.settings = app_settings.load_settings(self.database_url)
        if settings.theme:  # chosen in Preferences: known only now, after the first paint
            theme.set_preference(settings.theme, self.app)
        self.runner = Runner(self)
        self.runner.run(
            lambda: prepare_and_open(settings),
            on_done=self._database_checked,
            on_error=self._fatal,
            key="startup",
        )

    def _database_checked(self, result: tuple[StartupCheck | None, OpenedServices | None]) -> None:
        """Services already open (the usual case): sign-in is possible. Otherwise hand the database that
        needs attention to the start-up dialogs, then open the services."""
        decision, opened = result
        if opened is not None:
            self._services_ready(opened)
            return
        settings, runner = self._started_with()
        self.timings["database_checked"] = time.time()
        self._resume_gc()  # an upgrade or a dialog is no start-up sprint
        if not handle_startup_decision(self.login, settings, decision):
            self.app.quit()
            return
        runner.run(
            lambda: open_services(settings), on_done=self._services_ready, on_error=self._fatal, key="startup"
        )

    def _started_with(self) -> tuple[Settings, Runner]:
        """The settings and runner made when the first window was shown."""
        if self.settings is None or self.runner is None:
            raise RuntimeError("start-up has not begun: call start() first")
        return self.settings, self.runner

    def _services_ready(self, result: OpenedServices) -> None:
        from desktop.ui.context import UiContext  # after the first window

        settings, runner = self._started_with()
        services, has_users = result
        self.ctx = UiContext(services, settings, runner)
        self.login.set_context(self.ctx, first_admin=not has_users)
        self.timings["sign_in_ready"] = time.time()
        # The other services (and their imports) are built now, behind the sign-in window.
        runner.run(services.warm_up, on_done=self._warmed_up, on_error=self._warm_up_failed, key="warm-up")
        # The first start of the day makes a verified backup, behind the sign-in window.
        runner.run(
            lambda: _automatic_backup(settings.database_url, "start"),
            on_done=self._backup_said,
            on_error=lambda _error: None,
            key="daily-backup",
        )

    def _backup_said(self, message: str) -> None:
        if message:
            self.login.show_message(message)

    def _warmed_up(self, _result: object = None) -> None:
        self._resume_gc()
        if self._exit_mode:
            self._report_and_quit()

    def _warm_up_failed(self, error: BaseException) -> None:
        """Not fatal: the service that failed to build reports its error when a page first uses it."""
        log.warning("building the services ahead of use failed: %s", error)
        self._warmed_up()

    def _resume_gc(self) -> None:
        """End the start-up pause of the garbage collector (see the module docstring)."""
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()
            gc.enable()

    def _fatal(self, error: BaseException) -> None:
        from desktop.ui.dialogs import prompts  # after the first window

        self._resume_gc()
        prompts.error(
            self.login, "ClinicDesk cannot open the database.\n\n" + user_message(error, already_logged=True)
        )
        self.app.exit(1)

    def _report_and_quit(self) -> None:
        import json  # only for this benchmark line
        import resource  # (a Unix module: only the benchmark asks for it)

        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        heavy = [
            m
            for m in ("sqlalchemy", "alembic", "numpy", "onnxruntime", "bcrypt", "PySide6.QtCharts")
            if m in sys.modules
        ]
        print(
            json.dumps({**self.timings, "peak_rss_mb": round(peak_kb / 1024, 1), "loaded": heavy}), flush=True
        )
        QTimer.singleShot(0, self.app.quit)

    # --- sign-in / sign-out ------------------------------------------------------------------------

    @Slot(object)
    def _signed_in(self, session: SessionInfo) -> None:
        if self.ctx is None:
            raise RuntimeError("signed in before the services were open")
        self.ctx.set_session(session)
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

    @Slot()
    def _login_closed(self) -> None:
        if self.main_window is None:  # closing the sign-in window before signing in quits
            self.app.quit()

    def shutdown(self) -> None:
        if self.runner is not None:
            self.runner.wait_for_done(5000)
        if self.ctx is not None:
            self.ctx.services.close()
            # Closing after changes makes a verified backup (desktop/db/backup_schedule.py).
            _automatic_backup(self.ctx.settings.database_url, "close")


def _automatic_backup(url: str, moment: str) -> str:
    """The scheduled backup's message ("" for none); never raises (see services.startup)."""
    from desktop.services.startup import automatic_backup  # after the first window, on a worker

    return automatic_backup(url, moment)


#: What ``open_services`` returns: the services and whether any account exists.
OpenedServices = tuple["Services", bool]


def prepare_and_open(settings: Settings) -> tuple[StartupCheck | None, OpenedServices | None]:
    """Worker: ``(None, open_services(...))`` when the database is ready, else ``(decision, None)``.

    One job instead of two: no hop through the GUI thread between the check and opening the services
    when nothing needs to be asked.
    """
    from desktop.ui.dialogs import startup  # after the first window, on the worker: pulls SQLAlchemy

    decision = startup.check_database(settings)
    if decision is not None:
        return decision, None
    return None, open_services(settings)


def handle_startup_decision(parent: QWidget, settings: Settings, decision: StartupCheck | None) -> bool:
    """GUI thread: show what the decision needs (progress, refusal, repair); True to go on to sign-in."""
    from desktop.ui.dialogs import startup  # after the first window (already loaded by the worker)

    return startup.handle_startup_decision(parent, settings, decision)


def open_services(settings: Settings) -> OpenedServices:
    """Worker: build the services (imports SQLAlchemy here, not before the first window). Only the
    sign-in service is built; the others are built on first use or by ``Services.warm_up``."""
    from desktop.services.container import Services  # after the first window, on the worker

    services = Services.create(settings.database_url, settings)
    return services, services.auth.has_any_user()


def run_gui(database_url: str | None = None, gc_paused: bool = False) -> int:
    """Run the desktop application until its last window closes; returns the exit code.

    Logging is set up right after the first window is shown (AppController._window_shown).
    ``gc_paused``: the caller disabled the garbage collector for start-up (desktop.cli does, for the
    GUI); it is enabled again once sign-in is possible and the services are built.
    """
    install_excepthook()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("ClinicDesk")
    app.setOrganizationName("ClinicDesk")
    app.setApplicationDisplayName("ClinicDesk")
    app.setDesktopFileName("clinicdesk")  # matches resources/clinicdesk.desktop
    app.setWindowIcon(theme.app_icon())
    theme.follow_system(app)
    controller = AppController(app, database_url, gc_paused=gc_paused)
    controller.start()
    try:
        return app.exec()
    finally:
        controller._resume_gc()
        controller.shutdown()
