"""Sign-in window: right / wrong password, locked and deactivated accounts, first admin, register."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.ui.login import LoginDialog
from tests.ui.conftest import ADMIN_EMAIL, USER_EMAIL, USER_PASSWORD


def _dialog(qtbot: Any, ctx: Any, first_admin: bool = False) -> LoginDialog:
    dialog = LoginDialog()
    qtbot.addWidget(dialog)
    dialog.set_context(ctx, first_admin=first_admin)
    dialog.show()
    return dialog


def _sign_in(qtbot: Any, dialog: LoginDialog, email: str, password: str) -> None:
    dialog.email.setText(email)
    dialog.password.setText(password)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: not dialog.ctx.runner.is_running(), timeout=10_000)


def test_typing_works_before_the_database_is_open_and_sign_in_waits_for_it(
    qtbot: Any, make_ctx: Any, user_session: Any
) -> None:
    dialog = LoginDialog()
    qtbot.addWidget(dialog)
    assert dialog.can_type() and not dialog.is_ready()
    assert "Opening the database" in dialog.message.text()
    dialog.email.setText(USER_EMAIL)
    dialog.password.setText(USER_PASSWORD)
    dialog.sign_in_button.click()
    assert "as soon as the database is open" in dialog.message.text()
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000):
        dialog.set_context(make_ctx())


def test_right_password_signs_in(qtbot: Any, make_ctx: Any, user_session: Any) -> None:
    dialog = _dialog(qtbot, make_ctx())
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as blocker:
        dialog.email.setText(USER_EMAIL.upper())
        dialog.password.setText(USER_PASSWORD)
        dialog.sign_in_button.click()
    session = blocker.args[0]
    assert session.user.email == USER_EMAIL
    assert dialog.password.text() == ""


def test_wrong_password_says_so_without_revealing_the_account(
    qtbot: Any, make_ctx: Any, user_session: Any
) -> None:
    dialog = _dialog(qtbot, make_ctx())
    _sign_in(qtbot, dialog, USER_EMAIL, "not-the-password")
    wrong = dialog.message.text()
    assert "not correct" in wrong
    _sign_in(qtbot, dialog, "nobody@clinic.example", "not-the-password")
    assert dialog.message.text() == wrong  # same words for an unknown e-mail
    assert dialog.stack.isEnabled()


def test_empty_fields_are_refused_locally(qtbot: Any, make_ctx: Any) -> None:
    dialog = _dialog(qtbot, make_ctx())
    dialog.sign_in_button.click()
    assert "Enter your e-mail" in dialog.message.text()
    assert not dialog.ctx.runner.is_running()


def test_locked_account_message(qtbot: Any, make_ctx: Any, user_session: Any) -> None:
    dialog = _dialog(qtbot, make_ctx())
    for _ in range(5):
        _sign_in(qtbot, dialog, USER_EMAIL, "wrong-password!")
    _sign_in(qtbot, dialog, USER_EMAIL, USER_PASSWORD)
    assert "locked" in dialog.message.text().lower()
    assert dialog.result() != LoginDialog.DialogCode.Accepted


def test_deactivated_account_message(
    qtbot: Any, make_ctx: Any, services: Any, admin_session: Any, user_session: Any
) -> None:
    user = next(u for u in services.users.list_accounts(admin_session.token) if u.email == USER_EMAIL)
    services.users.deactivate(admin_session.token, user.id)
    dialog = _dialog(qtbot, make_ctx())
    _sign_in(qtbot, dialog, USER_EMAIL, USER_PASSWORD)
    assert "deactivated" in dialog.message.text().lower() or "not active" in dialog.message.text().lower()


def test_first_run_creates_the_admin_and_signs_in(qtbot: Any, make_ctx: Any, services: Any) -> None:
    dialog = _dialog(qtbot, make_ctx(), first_admin=True)
    assert dialog.stack.currentIndex() == LoginDialog.CREATE
    assert not dialog.back_button.isVisible()
    dialog.new_name.setText("First Admin")
    dialog.new_email.setText(ADMIN_EMAIL)
    dialog.new_password.setText("short")
    dialog.new_password2.setText("short")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: not dialog.ctx.runner.is_running(), timeout=10_000)
    assert dialog.field_errors["password"].has_error()
    assert not services.auth.has_any_user()
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as blocker:
        dialog.new_password.setText("a-long-enough-pass")
        dialog.new_password2.setText("a-long-enough-pass")
        dialog.create_button.click()
    assert blocker.args[0].user.is_admin


def test_mismatched_passwords_are_caught_before_the_service(qtbot: Any, make_ctx: Any) -> None:
    dialog = _dialog(qtbot, make_ctx())
    dialog.show_create()
    dialog.new_password.setText("a-long-enough-pass")
    dialog.new_password2.setText("another-long-pass")
    dialog.create_button.click()
    assert dialog.field_errors["password2"].has_error()
    assert not dialog.ctx.runner.is_running()


def test_escape_goes_back_from_create_account_and_never_closes_the_window(
    qtbot: Any, make_ctx: Any, user_session: Any
) -> None:

    dialog = _dialog(qtbot, make_ctx())
    dialog.show_create()
    assert dialog.stack.currentIndex() == LoginDialog.CREATE
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.stack.currentIndex() == LoginDialog.SIGN_IN
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.result() == 0
