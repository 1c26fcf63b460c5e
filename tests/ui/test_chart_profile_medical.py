"""The staff's Profile page of a chart: the blood type and medications (clinicians edit them, with the
version they saw; reception never sees them) and the page's unsaved input kept as a draft. Real
widgets in the real main window over a real SQLite file."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QWidget

from desktop.domain.dto import ProfileUpdate
from desktop.domain.enums import Role
from desktop.domain.patient_dto import PatientDraft
from desktop.ui.drafts import Drafting
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.patient_details import PatientDetailsPage
from desktop.ui.widgets.medical_info_group import UNKNOWN_BLOOD_TYPE, MedicalInputs


def _chart_profile(qtbot: Any, ctx: Any, patient_id: str) -> tuple[MainWindow, PatientDetailsPage]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):
        window.show_page("patients").patient_chosen.emit(patient_id)
    page = window.show_page("profile")
    assert isinstance(page, PatientDetailsPage)
    _idle(qtbot, ctx)
    return window, page


def _idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=30_000)


def test_clinician_records_blood_type_and_medications(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, _smith = two_patients
    _window, page = _chart_profile(qtbot, ctx, garcia.id)
    medical = page.medical
    assert medical is not None and medical.editable and medical.isVisibleTo(page)
    assert medical.blood.currentText() == UNKNOWN_BLOOD_TYPE and medical.blood.currentData() == ""
    assert page.unsaved_changes() == ""

    medical.blood.setCurrentIndex(medical.blood.findData("A-"))
    medical.medications.setPlainText("Tamoxifen 20 mg daily")
    assert page.unsaved_changes() == "changes to the blood type and medications"
    with qtbot.waitSignal(medical.saved, timeout=10_000):
        medical.save_button.click()
    assert medical.message.text() == "Saved." and page.unsaved_changes() == ""
    profile = services.profile.get(ctx.token, patient_id=garcia.id)
    assert (profile.blood_type, profile.medications) == ("A-", "Tamoxifen 20 mg daily")
    assert profile.name == garcia.name and profile.allergies == ""  # the rest of the profile as it was

    # Another part of the page saves the same row: the medical group follows its version.
    page.form.phone.setText("+34 600 000 001")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Saved.", timeout=10_000)
    _idle(qtbot, ctx)
    medical.blood.setCurrentIndex(medical.blood.findData(""))  # back to unknown: stored empty
    with qtbot.waitSignal(medical.saved, timeout=10_000):
        medical.save_button.click()
    profile = services.profile.get(ctx.token, patient_id=garcia.id)
    assert (profile.blood_type, profile.phone) == ("", "+34 600 000 001")
    assert services.patients.get(ctx.token, garcia.id).version == page.patient.version
    _idle(qtbot, ctx)


def test_a_change_made_on_another_desk_is_refused_with_a_message(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, _smith = two_patients
    _window, page = _chart_profile(qtbot, ctx, garcia.id)
    medical = page.medical
    assert medical is not None
    other = services.profile.get(ctx.token, patient_id=garcia.id)
    services.profile.update(
        ctx.token,
        ProfileUpdate(name=other.name, age=other.age, blood_type="O+", medications="Metformin"),
        other.version,
        patient_id=garcia.id,
    )
    medical.medications.setPlainText("Typed here")
    no_dialogs.answer = False  # keep what was typed
    medical.save_button.click()
    qtbot.waitUntil(lambda: medical.message.text().startswith("Not saved"), timeout=10_000)
    assert "changed on another desk" in medical.message.text()
    assert "changed on another desk" in no_dialogs.messages("confirm")[0]
    assert services.profile.get(ctx.token, patient_id=garcia.id).medications == "Metformin"
    assert medical.medications.toPlainText() == "Typed here"
    _idle(qtbot, ctx)


def test_reception_never_sees_the_medical_information(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, admin_session: Any
) -> None:
    ctx = staff_ctx(Role.RECEPTION)
    garcia, _smith = two_patients
    _window, page = _chart_profile(qtbot, ctx, garcia.id)
    assert page.medical is None and page.allergies is None
    names = {w.accessibleName() for w in page.findChildren(QWidget) if w.isVisibleTo(page)}
    assert "Phone" in names and not {"Blood type", "Medications", "Allergies"} & names
    reads = services.patients.access_log(admin_session.token).rows
    assert {entry.action for entry in reads} == {"patients.read"}  # no medical read was attempted
    _idle(qtbot, ctx)


def test_the_draft_of_the_profile_page_goes_back_into_a_new_page(
    qtbot: Any, staff_ctx: Any, two_patients: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, _smith = two_patients
    window, page = _chart_profile(qtbot, ctx, garcia.id)
    assert isinstance(page, Drafting)
    assert page.unsaved_changes() == "" and page.take_draft().details is None

    page.form.given_names.setText("María Josefa")
    page.form.date_of_birth.setText("14/07/1945")
    assert page.unsaved_changes() == "changes to the patient's details"
    assert page.allergies is not None and page.medical is not None
    page.allergies.status.setCurrentIndex(page.allergies.status.findData("recorded"))
    page.allergies.text.setPlainText("Penicillin")
    page.medical.blood.setCurrentIndex(page.medical.blood.findData("AB+"))
    assert page.unsaved_changes() == (
        "changes to the patient's details, the allergies and the blood type and medications"
    )
    draft = page.take_draft()
    assert isinstance(draft.details, PatientDraft) and draft.details.given_names == "María Josefa"
    assert draft.allergies == ("recorded", "Penicillin")
    assert draft.medical == MedicalInputs("AB+", "")

    # A freshly built page of the same chart, the draft restored before its reads have answered.
    fresh = PatientDetailsPage(ctx, window.chart)
    qtbot.addWidget(fresh)
    fresh.restore_draft(draft)
    _idle(qtbot, ctx)
    assert fresh.form.given_names.text() == "María Josefa"
    assert fresh.form.date_of_birth.text() == "14/07/1945"
    assert fresh.allergies is not None and fresh.medical is not None
    assert fresh.allergies.inputs() == ("recorded", "Penicillin")
    assert fresh.medical.inputs() == MedicalInputs("AB+", "")
    assert fresh.unsaved_changes() == page.unsaved_changes()
    assert fresh.take_draft() == draft

    fresh.refresh()  # shown again: what was typed stays
    _idle(qtbot, ctx)
    assert fresh.take_draft() == draft


def test_an_administrator_the_clinic_lets_read_medical_data_sees_it_read_only(
    qtbot: Any, admin_ctx: Any, staff_ctx: Any, services: Any, two_patients: Any
) -> None:
    garcia, _smith = two_patients
    clinician = staff_ctx(Role.CLINICIAN)
    services.profile.update(
        clinician.token,
        ProfileUpdate(name=garcia.name, age=None, blood_type="", medications="Letrozole"),
        services.profile.get(clinician.token, patient_id=garcia.id).version,
        patient_id=garcia.id,
    )
    allowing = replace(admin_ctx.settings, admin_can_read_medical_data=True)
    services.apply_settings(allowing)
    admin_ctx.settings = allowing
    _window, page = _chart_profile(qtbot, admin_ctx, garcia.id)
    medical = page.medical
    assert medical is not None and not medical.editable and page.allergies is None
    assert not medical.save_button.isVisibleTo(page) and not medical.blood.isEnabled()
    assert medical.blood.currentText() == "Not recorded"
    assert medical.medications.isReadOnly() and medical.medications.toPlainText() == "Letrozole"
    _idle(qtbot, admin_ctx)
