"""Helpers for the tests that drive the real AppController (start-up, sign-in, the automatic backups).

``controllers(qapp)`` gives a maker of controllers over database URLs; on leaving, its workers are waited
for, its windows closed and its database closed, as ``run_gui`` does after the event loop. Quitting
is the controller's ``finished`` signal, which only ``run_gui`` connects to the application: a test
can let the program close without ending the test run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.app import AppController
from tests.ui.conftest import USER_EMAIL, USER_PASSWORD


@contextmanager
def controllers(qapp: Any) -> Iterator[Callable[[str], AppController]]:
    """A maker of controllers over database URLs; on leaving, each is shut down as run_gui does."""
    made: list[AppController] = []

    def make(url: str) -> AppController:
        controller = AppController(qapp, url)
        made.append(controller)
        return controller

    try:
        yield make
    finally:
        for controller in made:
            if controller.runner is not None:
                controller.runner.wait_for_done(30_000)
            controller.login.rejected.disconnect()
            if controller.main_window is not None:
                controller.main_window.close()
            controller.login.close()
            controller.shutdown()
            controller.deleteLater()


def wait_until_sign_in_possible(qtbot: Any, controller: AppController) -> None:
    """Until sign-in is possible and the day's backup check behind the sign-in window is over."""
    qtbot.waitUntil(controller.login.is_ready, timeout=30_000)
    assert controller.runner is not None
    qtbot.waitUntil(lambda: not controller.runner.is_running("daily-backup"), timeout=30_000)


def sign_in(
    qtbot: Any, controller: AppController, email: str = USER_EMAIL, password: str = USER_PASSWORD
) -> Any:
    """Sign in through the sign-in window; the main window once it is shown and done loading."""
    controller.login.email.setText(email)
    controller.login.password.setText(password)
    controller.login.sign_in_button.click()
    qtbot.waitUntil(
        lambda: controller.main_window is not None and controller.main_window.isVisible(), timeout=30_000
    )
    assert controller.runner is not None
    qtbot.waitUntil(lambda: not controller.runner.is_running(), timeout=30_000)
    return controller.main_window


def file_of(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table of a SQLite file, read through a read-only connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        conn.close()
