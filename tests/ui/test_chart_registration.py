"""The Registration group of a chart's Profile page: deactivating and reactivating a patient, merging
a duplicate registration into the right patient (the window then shows the kept chart), and the
chart's own access log for administrators. Real widgets in the real main window over real SQLite."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.domain.dto import FamilyDraft, FamilyQuery, PredictionQuery, RecordDraft, RecordQuery
from desktop.domain.enums import Role
from desktop.domain.patient_dto import PatientDraft
from desktop.ui.dialogs.chart_access_dialog import ChartAccessDialog
from desktop.ui.dialogs.merge_patient_dialog import MergePatientDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.patient_details import PatientDetailsPage
from desktop.ui.sample_cases import BENIGN_EXAMPLE
from desktop.ui.widgets.registration_group import INACTIVE
from tests.ui.conftest import open_chart_from_list, show_main_window, wait_idle
from tests.ui.layout_check import problems


def _open_profile(qtbot: Any, window: MainWindow, ctx: Any, patient_id: str) -> PatientDetailsPage:
    open_chart_from_list(qtbot, window, patient_id)
    page = window.show_page("profile")
    assert isinstance(page, PatientDetailsPage)
    _idle(qtbot, ctx)
    return page


def _idle(qtbot: Any, ctx: Any) -> None:
    wait_idle(qtbot, ctx, timeout=30_000)


def _ids(found: Any) -> set[str]:
    return {patient.id for patient in found}


def test_reception_deactivates_and_reactivates_a_patient(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    ctx = staff_ctx(Role.RECEPTION)
    garcia, _smith = two_patients
    window = show_main_window(qtbot, ctx)
    page = _open_profile(qtbot, window, ctx, garcia.id)
    group = page.registration
    assert group.isVisibleTo(page) and group.deactivate_button.isVisibleTo(page)
    assert not group.reactivate_button.isVisibleTo(page)
    assert not group.merge_button.isVisibleTo(page) and not group.log_button.isVisibleTo(page)

    no_dialogs.answer = False  # the question is asked first; "Cancel" changes nothing
    group.deactivate_button.click()
    question = no_dialogs.messages("confirm")[-1]
    assert "Nothing is deleted" in question and "Show deactivated" in question
    _idle(qtbot, ctx)
    assert services.patients.get(ctx.token, garcia.id).is_active

    no_dialogs.answer = True
    with qtbot.waitSignal(group.patient_changed, timeout=10_000):
        group.deactivate_button.click()
    assert not services.patients.get(ctx.token, garcia.id).is_active
    assert group.state.text() == INACTIVE and group.reactivate_button.isVisibleTo(page)
    assert window.chart is not None and not window.chart.is_active  # the window follows the row
    assert garcia.id not in _ids(services.patients.search(ctx.token, "García"))
    assert garcia.id in _ids(services.patients.search(ctx.token, "García", include_inactive=True))

    # The details are still saved with the row's new version (no conflict after the deactivation).
    page.form.phone.setText("+34 600 999 999")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Saved.", timeout=10_000)

    with qtbot.waitSignal(group.patient_changed, timeout=10_000):
        group.reactivate_button.click()
    assert services.patients.get(ctx.token, garcia.id).is_active
    assert garcia.id in _ids(services.patients.search(ctx.token, "García"))
    assert group.deactivate_button.isVisibleTo(page)
    _idle(qtbot, ctx)


def test_clinician_merges_a_duplicate_and_the_window_shows_the_kept_chart(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, _smith = two_patients
    token = ctx.token
    duplicate = services.patients.register(
        token, PatientDraft(given_names="Maria", family_name="Garcia", mrn="000999")
    )
    services.records.create(
        token,
        RecordDraft(date="2026-02-10", type="Mammogram", result="see notes", doctor="Dr C", notes="", status="normal"),
        patient_id=duplicate.id,
    )  # fmt: skip
    services.family.create(
        token, FamilyDraft(relation="Mother", age=62, condition="Breast cancer"), patient_id=duplicate.id
    )
    services.predictions.save(token, BENIGN_EXAMPLE, "filed in the duplicate", patient_id=duplicate.id)

    window = show_main_window(qtbot, ctx)
    page = _open_profile(qtbot, window, ctx, duplicate.id)
    group = page.registration
    assert group.merge_button.isVisibleTo(page) and not group.log_button.isVisibleTo(page)
    group.merge_button.click()
    dialog = group.dialog
    assert isinstance(dialog, MergePatientDialog) and dialog.isVisible()
    _idle(qtbot, ctx)
    dialog.search_box.setText("garcía maría")
    dialog.search()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)  # never the duplicate itself
    assert [label.text() for label in dialog.kept_labels] == ["\u2014"] * 3
    assert not dialog.merge_button.isEnabled()
    dialog.view.selectRow(0)
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Return)  # searches again; never merges
    _idle(qtbot, ctx)
    assert no_dialogs.messages("confirm") == [] and dialog.isVisible()
    dialog.view.selectRow(0)
    assert [label.text() for label in dialog.kept_labels][0::2] == ["GARCÍA LÓPEZ, María José", "MRN 000123"]
    assert dialog.kept_labels[1].text().startswith("14-Jul-1945")

    with qtbot.waitSignal(window.chart_opened, timeout=10_000) as opened:
        dialog.merge_button.click()
    assert opened.args == [garcia.id]
    question = no_dialogs.messages("confirm")[-1]
    for words in (
        "MRN 000999",
        "MRN 000123",
        "family history",
        "deactivated",
        "audit log",
        "cannot be undone",
    ):
        assert words in question
    assert window.windowTitle().startswith("GARCÍA LÓPEZ, María José \u2014 MRN 000123")
    assert window.content.chart_bar.banner.mrn.text() == "MRN 000123"

    assert [r.type for r in services.records.list(token, RecordQuery(), patient_id=garcia.id).rows] == [
        "Mammogram"
    ]
    assert [f.relation for f in services.family.list(token, FamilyQuery(), patient_id=garcia.id).rows] == [
        "Mother"
    ]
    predictions = services.predictions.list(token, PredictionQuery(), patient_id=garcia.id).rows
    assert [p.notes for p in predictions] == ["filed in the duplicate"]
    assert services.records.list(token, RecordQuery(), patient_id=duplicate.id).rows == ()
    assert not services.patients.get(token, duplicate.id).is_active
    _idle(qtbot, ctx)


def test_admin_sees_who_opened_this_chart(
    qtbot: Any, staff_ctx: Any, admin_ctx: Any, services: Any, two_patients: Any, qtmodeltester: Any
) -> None:
    clinician = staff_ctx(Role.CLINICIAN)
    garcia, smith = two_patients
    for patient in (garcia, smith, garcia):
        services.patients.open_chart(clinician.token, patient.id)
    window = show_main_window(qtbot, admin_ctx)
    page = _open_profile(qtbot, window, admin_ctx, smith.id)
    assert page.medical is None  # no medical data for administrators without the clinic's setting
    group = page.registration
    assert group.log_button.isVisibleTo(page) and group.merge_button.isVisibleTo(page)
    group.log_button.click()
    dialog = group.dialog
    assert isinstance(dialog, ChartAccessDialog) and dialog.isVisible()
    model = dialog.model
    qtmodeltester.check(model)
    entries = [model.dto(row) for row in range(model.rowCount())]
    assert {entry.patient_id for entry in entries} == {smith.id}
    # The clinician's opening, and the administrator's own read of the demographics just now.
    assert {(entry.user_name, entry.action) for entry in entries} == {
        ("Clinician", "chart.open"),
        (admin_ctx.user.name, "patients.read"),
    }
    assert dialog.count_label.text()
    _idle(qtbot, admin_ctx)


def test_the_profile_page_and_its_dialogs_fit_the_smallest_window(
    qtbot: Any, staff_ctx: Any, admin_ctx: Any, two_patients: Any
) -> None:
    garcia, _smith = two_patients
    for ctx in (staff_ctx(Role.CLINICIAN), admin_ctx):  # the most groups, the most buttons
        window = show_main_window(qtbot, ctx)
        window.resize(1024, 700)
        page = _open_profile(qtbot, window, ctx, garcia.id)
        QApplication.processEvents()
        assert problems(window) == []
        group = page.registration
        for button in (group.merge_button, group.log_button):
            if button.isVisibleTo(page):
                button.click()
                _idle(qtbot, ctx)
                assert group.dialog is not None
                QApplication.processEvents()
                assert problems(group.dialog) == []
                group.dialog.reject()
        window.close()


def test_a_wide_window_puts_the_medical_and_registration_groups_beside_the_details(
    qtbot: Any, staff_ctx: Any, two_patients: Any
) -> None:
    garcia, _smith = two_patients
    ctx = staff_ctx(Role.CLINICIAN)
    window = show_main_window(qtbot, ctx)
    window.resize(1366, 800)
    page = _open_profile(qtbot, window, ctx, garcia.id)
    QApplication.processEvents()
    details_x = page.form.mapTo(page, page.form.rect().topLeft()).x()
    for group in (page.allergies, page.medical, page.registration):
        assert group is not None and group.mapTo(page, group.rect().topLeft()).x() > details_x + 200
    assert problems(window) == []
    window.resize(1024, 700)  # narrow again: one column, the groups under the details
    QApplication.processEvents()
    assert page.registration.mapTo(page, page.registration.rect().topLeft()).x() < details_x + 50
    assert problems(window) == []
    window.close()
