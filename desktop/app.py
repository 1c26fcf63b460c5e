"""Composition root of the GUI: logging -> QApplication -> first window -> database -> sign-in -> main window.

Start-up order matters for how fast ClinicDesk feels (shared/PLATFORM.md: a bare PySide6 window takes
~0.12 s, SQLAlchemy 0.15 s, alembic 0.26 s, onnxruntime 0.10 s). So the sign-in window is shown first,
disabled, with only Qt imported; the database check, the migration (if any) and building the services
(SQLAlchemy) run afterwards on the worker pool; the form is enabled when sign-in is possible.
onnxruntime is loaded by the prediction service on first use, alembic only when an upgrade is needed.

Measuring: ``CLINICDESK_EXIT_AFTER_SHOWN=1`` prints one JSON line to stdout with wall-clock timestamps
(``time.time()``) of ``window_shown`` and ``sign_in_ready`` and the peak RSS (MB) at that moment, then
exits with 0; ``CLINICDESK_EXIT_AFTER_SHOWN=window`` exits right after the first window is shown.
tests/perf/bench_startup.py uses it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from desktop.ui import theme
from desktop.ui.dialogs import prompts
from desktop.ui.errors import apology
from desktop.ui.login import LoginDialog

if TYPE_CHECKING:
    from desktop import settings as app_settings

# Only what the first window needs is imported above (Qt, the theme, the sign-in dialog). Settings and
# logging (logging.handlers pulls socket and pickle), the worker pool and everything after them are
# imported once the window is on screen.

log = logging.getLogger(__name__)

EXIT_AFTER_SHOWN_ENV = "CLINICDESK_EXIT_AFTER_SHOWN"


def install_excepthook() -> None:
    """Log any uncaught exception with its traceback and show a short apology, never the traceback."""
    showing = {"now": False}

    def hook(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if showing["now"] or QApplication.instance() is None:
            return
        showing["now"] = True
        try:
            from desktop.domain.errors import KnownError

            text = exc.message if isinstance(exc, KnownError) else apology()
            prompts.error(None, text)
        finally:
            showing["now"] = False

    sys.excepthook = hook


class AppController(QObject):
    """Drives the windows through start-up, sign-in, sign-out and quitting."""

    def __init__(self, app: QApplication, database_url: str | None = None) -> None:
        super().__init__(app)
        self.app = app
        self.database_url = database_url
        self.settings: Any = None  # loaded once the window shows
        self.runner: Any = None
        self.ctx: Any = None
        self.main_window: Any = None
        self.login = LoginDialog()
        self.login.signed_in.connect(self._signed_in)
        self.login.rejected.connect(self._login_closed)
        self.timings: dict[str, float] = {}
        self._exit_mode = os.environ.get(EXIT_AFTER_SHOWN_ENV, "")

    # --- start-up ----------------------------------------------------------------------------------

    def start(self) -> None:
        self.login.show()
        QTimer.singleShot(0, self._window_shown)

    @Slot()
    def _window_shown(self) -> None:
        self.timings["window_shown"] = time.time()
        if self._exit_mode == "window":
            self._report_and_quit()
            return
        from desktop import settings as app_settings
        from desktop.ui.workers import Runner

        app_settings.setup_logging()
        self.settings = app_settings.load_settings(self.database_url)
        self.runner = Runner(self)
        self.runner.run(prepare_database, self.settings, on_done=self._database_checked,
                        on_error=self._fatal, key="startup")

    def _database_checked(self, decision: Any) -> None:
        """Hand a database that needs attention to the start-up dialogs, else open the services."""
        self.timings["database_checked"] = time.time()
        if decision is not None and not handle_startup_decision(self.login, self.settings, decision):
            self.app.quit()
            return
        self.runner.run(open_services, self.settings, on_done=self._services_ready, on_error=self._fatal,
                        key="startup")

    def _services_ready(self, result: tuple[Any, bool]) -> None:
        from desktop.ui.context import UiContext

        services, has_users = result
        self.ctx = UiContext(services, self.settings, self.runner)
        self.login.set_context(self.ctx, first_admin=not has_users)
        self.timings["sign_in_ready"] = time.time()
        if self._exit_mode:
            self._report_and_quit()

    def _fatal(self, error: BaseException) -> None:
        from desktop.ui.errors import user_message

        prompts.error(self.login, "ClinicDesk cannot open the database.\n\n"
                      + user_message(error, already_logged=True))
        self.app.exit(1)

    def _report_and_quit(self) -> None:
        import resource

        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        heavy = [m for m in ("sqlalchemy", "alembic", "numpy", "onnxruntime", "bcrypt", "PySide6.QtCharts")
                 if m in sys.modules]
        print(json.dumps({**self.timings, "peak_rss_mb": round(peak_kb / 1024, 1), "loaded": heavy}),
              flush=True)
        QTimer.singleShot(0, self.app.quit)

    # --- sign-in / sign-out ------------------------------------------------------------------------

    @Slot(object)
    def _signed_in(self, session: Any) -> None:
        from desktop.ui.main_window import MainWindow

        self.ctx.set_session(session)
        self.main_window = MainWindow(self.ctx)
        self.main_window.signed_out.connect(self._signed_out)
        self.main_window.show()
        self.login.hide()

    @Slot(str)
    def _signed_out(self, reason: str) -> None:
        window, self.main_window = self.main_window, None
        if window is not None:
            window.deleteLater()
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


def prepare_database(settings: app_settings.Settings) -> Any:
    """Worker: None when the database is ready at head; else the decision for the start-up dialogs.

    Uses UI-2's start-up flow (desktop/ui/dialogs/startup.py over desktop.services.startup); if that
    module is absent, falls back to upgrading (or creating) the database directly.
    """
    try:
        from desktop.ui.dialogs import startup
    except ModuleNotFoundError as error:
        if error.name is None or not error.name.startswith("desktop."):
            raise
        from desktop.db import migrate

        migrate.upgrade(settings.database_url)
        return None
    return startup.check_database(settings)


def handle_startup_decision(parent: Any, settings: app_settings.Settings, decision: Any) -> bool:
    """GUI thread: show what the decision needs (progress, refusal, repair); True to go on to sign-in."""
    from desktop.ui.dialogs import startup

    return bool(startup.handle_startup_decision(parent, settings, decision))


def open_services(settings: app_settings.Settings) -> tuple[Any, bool]:
    """Worker: build the services (imports SQLAlchemy here, not before the first window)."""
    from desktop.services.container import Services

    services = Services.create(settings.database_url, settings)
    return services, services.auth.has_any_user()


def run_gui(database_url: str | None = None) -> int:
    """Run the desktop application until its last window closes; returns the exit code.

    Logging is set up right after the first window is shown (AppController._window_shown).
    """
    install_excepthook()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("ClinicDesk")
    app.setOrganizationName("ClinicDesk")
    app.setApplicationDisplayName("ClinicDesk")
    theme.follow_system(app)
    controller = AppController(app, database_url)
    controller.start()
    try:
        return app.exec()
    finally:
        controller.shutdown()
