"""Idle detection for the automatic lock: an application-wide event filter.

Any key press, mouse press, mouse move or wheel event anywhere in the application restarts a
single-shot timer; when it fires, ``idle`` is emitted and the main window shows its lock screen.
The filter only looks at events and never consumes them (eventFilter returns False).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        """Change the idle time (tests use fractions of a minute)."""
        self._timer.setInterval(max(1, int(minutes * 60_000)))
        self._timer.start()

    def set_enabled(self, enabled: bool) -> None:
        """Pause while locked or signed out; resume after unlocking."""
        if enabled:
            self._timer.start()
        else:
            self._timer.stop()

    def is_enabled(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """Detach from the application (when the main window closes)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False
