"""The start-up sequence behind the sign-in window: first paint, database check, services.

Start-up order matters for how fast ClinicDesk feels (measured warm: a bare PySide6 window takes
~0.12 s, SQLAlchemy 0.15 s, alembic 0.26 s, onnxruntime 0.10 s). So the sign-in window is shown first
with only Qt imported; the database check and the services (SQLAlchemy) follow on the worker pool:

1. :class:`FirstPaint` tells when the sign-in window is on screen (and :class:`FirstInput` when
   someone starts to use it: the app builds the services sign-in does not need then).
2. :func:`prepare_and_open` (worker) checks the database - for a SQLite file SQLite's quick_check, so
   damage is found before anything is built on it - and, when it is ready, opens the services.
3. Otherwise :func:`handle_startup_decision` (GUI thread) shows what the database needs (upgrade with
   progress, the damaged-file choices, the too-new refusal), then :func:`open_services` (worker).

Nothing writes to the database before step 2 or 3 let it through: the services, and with them every
sign-in, exist only afterwards (a sign-in pressed earlier waits, see desktop/ui/login.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desktop.services.container import Services
    from desktop.services.startup import StartupCheck
    from desktop.settings import Settings

#: Go on with start-up even if the window manager never has the sign-in window painted (hidden start).
FIRST_PAINT_TIMEOUT_MS = 1000

#: What ``open_services`` returns: the services and whether any account exists.
OpenedServices = tuple["Services", bool]


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


class FirstInput(QObject):
    """Calls ``callback`` once, when the person first presses a key or clicks in ``window`` (or in any
    widget inside it). An application-wide event filter, because key presses go to the focused field
    rather than to the window; it removes itself after the first one."""

    _INPUT = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.InputMethod)

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback = callback
        QCoreApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT and isinstance(watched, QWidget) and watched.window() is self._window:
            QCoreApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self._callback)  # the key or click itself is handled first
            self.deleteLater()
        return False


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
