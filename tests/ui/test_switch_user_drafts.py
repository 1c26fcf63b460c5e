"""Switch user at the lock screen: the next person is not asked about someone else's unsaved input;
it is kept for its owner for the rest of the program run and given back when they sign in again and
open the same page of the same chart. Nobody else sees it. The real app controller (its windows are
rebuilt for each person), a real SQLite file, the real model."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.domain.dto import RecordQuery
from desktop.domain.enums import Role
from desktop.ui.drafts import DraftStore
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.new_prediction import NewPredictionPage
from tests.ui.conftest import USER_EMAIL, USER_PASSWORD

FIRST = ("ana@clinic.example", "Dr Ana First", "ana's password 123")
SECOND = ("ben@clinic.example", "Dr Ben Second", "ben's password 456")
GIVEN_PASSWORD = "given at the desk 789"


@pytest.fixture
def controller(make_controller: Any, admin_session: Any, services: Any) -> Any:
    for email, name, password in (FIRST, SECOND):
        services.users.create_user(admin_session.token, email, name, GIVEN_PASSWORD, Role.CLINICIAN)
        session = services.auth.sign_in(email, GIVEN_PASSWORD)
        services.auth.change_password(session.token, GIVEN_PASSWORD, password)  # their own, chosen
    return make_controller()


def _sign_in(qtbot: Any, controller: Any, account: tuple[str, str, str]) -> MainWindow:
    email, _name, password = account
    qtbot.waitUntil(controller.login.is_ready, timeout=20_000)
    controller.login.email.setText(email)
    controller.login.password.setText(password)
    controller.login.sign_in_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=20_000)
    window = controller.main_window
    assert window.ctx.user.email == email
    return window


def _open(qtbot: Any, window: MainWindow, patient_id: str) -> None:
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):
        window.choose_patient(patient_id)


def _prediction_page(qtbot: Any, window: MainWindow) -> NewPredictionPage:
    page = window.show_page("new_prediction")
    assert isinstance(page, NewPredictionPage)
    qtbot.waitUntil(lambda: page._card is not None, timeout=30_000)
    return page


def _questions(no_dialogs: Any) -> list[str]:
    return [str(args[1]) for name, args, _kwargs in no_dialogs.calls if name == "confirm"]


def test_switch_user_keeps_the_owners_input_for_them_only(
    qtbot: Any, controller: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    garcia, _smith = two_patients
    controller.start()
    ana = _sign_in(qtbot, controller, FIRST)
    _open(qtbot, ana, garcia.id)
    form = _prediction_page(qtbot, ana)
    form.form.load_sample(form.form.sample_names[0])
    form.notes_edit.setPlainText("Ana's note for García")
    typed = form.form.texts()
    records = ana.show_page("records")
    records.new_item()
    records._dialog.type_edit.setText("Biopsy typed by Ana")

    ana.lock()
    with qtbot.waitSignal(ana.signed_out, timeout=10_000):
        ana.lock_screen.switch_button.click()
    assert _questions(no_dialogs) == []  # the next person is not asked about Ana's input
    assert controller.main_window is None and controller.login.isVisible()

    # Ben opens the same chart and pages: none of Ana's input, no note about it.
    ben = _sign_in(qtbot, controller, SECOND)
    _open(qtbot, ben, garcia.id)
    ben_records = ben.show_page("records")
    assert ben_records.unsaved_changes() == "" and ben_records._form is None
    ben_form = _prediction_page(qtbot, ben)
    assert set(ben_form.form.texts().values()) == {""} and ben_form.notes_edit.toPlainText() == ""
    assert "Restored" not in ben.statusBar().currentMessage()
    with qtbot.waitSignal(ben.signed_out, timeout=10_000):
        ben.menus.sign_out_action.trigger()
    assert _questions(no_dialogs) == []  # Ben had nothing unsaved

    # Ana again: the record dialog reopens as she left it, and the prediction form is refilled.
    ana = _sign_in(qtbot, controller, FIRST)
    _open(qtbot, ana, garcia.id)
    assert ana.current_key() == "records"
    records = ana.page("records")
    dialog = records._dialog
    assert dialog.isVisible() and dialog.type_edit.text() == "Biopsy typed by Ana"
    note = ana.statusBar().currentMessage()
    assert note.startswith("Restored unsaved input from ")
    assert note.endswith("Unsaved input kept for you on: New prediction.")  # not opened yet
    form = _prediction_page(qtbot, ana)
    assert ana.statusBar().currentMessage().startswith("Restored unsaved input from ")
    assert form.form.texts() == typed and form.notes_edit.toPlainText() == "Ana's note for García"
    assert form.unsaved_changes() == "the measurements and notes of a new prediction"

    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    rows = services.records.list(ana.ctx.token, RecordQuery(), patient_id=garcia.id).rows
    assert [(r.type, r.doctor) for r in rows] == [("Biopsy typed by Ana", "Dr Ana First")]
    qtbot.waitUntil(lambda: not controller.runner.is_running(), timeout=10_000)


def test_a_patients_own_profile_draft_comes_back_to_them_only(
    qtbot: Any, services: Any, make_ctx: Any, user_session: Any, admin_session: Any, no_dialogs: Any
) -> None:
    store = DraftStore()  # the app's, which outlives each window
    window = MainWindow(make_ctx(user_session), drafts=store)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):
        window.show()
    profile = window.show_page("profile")
    qtbot.waitUntil(lambda: profile.profile is not None, timeout=10_000)
    profile.phone.setText("+44 20 7946 0018")
    window.lock()
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        window.lock_screen.switch_button.click()

    admin = MainWindow(make_ctx(admin_session), drafts=store)  # someone else at the desk
    qtbot.addWidget(admin)
    admin.show()
    assert store.keys_of(admin_session.user.id) == []
    assert len(store.keys_of(user_session.user.id)) == 1
    admin.close()

    again = MainWindow(make_ctx(services.auth.sign_in(USER_EMAIL, USER_PASSWORD)), drafts=store)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.chart_opened, timeout=10_000):
        again.show()
    profile = again.show_page("profile")
    qtbot.waitUntil(lambda: profile.profile is not None, timeout=10_000)
    qtbot.waitUntil(lambda: profile.phone.text() == "+44 20 7946 0018", timeout=10_000)
    assert profile.unsaved_changes() == "changes to the profile"
    assert again.statusBar().currentMessage().startswith("Restored unsaved input from ")
    assert store.keys_of(user_session.user.id) == []  # given back once
    profile.save_button.click()
    qtbot.waitUntil(lambda: profile.message.text() == "Saved.", timeout=10_000)
    assert services.profile.get(again.ctx.token).phone == "+44 20 7946 0018"
    assert _questions(no_dialogs) == []


def test_a_registration_typed_before_switch_user_comes_back_to_its_owner(
    qtbot: Any, controller: Any, services: Any, no_dialogs: Any
) -> None:
    controller.start()
    ana = _sign_in(qtbot, controller, FIRST)
    patients = ana.show_page("patients")
    patients.new_item()
    patients._dialog.form.family_name.setText("Okonkwo")
    patients._dialog.form.given_names.setText("Adaeze")
    assert patients.unsaved_changes() == "a patient registration"
    ana.lock()
    with qtbot.waitSignal(ana.signed_out, timeout=10_000):
        ana.lock_screen.switch_button.click()
    assert _questions(no_dialogs) == []

    ben = _sign_in(qtbot, controller, SECOND)
    ben_patients = ben.show_page("patients")
    assert ben_patients._dialog is None and ben_patients.unsaved_changes() == ""
    with qtbot.waitSignal(ben.signed_out, timeout=10_000):
        ben.menus.sign_out_action.trigger()

    ana = _sign_in(qtbot, controller, FIRST)
    patients = ana.show_page("patients")
    qtbot.waitUntil(lambda: patients._dialog is not None, timeout=10_000)
    dialog = patients._dialog
    assert (dialog.form.family_name.text(), dialog.form.given_names.text()) == ("Okonkwo", "Adaeze")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    found = services.patients.search(ana.ctx.token, "Okonkwo Adaeze")
    assert [(p.family_name, p.given_names) for p in found] == [("Okonkwo", "Adaeze")]
    qtbot.waitUntil(lambda: not controller.runner.is_running(), timeout=10_000)
