"""The sign-in window and the dialogs: nothing squeezed when a message wraps, each error shown once,
and no window taller than the screen it opens on (see tests/ui/layout_check.py)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop import credentials as password_store
from desktop.ui.dialogs.prediction_detail import PredictionDetailDialog
from desktop.ui.dialogs.server_settings import ServerSettingsDialog
from desktop.ui.login import LoginDialog
from tests.ui.layout_check import problems
from tests.ui.sample_predictions import MALIGNANT_EXAMPLE

LOCKED = (
    "Too many failed attempts with this account. Sign-in is paused until 18:08; an administrator "
    "can unlock it sooner."
)


def test_a_two_line_message_does_not_squeeze_the_sign_in_fields(qtbot: Any, make_ctx: Any) -> None:
    dialog = LoginDialog()
    qtbot.addWidget(dialog)
    dialog.set_context(make_ctx())
    dialog.show()
    dialog.show_message(LOCKED)
    QApplication.processEvents()
    assert dialog.message.height() >= 2 * dialog.message.fontMetrics().lineSpacing()
    assert problems(dialog) == []
    assert dialog.email.height() >= dialog.email.minimumSizeHint().height()


def test_the_first_run_form_shows_each_error_once_and_none_stale(qtbot: Any, make_ctx: Any) -> None:
    dialog = LoginDialog()
    qtbot.addWidget(dialog)
    dialog.set_context(make_ctx(), first_admin=True)
    dialog.show()
    dialog.new_name.setText("First Admin")
    dialog.new_email.setText("admin@clinic.example")
    dialog.new_password.setText("short")
    dialog.new_password2.setText("short")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: not dialog.ctx.runner.is_running(), timeout=10_000)
    shown = dialog.field_errors["password"].text()
    assert shown and dialog.message.text() == ""  # under the field, not a second time below
    dialog.new_password2.setText("different-and-long")
    dialog.create_button.click()
    assert dialog.field_errors["password2"].text() == "The two passwords differ."
    assert not dialog.field_errors["password"].has_error() and dialog.message.text() == ""
    QApplication.processEvents()
    assert problems(dialog) == []


def test_the_database_connection_dialog_shows_its_notes_in_full(
    qtbot: Any, admin_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(password_store.STORE_ENV, "file")  # never a developer's real keyring
    dialog = ServerSettingsDialog(admin_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    assert problems(dialog) == []


def test_the_prediction_detail_fits_the_screen(qtbot: Any, signed_in_ctx: Any, services: Any) -> None:
    saved = services.predictions.save(signed_in_ctx.token, MALIGNANT_EXAMPLE)
    dialog = PredictionDetailDialog(signed_in_ctx, saved)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=30_000)
    QApplication.processEvents()
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    assert dialog.minimumSizeHint().height() <= 768 - 48  # a 768-pixel laptop, less the window frame
    assert problems(dialog) == []
