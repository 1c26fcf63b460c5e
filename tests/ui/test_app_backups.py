"""The automatic backups the app starts, driven through the real AppController on real databases: the
day's first start (once sign-in is possible) and closing the program, both on a worker thread, both
verified copies with their sidecar. A PostgreSQL server follows the same schedule with pg_dump where
its client tools are installed, and gets no automatic backup where they are not (Database tools says
why; desktop/db/backup_schedule.py)."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.app import AppController
from desktop.db import backup, migrate
from desktop.db.backup_catalog import NAME, BackupInfo, list_backups, sidecar_of, stamp
from tests.ui.app_helpers import controllers, sign_in, wait_until_sign_in_possible

BACKUP_LOGGER = "desktop.db.backup"


@pytest.fixture
def make_controller(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], AppController]]:
    monkeypatch.delenv("CLINICDESK_EXIT_AFTER_SHOWN", raising=False)
    with controllers(qapp) as make:
        yield make


def _made_yesterday(path: Path) -> Path:
    """Rename a backup (and its sidecar) as if it had been made a day ago: the name holds the time."""
    match = NAME.match(path.name)
    assert match is not None
    older = path.with_name(
        path.name.replace(match["stamp"], stamp(dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))
    )
    sidecar_of(path).rename(sidecar_of(older))
    path.rename(older)
    return older


def _backups(data_dir: Path) -> list[BackupInfo]:
    folder = data_dir / "backups"
    return list_backups(folder) if folder.exists() else []


def _readable_copy(info: BackupInfo) -> None:
    """The backup is verified, has its sidecar, and opens as a sound database holding what it says."""
    assert info.verified and sidecar_of(info.path).exists()
    conn = sqlite3.connect(f"file:{info.path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        for table, count in info.counts.items():
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == count, table
    finally:
        conn.close()


def _made_on_a_worker(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The threads the verified backups were made on (from the backup module's own log line)."""
    return [
        r.threadName for r in caplog.records if r.name == BACKUP_LOGGER and "made and verified" in r.message
    ]


def test_a_day_old_last_backup_brings_the_daily_backup_once_sign_in_is_possible(
    qtbot: Any,
    ui_db_url: str,
    user_session: Any,
    data_dir: Path,
    make_controller: Callable[[str], AppController],
    caplog: pytest.LogCaptureFixture,
) -> None:
    yesterday = _made_yesterday(backup.backup(ui_db_url, reason="daily").path)
    caplog.clear()
    caplog.set_level(logging.INFO, logger=BACKUP_LOGGER)
    controller = make_controller(ui_db_url)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    newest, older = _backups(data_dir)
    assert older.path == yesterday
    assert newest.reason == "daily" and newest.created.astimezone().date() == dt.date.today()
    assert newest.created.timestamp() >= controller.timings["sign_in_ready"] - 1e-3
    _readable_copy(newest)
    assert _made_on_a_worker(caplog) and "MainThread" not in _made_on_a_worker(caplog)
    assert controller.login.message.text() == ""  # a backup that went well is not announced


def test_no_second_daily_backup_on_the_same_day(
    qtbot: Any,
    ui_db_url: str,
    user_session: Any,
    data_dir: Path,
    make_controller: Callable[[str], AppController],
) -> None:
    today = backup.backup(ui_db_url, reason="daily").path
    controller = make_controller(ui_db_url)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    assert [b.path for b in _backups(data_dir)] == [today]


def test_closing_the_main_window_makes_a_verified_closing_backup_then_finishes(
    qtbot: Any,
    ui_db_url: str,
    user_session: Any,
    data_dir: Path,
    make_controller: Callable[[str], AppController],
    caplog: pytest.LogCaptureFixture,
) -> None:
    controller = make_controller(ui_db_url)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    [daily] = _backups(data_dir)
    window = sign_in(qtbot, controller)  # a change: the sign-in is recorded
    caplog.clear()
    caplog.set_level(logging.INFO, logger=BACKUP_LOGGER)
    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        window.close()
    assert finished.args == [0]
    closing = [b for b in _backups(data_dir) if b.reason == "on-close"]
    assert len(closing) == 1 and closing[0].counts != daily.counts
    _readable_copy(closing[0])
    assert _made_on_a_worker(caplog) and "MainThread" not in _made_on_a_worker(caplog)
    controller.shutdown()  # after the event loop, as run_gui does: no second closing backup
    assert len(_backups(data_dir)) == 2


def test_closing_without_changes_makes_no_backup(
    qtbot: Any,
    ui_db_url: str,
    user_session: Any,
    data_dir: Path,
    make_controller: Callable[[str], AppController],
) -> None:
    controller = make_controller(ui_db_url)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.login.close()  # nobody signed in: nothing changed since the daily backup
    assert [b.reason for b in _backups(data_dir)] == ["daily"]


@pytest.fixture
def server_at_head(postgres_url: str) -> str:
    migrate.upgrade(postgres_url)
    return postgres_url


def test_a_server_gets_pg_dump_backups_on_the_same_schedule(
    qtbot: Any, server_at_head: str, data_dir: Path, make_controller: Callable[[str], AppController]
) -> None:
    controller = make_controller(server_at_head)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    [daily] = _backups(data_dir)
    assert daily.reason == "daily" and daily.path.suffix == ".dump" and daily.verified
    assert sidecar_of(daily.path).exists()
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.login.close()
    assert [b.path for b in _backups(data_dir)] == [daily.path]  # nothing changed: no closing backup


def test_a_server_without_its_client_tools_gets_no_automatic_backup(
    qtbot: Any,
    server_at_head: str,
    data_dir: Path,
    tmp_path: Path,
    make_controller: Callable[[str], AppController],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_tools = tmp_path / "bin"
    no_tools.mkdir()
    monkeypatch.setenv("PATH", str(no_tools))  # no pg_dump / pg_restore on this computer
    controller = make_controller(server_at_head)
    controller.start()
    wait_until_sign_in_possible(qtbot, controller)
    assert controller.login.message.text() == ""  # Database tools says why; not every start
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.login.close()
    assert _backups(data_dir) == []
