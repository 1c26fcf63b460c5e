"""The start-up sequence behind the sign-in window: first paint, database check, services.

Start-up order matters for how fast ClinicDesk feels (measured warm: a bare PySide6 window takes
~0.12 s, SQLAlchemy 0.15 s, alembic 0.26 s, onnxruntime 0.10 s). So the sign-in window is shown first
with only Qt imported; :class:`StartupSequence` does the rest behind it:

1. :class:`FirstPaint` tells when the sign-in window is on screen; then the settings are loaded.
2. :func:`prepare_and_open` (worker) checks the database - for a SQLite file SQLite's quick_check, so
   damage is found before anything is built on it - and, when it is ready, opens the services.
3. Otherwise :func:`handle_startup_decision` (GUI thread) shows what the database needs (upgrade with
   progress, the damaged-file choices, the too-new refusal), then :func:`open_services` (worker).

Nothing writes to the database before step 2 or 3 let it through: the services, and with them every
sign-in, exist only afterwards (a sign-in pressed earlier waits, see desktop/ui/login.py).

The cyclic garbage collector is paused from the start until sign-in is possible (``gc_paused``):
start-up creates about 120 000 long-lived objects (PySide6, SQLAlchemy, the ORM mappers) and almost
no garbage, and the collector's repeated passes over them cost ~40-50 ms before sign-in is possible
(measured with tests/perf/bench_startup.py). The survivors are then frozen (``gc.freeze``) so later
collections do not walk them again.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from desktop.app import report
from desktop.ui import theme
from desktop.ui.errors import user_message

if TYPE_CHECKING:
    from desktop.services.container import Services
    from desktop.services.startup import StartupCheck
    from desktop.settings import Settings
    from desktop.ui.context import UiContext
    from desktop.ui.login import LoginDialog
    from desktop.ui.workers import Runner

#: Go on with start-up even if the window manager never has the sign-in window painted (hidden start).
FIRST_PAINT_TIMEOUT_MS = 1000

#: What ``open_services`` returns: the services and whether any account exists.
OpenedServices = tuple["Services", bool]


class StartupSequence(QObject):
    """Shows the sign-in window and makes sign-in possible behind it."""

    #: Sign-in is possible: the services are open (``ctx``) and handed to the sign-in window, which asks
    #: for the first administrator when the argument is True.
    ready = Signal(bool)
    #: Start-up ends here (exit code): the person chose to quit, or the database cannot be opened.
    stopped = Signal(int)

    def __init__(
        self,
        app: QApplication,
        login: LoginDialog,
        database_url: str | None,
        gc_paused: bool,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._login = login
        self._database_url = database_url
        self._gc_paused = gc_paused
        self._started = False
        self.settings: Settings | None = None  # loaded once the window shows
        self.runner: Runner | None = None
        self.ctx: UiContext | None = None  # once sign-in is possible
        self.timings: dict[str, float] = {}

    def start(self) -> None:
        self._first_paint = FirstPaint(self._login, self._window_shown)
        self._login.show()
        QTimer.singleShot(FIRST_PAINT_TIMEOUT_MS, self._window_shown)

    @Slot()
    def _window_shown(self) -> None:
        if self._started:
            return
        self._started = True
        self.timings["window_shown"] = time.time()
        if report.exit_mode() == "window":
            report.print_report(self.timings)
            self.stopped.emit(0)
            return
        from desktop import settings as app_settings  # after the first window
        from desktop.ui.workers import Runner  # after the first window

        app_settings.setup_logging()
        settings = self.settings = app_settings.load_settings(self._database_url)
        if settings.theme:  # chosen in Preferences: known only now, after the first paint
            theme.set_preference(settings.theme, self._app)
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
        self.resume_gc()  # an upgrade or a dialog is no start-up sprint
        if not handle_startup_decision(self._login, settings, decision):
            self.stopped.emit(0)
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
        self._login.set_context(self.ctx, first_admin=not has_users)
        self.timings["sign_in_ready"] = time.time()
        self.resume_gc()
        self.ready.emit(not has_users)

    def resume_gc(self) -> None:
        """End the start-up pause of the garbage collector (see the module docstring)."""
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()
            gc.enable()

    def _fatal(self, error: BaseException) -> None:
        from desktop.ui.dialogs import prompts  # after the first window

        self.resume_gc()
        prompts.error(
            self._login, "ClinicDesk cannot open the database.\n\n" + user_message(error, already_logged=True)
        )
        self.stopped.emit(1)


class FirstPaint(QObject):
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


class FirstEdit(QObject):
    """Calls ``callback`` once, when the person first types into one of ``fields``.

    Signals, not an event filter: a Python event filter on the application (or on a field) makes
    PySide6 swallow Alt+letter shortcuts (measured: a QMessageBox's Alt+D stopped working with a
    filter that only returned False).
    """

    def __init__(self, fields: Sequence[QLineEdit], callback: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback
        self._connections = [field.textEdited.connect(self._edited) for field in fields]

    @Slot()
    def _edited(self) -> None:
        self.stop()
        self._callback()

    def stop(self) -> None:
        """No longer watch (the callback ran, or what it does happened otherwise)."""
        for connection in self._connections:
            QObject.disconnect(connection)
        self._connections = []


def prepare_and_open(settings: Settings) -> tuple[StartupCheck | None, OpenedServices | None]:
    """Worker: ``(None, open_services(...))`` when the database is ready, else ``(decision, None)``.

    One job instead of two: no hop through the GUI thread between the check and opening the services
    when nothing needs to be asked.
    """
    # After the first window, on the worker: the check pulls in SQLAlchemy.
    from desktop.ui.dialogs import startup

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
    sign-in service is built; the others on first use or by ``Services.warm_up``."""
    from desktop.services.container import Services  # after the first window, on the worker

    services = Services.create(settings.database_url, settings)
    return services, services.auth.has_any_user()
