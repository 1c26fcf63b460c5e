"""The admin "Database connection" dialog, offscreen, against real databases and the real runner."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from desktop import credentials as password_store
from desktop.ui.dialogs.server_settings import ServerSettingsDialog


@pytest.fixture(autouse=True)
def password_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch a developer's real keyring."""
    monkeypatch.setenv(password_store.STORE_ENV, "file")


def make_dialog(qtbot: Any, ctx: Any) -> ServerSettingsDialog:
    dialog = ServerSettingsDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog


def fill_server(dialog: ServerSettingsDialog, url: str) -> None:
    from sqlalchemy.engine import make_url  # the test may; the dialog may not

    parsed = make_url(url)
    dialog.server_radio.setChecked(True)
    dialog.host.setText(parsed.host or "")
    dialog.port.setValue(parsed.port or 5432)
    dialog.database.setText(parsed.database or "")
    dialog.user.setText(parsed.username or "")
    dialog.password.setText("pw-123")


def test_modes_enable_the_server_fields(qtbot: Any, admin_ctx: Any, data_dir: Any) -> None:
    dialog = make_dialog(qtbot, admin_ctx)
    assert dialog.local_radio.isChecked()  # nothing saved: this computer's file
    assert not dialog.server_box.isEnabled() and not dialog.test_button.isEnabled()
    assert not dialog.copy_button.isEnabled()
    dialog.server_radio.setChecked(True)
    assert dialog.server_box.isEnabled() and dialog.test_button.isEnabled() and dialog.copy_button.isEnabled()
    assert "only your user account can read" in dialog.password_note.text()
    assert str(data_dir) in dialog.password_note.text()
    # The test's database is not the default file, as if started with --database-url: say so.
    assert not dialog.override.isHidden() and "--database-url" in dialog.override.text()


def test_missing_fields_are_named_without_connecting(qtbot: Any, admin_ctx: Any) -> None:
    dialog = make_dialog(qtbot, admin_ctx)
    dialog.server_radio.setChecked(True)
    dialog.host.setText("")
    dialog.test_button.click()
    assert "server's name" in dialog.test_result.text()
    assert not admin_ctx.runner.is_running()


def test_test_connection_says_nothing_answers(qtbot: Any, admin_ctx: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dialog = make_dialog(qtbot, admin_ctx)
    fill_server(dialog, f"postgresql+psycopg://desk@127.0.0.1:{port}/clinic")
    with qtbot.waitSignal(admin_ctx.runner.job_finished, timeout=10_000):
        dialog.test_button.click()
        assert not dialog.test_button.isEnabled()  # no double start while it runs
    assert f"Nothing answers at 127.0.0.1:{port}" in dialog.test_result.text()
    assert dialog.test_button.isEnabled()


@pytest.mark.postgres
def test_test_connection_ok_then_save(
    qtbot: Any, admin_ctx: Any, no_dialogs: Any, postgres_url: str, data_dir: Any
) -> None:
    dialog = make_dialog(qtbot, admin_ctx)
    fill_server(dialog, postgres_url)
    with qtbot.waitSignal(admin_ctx.runner.job_finished, timeout=10_000):
        dialog.test_button.click()
    assert "Connected to PostgreSQL" in dialog.test_result.text()

    dialog.password.setText("changed")  # what was tested is no longer what would be saved
    no_dialogs.answer = False
    dialog.buttons.accepted.emit()
    assert "not been tested" in no_dialogs.messages("confirm")[0]
    assert dialog.result() != dialog.DialogCode.Accepted
    no_dialogs.calls.clear()
    dialog.password.setText("pw-123")

    dialog.buttons.accepted.emit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert not [c for c in no_dialogs.calls if c[0] == "confirm"]  # tested: no "save anyway?" question
    stored = json.loads((data_dir / "settings.json").read_text())
    assert stored["database_url"].startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert "pw-123" not in (data_dir / "settings.json").read_text()
    assert "pw-123" in (data_dir / password_store.PASSWORD_FILE).read_text()
    assert "next time it starts" in no_dialogs.messages("info")[0]

    # Opening the dialog again shows the saved server, password filled from the store.
    again = make_dialog(qtbot, admin_ctx)
    assert again.server_radio.isChecked() and again.password.text() == "pw-123"


def test_saving_an_untested_server_asks_first(
    qtbot: Any, admin_ctx: Any, no_dialogs: Any, data_dir: Any
) -> None:
    dialog = make_dialog(qtbot, admin_ctx)
    fill_server(dialog, "postgresql+psycopg://desk@db.clinic.lan:5432/clinic")
    no_dialogs.answer = False
    dialog.buttons.accepted.emit()
    assert no_dialogs.messages("confirm") and not (data_dir / "settings.json").exists()
    assert dialog.result() != dialog.DialogCode.Accepted


@pytest.mark.postgres
def test_copy_to_the_server_shows_progress_and_row_counts(
    qtbot: Any, admin_ctx: Any, no_dialogs: Any, postgres_url: str
) -> None:
    dialog = make_dialog(qtbot, admin_ctx)
    fill_server(dialog, postgres_url)
    dialog.password.setText("")  # the test server trusts local connections
    steps: list[str] = []
    dialog.copy_progress.valueChanged.connect(lambda v: steps.append(dialog.copy_result.text()))
    with qtbot.waitSignal(admin_ctx.runner.job_finished, timeout=60_000):
        dialog.copy_button.click()
        assert not dialog.copy_button.isEnabled()
        dialog.reject()  # refused while copying
    text = dialog.copy_result.text()
    assert (
        "Copied and checked" in text
        and "<td>user</td><td align='right'>1</td><td align='right'>1</td>" in text
    )
    assert any(s.startswith("Copying user:") for s in steps)
    assert dialog.copy_progress.value() == dialog.copy_progress.maximum()
    assert "must be empty" in no_dialogs.messages("confirm")[0]
    assert "still running" in no_dialogs.messages("warn")[0]

    # A second copy into the now-filled server is refused, in words, in the dialog.
    with qtbot.waitSignal(admin_ctx.runner.job_finished, timeout=60_000):
        dialog.copy_button.click()
    assert "already holds ClinicDesk data" in dialog.copy_result.text()


def test_copy_is_offered_only_when_this_computer_has_the_data(
    qtbot: Any, make_ctx: Any, admin_session: Any
) -> None:
    ctx = make_ctx(admin_session)
    ctx.settings = type(ctx.settings)(database_url="postgresql+psycopg://desk@server/clinic")
    dialog = make_dialog(qtbot, ctx)
    dialog.server_radio.setChecked(True)
    assert not dialog.copy_button.isEnabled()
    assert "already using a server" in dialog.copy_button.toolTip()


def test_non_admin_cannot_save(qtbot: Any, signed_in_ctx: Any) -> None:
    dialog = make_dialog(qtbot, signed_in_ctx)
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Save).isEnabled()
    dialog.server_radio.setChecked(True)
    assert not dialog.test_button.isEnabled() and not dialog.copy_button.isEnabled()


@pytest.mark.mariadb
def test_mariadb_engine_tested_and_saved(
    qtbot: Any, admin_ctx: Any, no_dialogs: Any, mariadb_url: str, data_dir: Any
) -> None:
    from desktop.services.server_settings import ConnectionMode

    dialog = make_dialog(qtbot, admin_ctx)
    dialog.server_radio.setChecked(True)
    assert dialog.port.value() == 5432  # PostgreSQL is proposed first
    dialog.engine.setCurrentIndex(dialog.engine.findData(ConnectionMode.MYSQL))
    assert dialog.port.value() == 3306  # the usual port follows the engine
    fill_server(dialog, mariadb_url)
    dialog.password.setText("")  # the test server's root has no password
    with qtbot.waitSignal(admin_ctx.runner.job_finished, timeout=10_000):
        dialog.test_button.click()
    assert "Connected to MariaDB 10." in dialog.test_result.text()
    assert "empty" in dialog.test_result.text()

    dialog.buttons.accepted.emit()
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = json.loads((data_dir / "settings.json").read_text())
    assert stored["database_url"].startswith("mysql+pymysql://root@127.0.0.1:")
    again = make_dialog(qtbot, admin_ctx)
    assert again.server_radio.isChecked() and again.engine.currentData() == ConnectionMode.MYSQL
