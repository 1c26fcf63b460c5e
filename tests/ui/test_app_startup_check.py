"""The start-up check of the database runs on a worker behind the sign-in window, and nothing can
write to the database before it passed: a sign-in pressed meanwhile waits for it, and a damaged file
still leads to the damaged-database choices. Real SQLite files and the real AppController; only
``startup.ask`` (the one place the flow shows a choice modally) is replaced by a recorder."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from desktop.app import AppController
from desktop.db import backup
from desktop.services import startup as startup_service
from desktop.ui.dialogs import startup
from tests.ui.app_helpers import controllers, file_of, sign_in, table_counts, wait_until_sign_in_possible
from tests.ui.conftest import USER_EMAIL, USER_PASSWORD


@pytest.fixture
def make_controller(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], AppController]]:
    monkeypatch.delenv("CLINICDESK_EXIT_AFTER_SHOWN", raising=False)
    with controllers(qapp) as make:
        yield make


class Answers:
    """Stands in for startup.ask: records each dialog's title and choices, answers from a list."""

    def __init__(self, *choices: str) -> None:
        self.choices = list(choices)
        self.shown: list[tuple[str, list[str]]] = []

    def __call__(self, dialog: Any) -> str:
        self.shown.append((dialog.windowTitle(), dialog.keys))
        dialog.deleteLater()
        return self.choices.pop(0) if self.choices else "quit"


def _damage(path: Path) -> None:
    """Overwrite the root page of the records table (the file is checkpointed first)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'medicalrecord'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek(size * (page - 1))
        handle.write(os.urandom(size))


@pytest.fixture
def gated_check(monkeypatch: pytest.MonkeyPatch) -> Any:
    """SQLite's quick_check, held at its start until the test opens the gate (then the real check runs)."""
    entered, gate = threading.Event(), threading.Event()
    real = startup_service.quick_check

    def held(path: Path) -> str:
        entered.set()
        gate.wait(60)
        return real(path)

    monkeypatch.setattr(startup_service, "quick_check", held)
    yield entered, gate
    gate.set()


def test_sign_in_pressed_during_the_check_waits_for_it(
    qtbot: Any,
    ui_db_url: str,
    user_session: Any,
    make_controller: Callable[[str], AppController],
    gated_check: Any,
) -> None:
    entered, gate = gated_check
    controller = make_controller(ui_db_url)
    controller.start()
    assert controller.login.isVisible() and controller.login.can_type()
    # The check runs on a worker: this (GUI) thread goes on while it is held.
    qtbot.waitUntil(entered.is_set, timeout=20_000)
    before = table_counts(file_of(ui_db_url))
    controller.login.email.setText(USER_EMAIL)
    controller.login.password.setText(USER_PASSWORD)
    controller.login.sign_in_button.click()
    QCoreApplication.processEvents()  # anything queued by the click runs; the check is still held
    assert controller.ctx is None and not controller.login.is_ready()
    assert "as soon as the database is open" in controller.login.message.text()
    assert controller.main_window is None
    assert table_counts(file_of(ui_db_url)) == before

    gate.set()
    qtbot.waitUntil(
        lambda: controller.main_window is not None and controller.main_window.isVisible(), timeout=30_000
    )
    assert table_counts(file_of(ui_db_url))["session"] == before["session"] + 1  # the queued sign-in ran


def test_a_good_file_passes_the_check_and_signs_in(
    qtbot: Any, ui_db_url: str, user_session: Any, make_controller: Callable[[str], AppController]
) -> None:
    controller = make_controller(ui_db_url)
    controller.start()
    qtbot.waitUntil(controller.login.is_ready, timeout=30_000)
    window = sign_in(qtbot, controller)
    assert window is controller.main_window and not controller.login.isVisible()


def test_a_damaged_file_gets_the_damage_dialog_and_is_not_touched(
    qtbot: Any,
    ui_db_url: str,
    make_controller: Callable[[str], AppController],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = file_of(ui_db_url)
    _damage(path)
    before = path.read_bytes()
    answers = Answers("quit")
    monkeypatch.setattr(startup, "ask", answers)
    controller = make_controller(ui_db_url)
    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        controller.start()
    assert finished.args == [0]
    assert answers.shown == [("The database is damaged", ["open_backup", "quit"])]
    assert controller.ctx is None and not controller.login.is_ready()
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith("clinic.db")) == ["clinic.db"]


def test_a_damaged_file_restored_from_the_newest_backup_then_signs_in(
    qtbot: Any,
    ui_db_url: str,
    user_session: Any,
    make_controller: Callable[[str], AppController],
    monkeypatch: pytest.MonkeyPatch,
    no_dialogs: Any,
) -> None:
    made = backup.backup(ui_db_url, reason="daily")
    path = file_of(ui_db_url)
    _damage(path)
    answers = Answers("restore_newest")
    monkeypatch.setattr(startup, "ask", answers)
    controller = make_controller(ui_db_url)
    controller.start()
    qtbot.waitUntil(controller.login.is_ready, timeout=30_000)
    assert answers.shown[0] == ("The database is damaged", ["restore_newest", "open_backup", "quit"])
    assert made.path is not None and made.path.name in no_dialogs.messages("info")[0]
    assert [p for p in path.parent.iterdir() if p.name.startswith("clinic.db.damaged-")]  # kept aside
    sign_in(qtbot, controller)


def test_the_other_services_are_built_once_someone_types_in_the_sign_in_window(
    qtbot: Any, ui_db_url: str, user_session: Any, make_controller: Callable[[str], AppController]
) -> None:
    controller = make_controller(ui_db_url)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    assert controller.runner is not None and not controller.runner.is_running()  # nothing more yet
    with qtbot.waitSignal(controller.runner.job_finished, timeout=30_000):
        qtbot.keyClick(controller.login.email, "p")  # the first key starts building them
    window = sign_in(qtbot, controller)
    assert window.isVisible()


def test_typing_the_first_administrator_builds_the_other_services(
    qtbot: Any, ui_db_url: str, make_controller: Callable[[str], AppController]
) -> None:
    controller = make_controller(ui_db_url)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    assert controller.login.stack.currentIndex() == controller.login.CREATE
    assert controller.runner is not None and not controller.runner.is_running()
    with qtbot.waitSignal(controller.runner.job_finished, timeout=30_000):
        qtbot.keyClick(controller.login.new_name, "A")
