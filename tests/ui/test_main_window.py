"""Main window: pages per role, shortcuts, lock and resume, idle lock, sign-out, remembered state."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
)

from desktop.domain.errors import PermissionDeniedError, SessionExpiredError
from desktop.ui.login import LoginDialog
from tests.ui.conftest import USER_PASSWORD, show_main_window, wait_idle


def test_user_sees_no_admin_pages_and_the_services_refuse_them(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    assert window.page_keys() == [
        "profile",
        "records",
        "family",
        "new_prediction",
        "prediction_history",
        "screening",
        "my_access_log",
    ]
    assert window.menus.tools_menu is None
    assert window.show_page("users") is None
    services, token = signed_in_ctx.services, signed_in_ctx.token
    for call in (
        lambda: services.users.list_accounts(token),
        lambda: services.audit.list(token),
        lambda: services.users.make_admin(token, signed_in_ctx.user.id),
    ):
        with pytest.raises(PermissionDeniedError):
            call()
    assert "Pat Patient" in window.user_label.text()
    assert "clinic.db" in window.db_label.text()


def test_admin_sees_users_audit_and_tools(qtbot: Any, admin_ctx: Any, qtmodeltester: Any) -> None:
    window = show_main_window(qtbot, admin_ctx)
    assert {"users", "audit"} <= set(window.page_keys())
    assert window.menus.tools_menu is not None
    users = window.show_page("users")
    wait_idle(qtbot, admin_ctx)
    assert users.model.rowCount() == 1
    qtmodeltester.check(users.model)
    audit = window.show_page("audit")
    assert audit.model.total >= 2  # account created, signed in
    qtmodeltester.check(audit.model)
    audit.action.setCurrentIndex(audit.action.findData("sign_in"))
    assert {audit.model.dto(r).action for r in range(audit.model.rowCount())} == {"sign_in"}


def test_every_page_opens(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    for key in window.page_keys():
        page = window.show_page(key)
        assert page is not None and window.current_key() == key
    wait_idle(qtbot, signed_in_ctx)


def test_ctrl_n_from_another_page_opens_a_new_record(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    window.show_page("profile")
    window.menus.new_action.trigger()
    assert window.current_key() == "records"
    dialog = window.page("records")._dialog
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "New medical record"
    wait_idle(qtbot, signed_in_ctx)


def test_ctrl_f_focuses_the_search_box(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    window.show_page("records")
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window.page("records").view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.page("records").search.hasFocus())


def test_lock_hides_data_and_resume_needs_the_password(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    assert window.windowTitle().startswith("Pat Patient \u2014 MRN ")
    window.menus.lock_action.trigger()
    assert window.is_locked()
    assert window.windowTitle() == "ClinicDesk - Locked"
    assert not window.content.isVisible()
    assert not window.menus.new_action.isEnabled()
    screen = window.lock_screen
    screen.password.setText("wrong password")
    screen.unlock_button.click()
    wait_idle(qtbot, signed_in_ctx)
    assert window.is_locked()
    assert "not correct" in screen.message.text()
    with qtbot.waitSignal(screen.unlocked, timeout=10_000):
        screen.password.setText(USER_PASSWORD)
        screen.unlock_button.click()
    assert not window.is_locked()
    assert window.windowTitle().startswith("Pat Patient \u2014 MRN ")
    assert window.menus.new_action.isEnabled()


def test_idle_time_locks_the_screen(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    window.idle.set_minutes(0.002)  # 120 ms
    qtbot.waitUntil(window.is_locked, timeout=5_000)
    assert not window.idle.is_enabled()  # no second lock while locked


def test_sign_out_from_the_lock_screen_ends_the_session(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    token = signed_in_ctx.token
    window.lock()
    with qtbot.waitSignal(window.signed_out):
        window.lock_screen.sign_out_button.click()
    wait_idle(qtbot, signed_in_ctx)
    assert not signed_in_ctx.signed_in

    with pytest.raises(SessionExpiredError):
        signed_in_ctx.services.records.list(token)


@pytest.mark.parametrize("page", ["profile", "family"])  # a worker call / a table fetch on the GUI thread
def test_an_expired_session_returns_to_sign_in(qtbot: Any, signed_in_ctx: Any, page: str) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    signed_in_ctx.services.auth.sign_out(signed_in_ctx.token)  # e.g. an admin deactivated the account
    with qtbot.waitSignal(window.signed_out, timeout=10_000) as blocker:
        window.show_page(page)
    assert "sign in again" in blocker.args[0].lower()


def test_geometry_and_last_page_are_remembered(qtbot: Any, signed_in_ctx: Any, make_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    window.show_page("family")
    # as narrow as the patient banner allows (the offscreen screen is narrower than a clinic's)
    window.resize(window.minimumWidth(), 500)
    window.save_state()
    again = show_main_window(qtbot, make_ctx(signed_in_ctx.session))
    assert again.current_key() == "family"
    assert (again.width(), again.height()) == (window.minimumWidth(), 500)


def test_inputs_and_buttons_carry_accessible_names(qtbot: Any, admin_ctx: Any, two_patients: Any) -> None:

    window = show_main_window(qtbot, admin_ctx)
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):  # the chart pages too
        window.choose_patient(two_patients[0].id)
    missing = []
    for key in window.page_keys():  # every page, the prediction pages too
        page = window.show_page(key)
        widgets = [
            w
            for kind in (QAbstractButton, QLineEdit, QComboBox, QPlainTextEdit, QSpinBox)
            for w in page.findChildren(kind)
        ]
        for widget in widgets:
            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox | QAbstractSpinBox):
                continue  # the editor inside a combo / spin box speaks through its owner
            if not widget.accessibleName() and widget.isVisibleTo(page):
                missing.append(f"{key}: {type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}")
    wait_idle(qtbot, admin_ctx)
    assert missing == [], "\n".join(missing)


def test_lock_hides_an_open_edit_dialog_and_unlock_brings_it_back(qtbot: Any, signed_in_ctx: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    records = window.show_page("records")
    records.new_item()
    dialog = records._dialog
    dialog.type_edit.setText("half typed")
    assert dialog.isVisible()
    window.lock()
    assert not dialog.isVisible()
    with qtbot.waitSignal(window.lock_screen.unlocked, timeout=10_000):
        window.lock_screen.password.setText(USER_PASSWORD)
        window.lock_screen.unlock_button.click()
    assert dialog.isVisible() and dialog.type_edit.text() == "half typed"


def test_print_and_help_shortcuts(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    window.show_page("records")  # no report to print here: a note in the status bar, no dialog
    window.menus.print_action.trigger()
    assert "nothing to print" in window.statusBar().currentMessage().lower()
    window.menus.help_action.trigger()
    manual = window.help_dialog.browser.toPlainText()
    assert "Ctrl+L" in manual and "Backups and restore" in manual
    window.help_dialog.close()
    assert window.menus.help_action.shortcut().toString() == "F1"
    assert window.menus.lock_action.shortcut().toString() == "Ctrl+L"
    wait_idle(qtbot, signed_in_ctx)


def test_sign_in_tab_order(qtbot: Any, make_ctx: Any) -> None:

    dialog = LoginDialog(make_ctx())
    qtbot.addWidget(dialog)
    order, widget = [], dialog.email
    while len(order) < 4:  # the next widgets Tab reaches, skipping labels and other non-focusable ones
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled():
            order.append(widget)
    assert order == [dialog.password, dialog.sign_in_button, dialog.create_link, order[3]]
