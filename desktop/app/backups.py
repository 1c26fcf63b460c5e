"""The automatic backups the app starts: the day's first start and closing the program.

Whether one is due is decided by desktop/db/backup_schedule.py (no backup from today yet; changes
since the newest verified backup), which also skips a server whose client tools are missing here.
Both run on the worker pool, never on the GUI thread: a backup of a large file takes seconds.

* :meth:`AutomaticBackups.after_start`: once sign-in is possible (the start-up check has passed);
  ``daily_done(message)`` carries what to tell the person ("" for nothing).
* :meth:`AutomaticBackups.at_close`: when the last window closed; ``closing_done`` fires when it is
  over (made, not due, or failed and logged), and the app exits then.
* :meth:`AutomaticBackups.at_exit`: the same, blocking, for an exit that did not pass through
  :meth:`at_close` (the event loop already ended).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from desktop.ui.workers import Runner

DAILY_JOB, CLOSING_JOB = "daily-backup", "closing-backup"


class AutomaticBackups(QObject):
    daily_done = Signal(str)
    closing_done = Signal()

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._closing_started = False

    def after_start(self, database_url: str) -> None:
        self._runner.run(
            partial(automatic_backup, database_url, "start"),
            on_done=self.daily_done.emit,
            on_error=lambda _error: self.daily_done.emit(""),  # automatic_backup logs and never raises
            key=DAILY_JOB,
        )

    def at_close(self, database_url: str) -> None:
        """Start the closing backup (once); ``closing_done`` follows."""
        if self._closing_started:
            return
        self._closing_started = True
        self._runner.run(
            partial(automatic_backup, database_url, "close"),
            on_done=lambda _message: self.closing_done.emit(),
            on_error=lambda _error: self.closing_done.emit(),
            key=CLOSING_JOB,
        )

    def at_exit(self, database_url: str) -> None:
        """Blocking: the closing backup when :meth:`at_close` did not run (call after the event loop)."""
        if not self._closing_started:
            self._closing_started = True
            automatic_backup(database_url, "close")


def automatic_backup(database_url: str, moment: str) -> str:
    """The scheduled backup's message ("" for none); never raises (see desktop.services.startup)."""
    # After the first window, on a worker: the backup modules pull in SQLAlchemy.
    from desktop.services.startup import automatic_backup as run_due

    return run_due(database_url, moment)
