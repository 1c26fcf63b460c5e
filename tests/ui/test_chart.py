"""The clinic's chart in the main window: the patient list first for staff, a chart per patient under
its banner, the patient in the window title, an explicit switch that keeps what is typed in one
chart out of the other, and what each role sees. Real widgets over a real SQLite file."""

from __future__ import annotations

from typing import Any

from desktop.domain.dto import FamilyQuery, PredictionQuery, RecordQuery
from desktop.domain.enums import Role
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.patient_details import PatientDetailsPage
from tests.ui.conftest import open_chart_from_list, show_main_window, wait_idle

CHART_PAGES = ["profile", "records", "family", "new_prediction", "prediction_history"]
GARCIA_TITLE = "GARCÍA LÓPEZ, María José \u2014 MRN 000123 \u2014 ClinicDesk"


def _idle(qtbot: Any, ctx: Any) -> None:
    wait_idle(qtbot, ctx, timeout=30_000)


def _open(qtbot: Any, window: MainWindow, patient_id: str) -> None:
    assert open_chart_from_list(qtbot, window, patient_id) == [patient_id]


def _visible_rows(window: MainWindow) -> list[str]:
    return [key for row, key in enumerate(window.page_keys()) if not window.sidebar.isRowHidden(row)]


def test_clinician_starts_on_the_list_and_the_banner_stays_on_every_chart_page(
    qtbot: Any, staff_ctx: Any, two_patients: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, _smith = two_patients
    window = show_main_window(qtbot, ctx)
    assert window.page_keys() == ["patients", *CHART_PAGES, "screening"]
    assert window.current_key() == "patients"
    assert _visible_rows(window) == ["patients", "screening"]  # no chart open: no chart pages
    assert window.show_page("records") is None
    assert not window.content.chart_bar.isVisible()

    _open(qtbot, window, garcia.id)
    assert window.current_key() == "records"
    assert window.windowTitle() == GARCIA_TITLE
    banner = window.content.chart_bar.banner
    assert banner.name.text() == "GARCÍA LÓPEZ, María José"
    assert banner.mrn.text() == "MRN 000123"
    assert banner.born.text().startswith("14-Jul-1945 (")
    assert banner.allergies.text() == "Not recorded"
    for key in CHART_PAGES:
        assert window.show_page(key) is not None
        assert window.content.chart_bar.isVisible() and window.windowTitle() == GARCIA_TITLE
    window.show_page("patients")
    assert not window.content.chart_bar.isVisible()
    assert window.windowTitle() == "Patients - ClinicDesk"

    with qtbot.waitSignal(window.chart_closed, timeout=5_000):
        window.content.chart_bar.close_button.click()
    assert window.chart is None and window.current_key() == "patients"
    assert _visible_rows(window) == ["patients", "screening"]
    _idle(qtbot, ctx)


def test_switching_patient_keeps_what_was_typed_out_of_the_other_chart(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any, no_dialogs: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, smith = two_patients
    window = show_main_window(qtbot, ctx)
    _open(qtbot, window, garcia.id)

    # In García's chart: notes typed on New prediction and a record dialog filled in, none saved.
    form_page = window.show_page("new_prediction")
    qtbot.waitUntil(lambda: form_page._card is not None, timeout=30_000)
    form_page.notes_edit.setPlainText("Typed in García's chart")
    records = window.show_page("records")
    records.new_item()
    dialog = records._dialog
    assert dialog.doctor.text() == "Clinician"  # the clinician writing it, by default
    dialog.type_edit.setText("Biopsy typed for García")

    _open(qtbot, window, smith.id)  # the explicit switch: choosing another patient
    assert window.windowTitle().startswith("SMITH, John \u2014 MRN 000456")
    assert not dialog.isVisible()
    smith_form = window.show_page("new_prediction")
    assert smith_form is not form_page and smith_form.notes_edit.toPlainText() == ""

    # In Smith's chart: a record and a prediction saved.
    smith_records = window.show_page("records")
    smith_records.new_item()
    smith_dialog = smith_records._dialog
    smith_dialog.type_edit.setText("Mammogram for Smith")
    with qtbot.waitSignal(smith_dialog.saved, timeout=10_000):
        smith_dialog.save()
    smith_form = window.show_page("new_prediction")
    qtbot.waitUntil(lambda: smith_form._card is not None, timeout=30_000)
    smith_form.form.load_sample(smith_form.form.sample_names[0])
    smith_form.predict_button.click()
    qtbot.waitUntil(lambda: smith_form.save_button.isEnabled(), timeout=30_000)
    smith_form.notes_edit.setPlainText("Typed in Smith's chart")
    with qtbot.waitSignal(smith_form.prediction_saved, timeout=10_000):
        smith_form.save_button.click()

    token = ctx.token
    smith_rows = services.records.list(token, RecordQuery(), patient_id=smith.id).rows
    assert [r.type for r in smith_rows] == ["Mammogram for Smith"]
    assert services.records.list(token, RecordQuery(), patient_id=garcia.id).rows == ()
    smith_predictions = services.predictions.list(token, PredictionQuery(), patient_id=smith.id).rows
    assert [p.notes for p in smith_predictions] == ["Typed in Smith's chart"]
    assert services.predictions.list(token, PredictionQuery(), patient_id=garcia.id).rows == ()
    assert services.family.list(token, FamilyQuery(), patient_id=garcia.id).rows == ()
    _idle(qtbot, ctx)


def test_reception_sees_demographics_only(
    qtbot: Any, staff_ctx: Any, services: Any, two_patients: Any
) -> None:
    ctx = staff_ctx(Role.RECEPTION)
    garcia, _smith = two_patients
    window = show_main_window(qtbot, ctx)
    assert window.page_keys() == ["patients", "profile"]
    patients = window.show_page("patients")
    assert patients.register_button.isVisibleTo(patients)
    _open(qtbot, window, garcia.id)
    assert window.current_key() == "profile"
    assert window.content.chart_bar.banner.allergies.text() == "Not shown to your role"
    page = window.page("profile")
    assert isinstance(page, PatientDetailsPage) and not page.can_medical
    page.form.phone.setText("+34 600 123 456")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Saved.", timeout=10_000)
    assert services.patients.get(ctx.token, garcia.id).phone == "+34 600 123 456"
    _idle(qtbot, ctx)


def test_clinician_states_no_known_allergies_and_the_banner_shows_it(
    qtbot: Any, staff_ctx: Any, two_patients: Any
) -> None:
    ctx = staff_ctx(Role.CLINICIAN)
    garcia, _smith = two_patients
    window = show_main_window(qtbot, ctx)
    _open(qtbot, window, garcia.id)
    page = window.show_page("profile")
    qtbot.waitUntil(lambda: page.allergy_info is not None, timeout=10_000)
    page.allergies.status.setCurrentIndex(page.allergies.status.findData("none_known"))
    page.allergies.button.click()
    banner = window.content.chart_bar.banner
    qtbot.waitUntil(
        lambda: banner.allergies.text().startswith("No known allergies (checked "), timeout=10_000
    )
    _idle(qtbot, ctx)


def test_signed_in_patient_sees_their_own_chart_and_who_opened_it(
    qtbot: Any, staff_ctx: Any, signed_in_ctx: Any, services: Any, qtmodeltester: Any
) -> None:
    clinician = staff_ctx(Role.CLINICIAN)
    me = signed_in_ctx.user
    services.patients.open_chart(clinician.token, me.id)
    window = MainWindow(signed_in_ctx)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):
        window.show()
    assert "patients" not in window.page_keys()
    assert window.page_keys() == [*CHART_PAGES, "screening", "my_access_log"]
    assert window.current_key() == "records" and window.content.chart_bar.isVisible()
    assert window.content.chart_bar.banner.name.text() == "Pat Patient"
    assert not window.content.chart_bar.close_button.isVisibleTo(window)
    assert window.menus.close_chart_action is None
    log = window.show_page("my_access_log")
    _idle(qtbot, signed_in_ctx)
    assert log.model.rowCount() == 1
    assert log.model.data(log.model.index(0, 1)) == "Clinician"
    assert log.model.data(log.model.index(0, 3)) == "Opened the chart"
    qtmodeltester.check(log.model)


def test_admin_filters_the_access_log_by_patient_and_by_person(
    qtbot: Any, staff_ctx: Any, admin_ctx: Any, services: Any, two_patients: Any, qtmodeltester: Any
) -> None:
    clinician = staff_ctx(Role.CLINICIAN)
    garcia, smith = two_patients
    for patient in (garcia, smith, garcia):
        services.patients.open_chart(clinician.token, patient.id)
    window = show_main_window(qtbot, admin_ctx)
    assert {"patients", "users", "audit", "access_log"} <= set(window.page_keys())
    assert "records" not in window.page_keys()  # no medical data without the clinic's setting
    page = window.show_page("access_log")
    _idle(qtbot, admin_ctx)
    assert page.model.total == 3
    qtmodeltester.check(page.model)
    row = next(r for r in range(page.model.rowCount()) if page.model.dto(r).patient_id == smith.id)
    page.view.selectRow(row)
    page.patient_button.click()
    assert page.model.total == 1 and "SMITH" in page.filter_label.text().upper()
    page.show_all()
    page.view.selectRow(0)
    page.user_button.click()
    assert page.model.total == 3 and {page.model.dto(r).user_name for r in range(3)} == {"Clinician"}
