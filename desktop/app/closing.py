"""Noticing that the person closed the program.

The app turns Qt's quit-on-last-window-closed off (it makes the closing backup first, see
desktop/app/backups.py), so it must notice closing itself. Qt's ``lastWindowClosed`` is no help
here: it is also emitted while sign-out swaps the main window for the sign-in window, and only inside
``QApplication.exec()``. :class:`CloseWatch` reports the Close events of the windows it watches one
event-loop turn later, when a sign-out has shown the sign-in window again; the app then looks whether
any of its windows is still visible.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget


class CloseWatch(QObject):
    #: A watched window was closed (emitted after the events that follow the close were handled).
    window_closed = Signal()

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self, self.window_closed.emit)
        return False
