"""Database tools dialog over real SQLite files made by the real migrations.

Confirmations and file choices go through the ``no_dialogs`` recorder (tests/ui/conftest.py);
everything else is real: Alembic, backups, restore, the maintenance service, the worker threads.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from desktop.db import migrate
from desktop.services.container import Services
from desktop.settings import Settings
from desktop.ui.context import UiContext
from desktop.ui.dialogs.database_tools import DatabaseToolsDialog
from tests.revisions import HEAD, REVISIONS

NEWEST_FIRST = list(reversed(REVISIONS))  # as the history shows them


def _file(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def _revision(url: str) -> str | None:
    conn = sqlite3.connect(_file(url))
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return rows[0][0] if rows else None


def _count(url: str, table: str) -> int:
    conn = sqlite3.connect(_file(url))
    try:
        return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    finally:
        conn.close()


def _open(qtbot: Any, ctx: Any) -> DatabaseToolsDialog:
    dialog = DatabaseToolsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog._status is not None, timeout=20_000)
    return dialog


def _wait_idle(qtbot: Any, dialog: DatabaseToolsDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)


def _history(dialog: DatabaseToolsDialog) -> list[list[str]]:
    table = dialog.panel.history_table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def _at(url: str, target: str | None) -> None:
    path = _file(url)
    path.unlink(missing_ok=True)
    if target is None:
        sqlite3.connect(path).close()  # an empty database file: "base"
    else:
        migrate.upgrade(url, target=target)


@pytest.mark.parametrize(
    ("target", "current_text", "applied", "pending"),
    [
        (None, "base (empty)", ["no", "no", "no", "no", "no"], 5),
        ("a8b9ec836410", "a8b9ec836410", ["no", "no", "no", "no", "yes"], 4),
        (HEAD, HEAD, ["yes", "yes", "yes", "yes", "yes"], 0),
    ],
)
def test_status_at_base_first_revision_and_head(
    qtbot: Any,
    admin_ctx: Any,
    ui_db_url: str,
    no_dialogs: Any,
    target: str | None,
    current_text: str,
    applied: list[str],
    pending: int,
) -> None:
    _at(ui_db_url, target)  # the admin's session row goes with the file
    dialog = _open(qtbot, admin_ctx)
    assert dialog.panel.engine_label.text() == "SQLite"
    assert dialog.panel.location_label.text() == str(_file(ui_db_url))
    assert dialog.panel.size_label.text() != "-"
    assert dialog.panel.current_label.text() == current_text
    assert dialog.panel.head_label.text() == HEAD
    rows = _history(dialog)
    assert [r[1] for r in rows] == NEWEST_FIRST
    assert [r[4] for r in rows] == applied
    markers = [r[0] for r in rows]
    if target is None:
        assert "▶ current" not in markers
    else:
        assert markers[NEWEST_FIRST.index(target)] == "▶ current"
    if pending:
        assert len(dialog.panel.pending_label.text().split(", ")) == pending
        # The file was replaced under the signed-in session: the service cannot confirm the admin on it,
        # so the dialog stays read-only and says how to upgrade instead.
        assert not dialog.buttons.upgrade_button.isEnabled()
        assert no_dialogs.messages("error")
        assert dialog.panel.banner.isVisible()
        assert f"needs {HEAD} to run" in dialog.panel.banner.text() or "needs" in dialog.panel.banner.text()
    else:
        assert dialog.panel.pending_label.text() == "none"
        assert not dialog.buttons.upgrade_button.isEnabled()
        assert dialog.panel.banner.text() == ""
        assert dialog.panel.fingerprint_label.text() == "matches this revision"


def test_downgrade_and_upgrade_keep_rows(
    qtbot: Any, admin_ctx: Any, user_session: Any, ui_db_url: str, no_dialogs: Any, data_dir: Path
) -> None:
    records = _count(ui_db_url, "medicalrecord")
    assert records == 3
    dialog = _open(qtbot, admin_ctx)
    dialog.buttons.down_one_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog._status.current == "e4b7a2c9d5f1", timeout=20_000)
    assert _revision(ui_db_url) == "e4b7a2c9d5f1"
    assert _count(ui_db_url, "medicalrecord") == records
    confirm = no_dialogs.messages("confirm")[-1]
    assert f"from {HEAD} to e4b7a2c9d5f1" in confirm
    assert f"needs {HEAD} to run" in dialog.panel.banner.text()
    assert list((data_dir / "backups").glob("*before-downgrade*"))  # a backup always first

    dialog.buttons.upgrade_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog._status.current == HEAD, timeout=20_000)
    assert _revision(ui_db_url) == HEAD
    assert _count(ui_db_url, "medicalrecord") == records
    assert dialog.panel.banner.text() == ""
    with qtbot.waitSignal(dialog.sign_out_requested, timeout=5000) as signal:
        dialog.close()
    assert "downgraded" in signal.args[0]


def test_cancelled_confirmation_changes_nothing(
    qtbot: Any, admin_ctx: Any, user_session: Any, ui_db_url: str, no_dialogs: Any
) -> None:
    before = _file(ui_db_url).read_bytes()
    dialog = _open(qtbot, admin_ctx)
    no_dialogs.answer = False
    dialog.buttons.down_base_button.click()
    _wait_idle(qtbot, dialog)
    text = no_dialogs.messages("confirm")[-1]
    for lost in ("2 accounts", "3 medical records", "the audit log"):
        assert lost in text
    assert _revision(ui_db_url) == HEAD
    assert "cancelled" in dialog.output.toPlainText()
    # confirmed, but the typed revision is wrong: still nothing
    no_dialogs.answer = True
    no_dialogs.text = "a8b9ec836410"
    dialog.buttons.down_base_button.click()
    _wait_idle(qtbot, dialog)
    assert _revision(ui_db_url) == HEAD
    assert _file(ui_db_url).read_bytes() == before
    with qtbot.assertNotEmitted(dialog.sign_out_requested):
        dialog.close()


def test_downgrade_to_base_needs_the_revision_typed(
    qtbot: Any, admin_ctx: Any, ui_db_url: str, no_dialogs: Any
) -> None:
    dialog = _open(qtbot, admin_ctx)
    no_dialogs.text = HEAD
    dialog.buttons.down_base_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog._status.current is None, timeout=20_000)
    assert _revision(ui_db_url) is None
    assert dialog.panel.current_label.text() == "base (empty)"


def test_downgrade_to_selected_revision(qtbot: Any, admin_ctx: Any, ui_db_url: str, no_dialogs: Any) -> None:
    dialog = _open(qtbot, admin_ctx)
    assert not dialog.buttons.down_to_button.isEnabled()
    dialog.panel.history_table.selectRow(NEWEST_FIRST.index("a8b9ec836410"))
    assert dialog.buttons.down_to_button.isEnabled()
    dialog.buttons.down_to_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog._status.current == "a8b9ec836410", timeout=20_000)
    text = no_dialogs.messages("confirm")[-1]
    assert "undoes 4 migration(s)" in text
    assert all(revision in text for revision in (HEAD, "e4b7a2c9d5f1", "c7e5d1f0a9b3", "d24a4742aa81"))


def test_restore_brings_back_deleted_rows(
    qtbot: Any, admin_ctx: Any, user_session: Any, services: Any, ui_db_url: str, no_dialogs: Any
) -> None:
    dialog = _open(qtbot, admin_ctx)
    dialog.buttons.backup_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: "Backup saved and verified" in dialog.output.toPlainText(), timeout=20_000)
    backup = dialog.output.toPlainText().split("verified: ", 1)[1].splitlines()[0].strip()
    page = services.records.list(user_session.token)
    for record in page.rows:
        services.records.delete(user_session.token, record.id, record.version)
    assert _count(ui_db_url, "medicalrecord") == 0

    no_dialogs.file = backup
    no_dialogs.answer = False  # first cancelled
    dialog.buttons.restore_button.click()
    assert _count(ui_db_url, "medicalrecord") == 0
    no_dialogs.answer = True
    dialog.buttons.restore_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: "Restored from" in dialog.output.toPlainText(), timeout=20_000)
    assert _count(ui_db_url, "medicalrecord") == 3
    with qtbot.waitSignal(dialog.sign_out_requested, timeout=5000) as signal:
        dialog.close()
    assert "restored" in signal.args[0]


def test_integrity_check_report(qtbot: Any, admin_ctx: Any, no_dialogs: Any) -> None:
    dialog = _open(qtbot, admin_ctx)
    dialog.buttons.check_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: "Result:" in dialog.output.toPlainText(), timeout=20_000)
    text = dialog.output.toPlainText()
    assert "Result: everything is in order." in text
    assert "Quick check: OK" in text and "Full integrity check: OK" in text
    assert "Schema fingerprint: matches" in text


def test_operations_cannot_start_twice(qtbot: Any, admin_ctx: Any, no_dialogs: Any) -> None:
    dialog = _open(qtbot, admin_ctx)
    dialog.buttons.check_button.click()
    assert dialog.busy
    assert not dialog.buttons.backup_button.isEnabled() and not dialog.buttons.check_button.isEnabled()
    dialog.backup_now()  # called directly while busy: refused, not started
    assert "still running" in dialog.output.toPlainText()
    _wait_idle(qtbot, dialog)
    assert "Backup saved" not in dialog.output.toPlainText()


def test_non_admin_session_is_read_only(
    qtbot: Any, signed_in_ctx: Any, ui_db_url: str, no_dialogs: Any
) -> None:
    """The service checks the session itself: a normal user's dialog shows the status and changes nothing."""
    dialog = _open(qtbot, signed_in_ctx)
    assert dialog.panel.current_label.text() == HEAD
    buttons = (
        dialog.buttons.upgrade_button,
        dialog.buttons.down_one_button,
        dialog.buttons.down_base_button,
        dialog.buttons.backup_button,
        dialog.buttons.restore_button,
        dialog.buttons.check_button,
    )
    assert not any(b.isEnabled() for b in buttons)
    assert any("administrator" in m.lower() for m in no_dialogs.messages("error"))
    dialog.downgrade("-1")  # even called directly
    _wait_idle(qtbot, dialog)
    assert _revision(ui_db_url) == HEAD


@pytest.mark.postgres
def test_status_on_a_postgresql_server(qtbot: Any, postgres_url: str, runner: Any, no_dialogs: Any) -> None:

    migrate.upgrade(postgres_url)
    settings = Settings(database_url=postgres_url)
    services = Services.create(postgres_url, settings, bcrypt_rounds=4)
    try:
        services.auth.create_first_admin("admin@clinic.example", "Ada Admin", "admin-pass-4321")
        ctx = UiContext(services, settings, runner)
        ctx.set_session(services.auth.sign_in("admin@clinic.example", "admin-pass-4321"))
        dialog = _open(qtbot, ctx)
        assert dialog.panel.engine_label.text() == "PostgreSQL"
        assert dialog.panel.current_label.text() == HEAD
        assert dialog.panel.size_label.text() == "-"
        assert (
            dialog.buttons.restore_button.isEnabled()
        )  # pg_dump archives restore too (db/postgres_restore.py)
        assert dialog.buttons.backup_button.isEnabled() and not dialog.buttons.upgrade_button.isEnabled()
        dialog.buttons.check_button.click()
        _wait_idle(qtbot, dialog)
        qtbot.waitUntil(lambda: "Result:" in dialog.output.toPlainText(), timeout=20_000)
        assert "not applicable" in dialog.output.toPlainText()
    finally:
        services.close()


def test_backups_are_listed_and_the_selected_one_restored(
    qtbot: Any, admin_ctx: Any, user_session: Any, services: Any, ui_db_url: str, no_dialogs: Any
) -> None:
    dialog = _open(qtbot, admin_ctx)
    assert dialog.backups.table.rowCount() == 0 and not dialog.buttons.restore_selected_button.isEnabled()
    dialog.buttons.backup_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.backups.table.rowCount() == 1, timeout=20_000)
    row = [dialog.backups.table.item(0, c).text() for c in range(dialog.backups.table.columnCount())]
    assert row[2] == HEAD and row[3] == "yes" and row[4] == "made by hand" and row[1].endswith("KB")
    page = services.records.list(user_session.token)
    for record in page.rows:
        services.records.delete(user_session.token, record.id, record.version)
    assert _count(ui_db_url, "medicalrecord") == 0

    dialog.backups.table.selectRow(0)
    assert dialog.buttons.restore_selected_button.isEnabled()
    dialog.buttons.restore_selected_button.click()
    _wait_idle(qtbot, dialog)
    qtbot.waitUntil(lambda: "Restored from" in dialog.output.toPlainText(), timeout=20_000)
    assert _count(ui_db_url, "medicalrecord") == 3
    assert "before a restore" in [
        dialog.backups.table.item(r, 4).text() for r in range(dialog.backups.table.rowCount())
    ]
