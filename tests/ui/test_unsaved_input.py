"""Input not yet saved in a chart: switching or closing the chart, signing out and quitting ask once
("Discard changes" / "Cancel"), Cancel leaves everything as it was, and nothing typed in one chart
reaches another. Real widgets, a real SQLite file, the real model."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication

from desktop.domain.dto import PredictionQuery, RecordDraft, RecordQuery
from desktop.domain.enums import Role
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.new_prediction import NewPredictionPage
from tests.ui.conftest import USER_PASSWORD, open_chart_from_list, show_main_window, wait_idle


def _prediction_page(qtbot: Any, window: MainWindow) -> NewPredictionPage:
    page = window.show_page("new_prediction")
    assert isinstance(page, NewPredictionPage)
    qtbot.waitUntil(lambda: page._card is not None, timeout=30_000)
    return page


def _save_prediction(qtbot: Any, page: NewPredictionPage, sample: int, notes: str) -> None:
    page.form.load_sample(page.form.sample_names[sample])
    page.predict_button.click()
    qtbot.waitUntil(page.save_button.isEnabled, timeout=30_000)
    page.notes_edit.setPlainText(notes)
    with qtbot.waitSignal(page.prediction_saved, timeout=10_000):
        page.save_button.click()


def _questions(no_dialogs: Any) -> list[tuple[str, dict]]:
    return [(str(args[1]), kwargs) for name, args, kwargs in no_dialogs.calls if name == "confirm"]


def test_typing_into_one_chart_then_switching_keeps_each_chart_its_own(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, smith = two_patients
    window = show_main_window(qtbot, ctx)
    open_chart_from_list(qtbot, window, garcia.id)
    garcia_page = _prediction_page(qtbot, window)
    _save_prediction(qtbot, garcia_page, 0, "García's saved note")
    assert garcia_page.unsaved_changes() == ""  # just saved: nothing to ask about
    garcia_measurements = garcia_page.form.texts()

    # Typed into García's chart and not saved: a changed measurement and a new note.
    garcia_page.form.edit_for("radius_mean").setText("19.5")
    garcia_page.notes_edit.setPlainText("Typed for García, not saved")
    assert garcia_page.unsaved_changes() == "the measurements and notes of a new prediction"

    no_dialogs.answer = True  # "Discard changes"
    open_chart_from_list(qtbot, window, smith.id)
    [(question, options)] = _questions(no_dialogs)
    assert "the measurements and notes of a new prediction" in question
    assert "open another patient's chart" in question
    assert options["yes_label"] == "Discard changes" and options["destructive"] is True

    smith_page = _prediction_page(qtbot, window)
    assert smith_page is not garcia_page
    assert set(smith_page.form.texts().values()) == {""} and smith_page.notes_edit.toPlainText() == ""
    assert smith_page.unsaved_changes() == ""
    _save_prediction(qtbot, smith_page, 1, "Smith's saved note")

    open_chart_from_list(qtbot, window, garcia.id)
    assert len(_questions(no_dialogs)) == 1  # Smith's page had nothing unsaved: no second question
    garcia_again = _prediction_page(qtbot, window)
    assert set(garcia_again.form.texts().values()) == {""}  # the discarded input is gone
    assert garcia_again.notes_edit.toPlainText() == ""

    token = ctx.token
    garcia_saved = services.predictions.list(token, PredictionQuery(), patient_id=garcia.id).rows
    smith_saved = services.predictions.list(token, PredictionQuery(), patient_id=smith.id).rows
    assert [p.notes for p in garcia_saved] == ["García's saved note"]
    assert [p.notes for p in smith_saved] == ["Smith's saved note"]
    saved_radius = services.predictions.get(token, garcia_saved[0].id, patient_id=garcia.id)
    assert float(garcia_measurements["radius_mean"]) == saved_radius.features["radius_mean"]
    history = window.show_page("prediction_history")
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=10_000)
    assert history.model.dto(0).id == garcia_saved[0].id  # García's own, none of Smith's
    wait_idle(qtbot, ctx, timeout=30_000)


def test_cancel_keeps_the_chart_open_with_what_was_typed(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, smith = two_patients
    window = show_main_window(qtbot, ctx)
    open_chart_from_list(qtbot, window, garcia.id)
    page = _prediction_page(qtbot, window)
    page.form.load_sample(page.form.sample_names[0])
    page.notes_edit.setPlainText("Typed for García")
    typed = page.form.texts()
    records = window.show_page("records")
    records.new_item()
    dialog = records._dialog
    dialog.type_edit.setText("Biopsy typed for García")

    no_dialogs.answer = False  # "Cancel"
    patients = window.show_page("patients")
    patients.patient_chosen.emit(smith.id)
    window.close_chart()
    questions = _questions(no_dialogs)
    assert len(questions) == 2
    assert "open another patient's chart" in questions[0][0] and "close the chart" in questions[1][0]
    for question, _options in questions:
        assert "the measurements and notes of a new prediction" in question
        assert "a new medical record" in question
    wait_idle(qtbot, ctx, timeout=30_000)
    assert window.chart is not None and window.chart.id == garcia.id
    assert window.page("new_prediction") is page and window.page("records") is records
    assert page.form.texts() == typed and page.notes_edit.toPlainText() == "Typed for García"
    assert dialog.isVisible() and dialog.type_edit.text() == "Biopsy typed for García"

    no_dialogs.answer = True  # now "Discard changes": the chart closes, its dialog with it
    with qtbot.waitSignal(window.chart_closed, timeout=5_000):
        window.close_chart()
    assert window.chart is None and not dialog.isVisible()
    assert services.records.list(ctx.token, RecordQuery(), patient_id=garcia.id).rows == ()
    wait_idle(qtbot, ctx, timeout=30_000)


def test_an_edit_dialog_with_nothing_changed_is_not_asked_about(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, _smith = two_patients
    services.records.create(
        ctx.token,
        RecordDraft(
            date="2026-01-05", type="Blood test", result="normal", doctor="", notes="", status="normal"
        ),
        patient_id=garcia.id,
    )
    window = show_main_window(qtbot, ctx)
    open_chart_from_list(qtbot, window, garcia.id)
    records = window.show_page("records")
    qtbot.waitUntil(lambda: records.model.rowCount() == 1, timeout=10_000)
    records.select_id(records.model.dto(0).id)
    records.edit_selected()
    dialog = records._dialog
    assert records.unsaved_changes() == ""  # opened, nothing typed
    dialog.result_edit.setText("abnormal after all")
    assert records.unsaved_changes() == "changes to a medical record"
    dialog.result_edit.setText("normal")
    assert records.unsaved_changes() == ""
    dialog.reject()
    records.new_item()
    dialog = records._dialog
    dialog.type_edit.setText("Typed, then cancelled")
    assert records.unsaved_changes() == "a new medical record"
    dialog.reject()  # the dialog's own Cancel: the form is gone, nothing is left to ask about
    assert records.unsaved_changes() == "" and records._form is None
    with qtbot.waitSignal(window.chart_closed, timeout=5_000):
        window.close_chart()
    assert _questions(no_dialogs) == []
    wait_idle(qtbot, ctx, timeout=30_000)


def test_sign_out_from_the_menu_asks_and_cancel_stays_signed_in(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    profile = window.show_page("profile")
    qtbot.waitUntil(lambda: profile.profile is not None, timeout=10_000)
    assert profile.unsaved_changes() == ""
    profile.phone.setText("+44 20 7946 0000")
    window.show_page("records")
    window.show_page("profile")  # shown again: the typed phone is not reloaded away
    wait_idle(qtbot, signed_in_ctx, timeout=30_000)
    assert profile.phone.text() == "+44 20 7946 0000"

    no_dialogs.answer = False
    window.menus.sign_out_action.trigger()
    [(question, _options)] = _questions(no_dialogs)
    assert "changes to the profile" in question and "sign out" in question
    assert signed_in_ctx.signed_in and window.isVisible()
    assert profile.phone.text() == "+44 20 7946 0000"

    no_dialogs.answer = True
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        window.menus.sign_out_action.trigger()
    assert not signed_in_ctx.signed_in
    wait_idle(qtbot, signed_in_ctx, timeout=30_000)


def test_quitting_asks_from_the_menu_and_the_close_button(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    page = _prediction_page(qtbot, window)
    page.notes_edit.setPlainText("A note for a prediction not made yet")

    no_dialogs.answer = False
    window.menus.quit_action.trigger()
    assert window.isVisible() and signed_in_ctx.signed_in
    handle = window.windowHandle()
    assert handle is not None
    # What the window system delivers for the title bar's close button: a close event to the window
    # handle, which reaches the widget as a spontaneous one.
    QApplication.sendEvent(handle, QCloseEvent())
    assert window.isVisible() and signed_in_ctx.signed_in
    questions = _questions(no_dialogs)
    assert len(questions) == 2 and all("quit ClinicDesk" in q for q, _o in questions)
    assert "the notes of a new prediction" in questions[0][0]

    no_dialogs.answer = True
    window.menus.quit_action.trigger()
    assert not window.isVisible() and not signed_in_ctx.signed_in
    assert len(_questions(no_dialogs)) == 3  # asked once for this quit, not again by closeEvent


def test_the_idle_lock_asks_nothing_and_keeps_the_input(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    window = show_main_window(qtbot, signed_in_ctx)
    page = _prediction_page(qtbot, window)
    page.form.edit_for("radius_mean").setText("14.2")
    window.idle.idle.emit()  # what the idle timer does
    assert window.is_locked() and _questions(no_dialogs) == []
    with qtbot.waitSignal(window.lock_screen.unlocked, timeout=10_000):
        window.lock_screen.password.setText(USER_PASSWORD)
        window.lock_screen.unlock_button.click()
    assert page.form.edit_for("radius_mean").text() == "14.2"
    assert page.unsaved_changes() == "the measurements of a new prediction"
    wait_idle(qtbot, signed_in_ctx, timeout=30_000)
