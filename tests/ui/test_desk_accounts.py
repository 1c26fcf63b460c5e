"""Accounts at a shared desk, on real widgets over a real SQLite file: "Create an account" only where
self-registration is on and never pre-filled, Unlock and "Locked until" on the Users page, a new
password right after signing in with one an admin set, Switch user on the lock screen, and each
person's own last page."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.services.container import Services
from desktop.settings import Settings
from desktop.ui.context import UiContext
from desktop.ui.login import LoginDialog
from desktop.ui.pages.users import UsersPage
from tests.ui.conftest import (
    ADMIN_EMAIL,
    ADMIN_NAME,
    ADMIN_PASSWORD,
    BCRYPT_ROUNDS,
    USER_EMAIL,
    USER_PASSWORD,
    show_main_window,
    wait_idle,
)

NEW_EMAIL = "nora@clinic.example"
GIVEN_PASSWORD = "given at the desk 1"
OWN_PASSWORD = "nora's own secret 22"


def test_create_an_account_is_hidden_unless_self_registration_is_on(
    qtbot: Any, ui_db_url: str, runner: Any, admin_session: Any
) -> None:
    closed = Services.create(ui_db_url, Settings(database_url=ui_db_url), bcrypt_rounds=BCRYPT_ROUNDS)
    try:
        dialog = LoginDialog(UiContext(closed, closed.settings, runner))
        qtbot.addWidget(dialog)
        dialog.show()
        assert not dialog.create_link.isVisible()
    finally:
        closed.close()


def test_the_create_form_is_never_pre_filled(qtbot: Any, make_ctx: Any) -> None:
    dialog = LoginDialog(make_ctx())  # the test settings turn self-registration on (a kiosk)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.create_link.isVisible()
    dialog.show_create(first_admin=True)  # e.g. the first admin was created on this window
    dialog.new_name.setText(ADMIN_NAME)
    dialog.new_email.setText(ADMIN_EMAIL)
    dialog.show_sign_in()
    dialog.create_link.click()
    assert (dialog.new_name.text(), dialog.new_email.text(), dialog.new_password.text()) == ("", "", "")


def _lock_out(services: Any, email: str) -> None:
    for _ in range(5):
        with pytest.raises(Exception):  # noqa: B017 - wrong password, then the lock itself
            services.auth.sign_in(email, "not the password")


def test_admin_sees_the_lock_and_unlocks_it(
    qtbot: Any, admin_ctx: Any, user_session: Any, no_dialogs: Any
) -> None:
    services = admin_ctx.services
    _lock_out(services, USER_EMAIL)
    page = UsersPage(admin_ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    row = page.model.row_of(user_session.user.id)
    status = page.model.index(row, 3).data()
    assert status.startswith("Locked until ") and len(status) == len("Locked until 18:08")
    page.view.selectRow(row)
    assert page.unlock_button.isEnabled()
    page.unlock_button.click()
    qtbot.waitUntil(lambda: page.model.index(row, 3).data() == "Active", timeout=10_000)
    assert not page.unlock_button.isEnabled()
    assert services.auth.sign_in(USER_EMAIL, USER_PASSWORD).user.email == USER_EMAIL


def test_a_reset_shows_a_password_due_and_lifts_the_lock(
    qtbot: Any, admin_ctx: Any, user_session: Any, no_dialogs: Any
) -> None:
    _lock_out(admin_ctx.services, USER_EMAIL)
    page = UsersPage(admin_ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    row = page.model.row_of(user_session.user.id)
    page.view.selectRow(row)
    no_dialogs.text = GIVEN_PASSWORD
    page.reset_button.click()
    qtbot.waitUntil(lambda: page.model.index(row, 3).data() == "Active, new password due", timeout=10_000)


@pytest.fixture
def controller(make_controller: Any, admin_session: Any, services: Any) -> Any:
    services.users.create_user(admin_session.token, NEW_EMAIL, "Nora New", GIVEN_PASSWORD)
    return make_controller()


def _sign_in(qtbot: Any, controller: Any, email: str, password: str) -> None:
    controller.login.email.setText(email)
    controller.login.password.setText(password)
    controller.login.sign_in_button.click()


def test_a_new_account_chooses_its_own_password_before_anything_else(
    qtbot: Any, controller: Any, services: Any
) -> None:
    controller.start()
    qtbot.waitUntil(controller.login.is_ready, timeout=20_000)
    assert not controller.login.create_link.isVisible()  # the app's default: self-registration off
    _sign_in(qtbot, controller, NEW_EMAIL, GIVEN_PASSWORD)
    qtbot.waitUntil(lambda: getattr(controller, "password_dialog", None) is not None, timeout=20_000)
    dialog = controller.password_dialog
    assert dialog.isVisible() and controller.main_window is None  # nothing else opened yet
    dialog.password.setText(OWN_PASSWORD)
    dialog.password2.setText("a different one 33")
    dialog.ok_button.click()
    assert "differ" in dialog.message.text() and controller.main_window is None
    dialog.password2.setText(OWN_PASSWORD)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=20_000)
    controller.main_window.sign_out("")
    assert controller.login.email.text() == ""  # the next person types their own
    assert services.auth.sign_in(NEW_EMAIL, OWN_PASSWORD).must_change_password is False


def test_refusing_the_new_password_signs_out(qtbot: Any, controller: Any) -> None:
    controller.start()
    qtbot.waitUntil(controller.login.is_ready, timeout=20_000)
    _sign_in(qtbot, controller, NEW_EMAIL, GIVEN_PASSWORD)
    qtbot.waitUntil(lambda: getattr(controller, "password_dialog", None) is not None, timeout=20_000)
    controller.password_dialog.cancel_button.click()
    assert controller.login.isVisible() and controller.main_window is None
    assert not controller.ctx.signed_in
    assert "own password" in controller.login.message.text()


def test_switch_user_asks_nobody(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    window.lock()
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        window.lock_screen.switch_button.click()
    assert no_dialogs.messages("confirm") == []
    wait_idle(qtbot, signed_in_ctx)


def test_each_person_lands_on_their_own_last_page(
    qtbot: Any, services: Any, make_ctx: Any, user_session: Any, admin_session: Any
) -> None:
    patient = show_main_window(qtbot, make_ctx(user_session))
    patient.show_page("family")
    patient.close()  # closing the window signs its person out: each next window is a new sign-in
    admin = show_main_window(qtbot, make_ctx(admin_session))
    assert admin.current_key() == "patients"  # not the patient's page: staff start on the list
    admin.show_page("audit")
    admin.close()
    again = show_main_window(qtbot, make_ctx(services.auth.sign_in(USER_EMAIL, USER_PASSWORD)))
    assert again.current_key() == "family"
    admin_again = show_main_window(qtbot, make_ctx(services.auth.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)))
    assert admin_again.current_key() == "audit"
