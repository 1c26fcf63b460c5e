"""Profile page (validation next to the field, save, conflict) and the family history page."""

from __future__ import annotations

from typing import Any

from desktop.domain.dto import ProfileUpdate
from desktop.ui.pages.family import FamilyPage
from desktop.ui.pages.profile import ProfilePage
from desktop.ui.tablemodels.family_model import FamilyModel


def _idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=10_000)


def _profile(qtbot: Any, ctx: Any) -> ProfilePage:
    page = ProfilePage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.profile is not None, timeout=10_000)
    return page


def test_profile_loads_and_saves(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _profile(qtbot, signed_in_ctx)
    assert page.name.text() == "Pat Patient"
    assert page.email.isReadOnly()
    page.age.setValue(47)
    page.blood.setCurrentText("AB-")
    page.allergies.setPlainText("Penicillin")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Saved.", timeout=10_000)
    stored = signed_in_ctx.services.profile.get(signed_in_ctx.token)
    assert (stored.age, stored.blood_type, stored.allergies) == (47, "AB-", "Penicillin")


def test_profile_errors_appear_next_to_the_field(qtbot: Any, signed_in_ctx: Any) -> None:
    page = _profile(qtbot, signed_in_ctx)
    page.name.setText("   ")
    page.phone.setText("x" * 200)
    page.save_button.click()
    _idle(qtbot, signed_in_ctx)
    assert page.errors["name"].isVisibleTo(page) and page.errors["name"].text()
    assert page.errors["phone"].text()
    assert page.name.property("invalid") is True
    assert not page.errors["age"].has_error()
    assert "not saved" in page.message.text().lower()
    assert signed_in_ctx.services.profile.get(signed_in_ctx.token).name == "Pat Patient"


def test_profile_conflict_offers_reload(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    page = _profile(qtbot, signed_in_ctx)
    svc, token = signed_in_ctx.services, signed_in_ctx.token
    current = svc.profile.get(token)
    svc.profile.update(token, ProfileUpdate(name="Changed Elsewhere", age=None), current.version)
    page.phone.setText("555-0100")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.name.text() == "Changed Elsewhere", timeout=10_000)
    assert no_dialogs.calls[0][0] == "confirm"


def test_change_password_checks_the_repeat_and_the_policy(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    page = _profile(qtbot, signed_in_ctx)
    page.current_password.setText("patient-pass-8765")
    page.new_password.setText("short")
    page.new_password2.setText("short")
    page.password_button.click()
    _idle(qtbot, signed_in_ctx)
    assert page.errors["new_password"].has_error()
    page.new_password.setText("a-new-long-password")
    page.new_password2.setText("a-new-long-password")
    page.password_button.click()
    _idle(qtbot, signed_in_ctx)
    assert no_dialogs.messages("info") == ["Your password was changed."]
    assert signed_in_ctx.services.auth.sign_in("pat@clinic.example", "a-new-long-password")


def test_family_model_and_page(qtbot: Any, qtmodeltester: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    model = FamilyModel(signed_in_ctx)
    model.reload()
    qtmodeltester.check(model)
    page = FamilyPage(signed_in_ctx)
    qtbot.addWidget(page)
    page.show()
    assert [page.model.dto(r).relation for r in range(2)] == ["Father", "Mother"]
    page.new_item()
    dialog = page._dialog
    dialog.relation.setCurrentText("Sister")
    dialog.age.setValue(51)
    dialog.condition.setText("Ovarian cancer")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert page.model.total == 3
    page.search.setText("ovarian")
    page.apply_filter()
    assert page.model.rowCount() == 1
    page.view.selectRow(0)
    page.delete_selected()
    qtbot.waitUntil(lambda: page.model.total == 0, timeout=10_000)
