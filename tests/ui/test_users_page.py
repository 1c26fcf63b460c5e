"""Admin Users page: create, deactivate / reactivate, reset password, make admin; refusals are shown."""

from __future__ import annotations

from typing import Any

from desktop.domain.enums import Role
from desktop.ui.dialogs.new_user_dialog import ROLE_CHOICES
from desktop.ui.pages.users import UsersPage
from tests.ui.conftest import USER_EMAIL


def _idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=10_000)


def _page(qtbot: Any, ctx: Any) -> UsersPage:
    page = UsersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    _idle(qtbot, ctx)
    return page


def _select(page: UsersPage, email: str) -> Any:
    row = next(r for r in range(page.model.rowCount()) if page.model.dto(r).email == email)
    page.view.selectRow(row)
    return page.selected()


def test_admin_manages_accounts(
    qtbot: Any, admin_ctx: Any, user_session: Any, no_dialogs: Any, qtmodeltester: Any
) -> None:
    page = _page(qtbot, admin_ctx)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 2
    page.new_item()
    dialog = page._dialog
    dialog.name.setText("Nora Nurse")
    dialog.email.setText("nora@clinic.example")
    dialog.password.setText("nurse-password-1")
    assert Role(dialog.role.currentData()) is Role.CLINICIAN  # the usual account: a clinician
    dialog.role.setCurrentIndex(dialog.role.findData(Role.RECEPTION))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    _idle(qtbot, admin_ctx)
    assert page.model.rowCount() == 3

    account = _select(page, USER_EMAIL)
    assert page.active_button.text() == "&Deactivate"
    no_dialogs.answer = True
    page.toggle_active()
    _idle(qtbot, admin_ctx)
    assert not _select(page, USER_EMAIL).is_active
    assert "Reac" in page.active_button.text()
    page.toggle_active()
    _idle(qtbot, admin_ctx)
    assert _select(page, USER_EMAIL).is_active

    assert _select(page, "nora@clinic.example").role is Role.RECEPTION
    no_dialogs.choice = ROLE_CHOICES.index(Role.CLINICIAN)
    page.change_role()
    _idle(qtbot, admin_ctx)
    assert _select(page, "nora@clinic.example").role is Role.CLINICIAN
    asked = [str(args[1]) for name, args, _ in no_dialogs.calls if name == "choose"]
    assert asked == ["Role of Nora Nurse (nora@clinic.example):"]
    _select(page, USER_EMAIL)
    no_dialogs.choice = ROLE_CHOICES.index(Role.ADMIN)
    page.change_role()
    _idle(qtbot, admin_ctx)
    assert _select(page, USER_EMAIL).is_admin

    no_dialogs.text = "a-fresh-password-9"
    page.reset_password()
    _idle(qtbot, admin_ctx)
    assert admin_ctx.services.auth.sign_in(USER_EMAIL, "a-fresh-password-9").user.id == account.id


def test_refusals_are_explained(qtbot: Any, admin_ctx: Any, no_dialogs: Any) -> None:
    page = _page(qtbot, admin_ctx)
    _select(page, admin_ctx.user.email)
    no_dialogs.answer = True
    page.toggle_active()  # the last admin cannot be deactivated
    _idle(qtbot, admin_ctx)
    assert no_dialogs.messages("error") and "admin" in no_dialogs.messages("error")[0].lower()
    assert _select(page, admin_ctx.user.email).is_active
