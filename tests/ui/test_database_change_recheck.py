"""After Database tools restored or downgraded the database, the main window runs the start-up check
again before the sign-in window comes back: a downgraded database the app cannot run on is explained,
and the dialog offers to upgrade again.

Real SQLite file, real Alembic downgrade/upgrade, real progress dialog; only ``startup.ask`` (the one
place the flow shows a choice modally) is replaced by a recorder that answers.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from desktop.db import migrate
from desktop.ui.dialogs import startup
from desktop.ui.main_window import MainWindow
from tests.revisions import HEAD
from tests.ui.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

PREVIOUS = "d24a4742aa81"


def _revision(url: str) -> str | None:
    conn = sqlite3.connect(Path(url.split(":///", 1)[1]))
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


class Answers:
    def __init__(self, *choices: str) -> None:
        self.choices = list(choices)
        self.shown: list[tuple[str, str, list[str]]] = []

    def __call__(self, dialog: Any) -> str:
        self.shown.append((dialog.windowTitle(), dialog.text, dialog.keys))
        dialog.deleteLater()
        return self.choices.pop(0) if self.choices else "quit"


@pytest.fixture
def window(qtbot: Any, admin_ctx: Any) -> MainWindow:
    win = MainWindow(admin_ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: not admin_ctx.runner.is_running(), timeout=10_000)
    return win


def test_downgraded_database_is_offered_the_upgrade_before_sign_in(
    qtbot: Any, window: MainWindow, ui_db_url: str, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    migrate.downgrade(ui_db_url, PREVIOUS)
    answers = Answers("upgrade")
    monkeypatch.setattr(startup, "ask", answers)
    with qtbot.waitSignal(window.signed_out, timeout=30_000) as signal:
        window.after_database_change("The database was downgraded. Please sign in again.")
    assert signal.args == ["The database was downgraded. Please sign in again."]
    title, text, keys = answers.shown[0]
    assert title == "Upgrade the database?" and keys == ["upgrade", "quit"]
    assert PREVIOUS in text and HEAD in text
    assert _revision(ui_db_url) == HEAD
    assert list((data_dir / "backups").glob("*before-upgrade*"))  # the start-up upgrade backs up first


def test_declining_the_upgrade_leaves_the_database_and_closes(
    qtbot: Any, window: MainWindow, ui_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.downgrade(ui_db_url, PREVIOUS)
    monkeypatch.setattr(startup, "ask", Answers("quit"))
    with qtbot.assertNotEmitted(window.signed_out):
        window.after_database_change("The database was downgraded. Please sign in again.")
    assert not window.isVisible()
    assert _revision(ui_db_url) == PREVIOUS


def test_restored_database_at_head_signs_out_without_questions(
    qtbot: Any, window: MainWindow, ui_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers()
    monkeypatch.setattr(startup, "ask", answers)
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        window.after_database_change("The database was restored. Please sign in again.")
    assert answers.shown == []
    assert _revision(ui_db_url) == HEAD


@pytest.fixture
def controller(make_controller: Any, user_session: Any) -> Any:
    return make_controller()


def test_after_the_upgrade_offer_the_admin_signs_in_again(
    qtbot: Any, controller: Any, ui_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:

    def sign_in() -> MainWindow:
        qtbot.waitUntil(controller.login.is_ready, timeout=20_000)
        controller.login.email.setText(ADMIN_EMAIL)
        controller.login.password.setText(ADMIN_PASSWORD)
        controller.login.sign_in_button.click()
        qtbot.waitUntil(
            lambda: controller.main_window is not None and controller.main_window.isVisible(), timeout=20_000
        )
        return controller.main_window

    controller.start()
    window = sign_in()
    migrate.downgrade(ui_db_url, PREVIOUS)  # what "Downgrade one step" in Database tools does
    monkeypatch.setattr(startup, "ask", Answers("upgrade"))
    window.after_database_change("The database was downgraded. Please sign in again.")
    assert controller.login.isVisible() and controller.main_window is None
    assert _revision(ui_db_url) == HEAD
    again = sign_in()
    assert again.show_page("users") is not None  # the window works on the upgraded database
