"""The patient list page (search as you type off the GUI thread, register dialog) and the patient
banner, as real widgets over a real SQLite file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.domain.enums import AllergyStatus, Role, Sex
from desktop.domain.patient_dto import AllergyInfo, PatientDraft, PatientDTO
from desktop.ui.pages.patients import PatientsPage
from desktop.ui.tablemodels.patients_model import PatientSearch, PatientsModel, SearchAnswer
from desktop.ui.widgets.patient_banner import PatientBanner


@pytest.fixture
def clinician_ctx(staff_ctx: Any) -> Any:
    return staff_ctx(Role.CLINICIAN)


def _page(qtbot: Any, ctx: Any) -> PatientsPage:
    page = PatientsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=10_000)
    return page


def _type(qtbot: Any, page: PatientsPage, text: str) -> list[str]:
    with qtbot.waitSignal(page.results_shown, timeout=10_000):
        page.search_box.setText(text)
    return [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]


def test_search_as_you_type_and_open(
    qtbot: Any, services: Any, clinician_ctx: Any, qtmodeltester: Any
) -> None:
    token = clinician_ctx.token
    for given, family, born in (
        ("María José", "García", "1945-07-14"),
        ("Ann", "Lee", None),
        ("Mario", "Gómez", None),
    ):
        services.patients.register(
            token, PatientDraft(given_names=given, family_name=family, date_of_birth=born)
        )
    page = _page(qtbot, clinician_ctx)
    assert page.model.rowCount() == 3
    assert page.status.text() == "3 patients: recently opened first, then the newest registered"
    qtmodeltester.check(page.model)
    assert _type(qtbot, page, "gar mar") == ["GARCÍA, María José"]
    assert page.status.text() == "1 patient matches"
    assert page.model.data(page.model.index(0, 1)).startswith("14-Jul-1945 (")
    assert page.model.data(page.model.index(0, 3)) == "MRN 000001"
    assert _type(qtbot, page, "14/07/1945") == ["GARCÍA, María José"]
    assert _type(qtbot, page, "MAR") == ["GARCÍA, María José", "GÓMEZ, Mario"]
    assert page.status.text() == "2 patients match"
    qtmodeltester.check(page.model)
    assert _type(qtbot, page, "zzz") == [] and page.status.text() == "No patient found"
    _type(qtbot, page, "lee")
    with qtbot.waitSignal(page.patient_chosen, timeout=5_000) as chosen:
        page.search_box.returnPressed.emit()
    assert chosen.args == [services.patients.search(token, "lee")[0].id]


def test_typing_keys_shows_the_answer_to_the_last_text_and_enter_or_double_click_opens(
    qtbot: Any, services: Any, clinician_ctx: Any
) -> None:
    token = clinician_ctx.token
    ann = services.patients.register(token, PatientDraft(given_names="Ann", family_name="Lee"))
    services.patients.register(token, PatientDraft(given_names="Anna", family_name="Leeds"))
    page = _page(qtbot, clinician_ctx)
    page.search_box.setFocus()
    with qtbot.waitSignal(page.results_shown, timeout=10_000):
        qtbot.keyClicks(page.search_box, "lee ann")  # one search, for the text after the pause
    qtbot.waitUntil(lambda: not clinician_ctx.runner.is_running(), timeout=10_000)
    assert page.status.text() == "2 patients match"
    assert page.selected() is not None and page.selected().id == ann.id  # the first row, for Enter
    with qtbot.waitSignal(page.patient_chosen, timeout=5_000) as chosen:
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert chosen.args == [ann.id]
    second = page.view.visualRect(page.model.index(1, 0)).center()
    with qtbot.waitSignal(page.patient_chosen, timeout=5_000) as chosen:
        # A double-click is a press, release, press, release: QTest's DClick alone is the second pair.
        qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=second)
        qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=second)
    assert chosen.args == [page.model.dto(1).id] and chosen.args != [ann.id]


def test_an_older_answer_never_replaces_a_newer_one(qtbot: Any, clinician_ctx: Any) -> None:
    page = _page(qtbot, clinician_ctx)
    page._show(page._asked - 1, SearchAnswer(PatientSearch("old text"), (), ()))
    assert page.status.text() != "No patient found"


def test_deactivated_patients_show_only_when_asked(qtbot: Any, services: Any, clinician_ctx: Any) -> None:
    token = clinician_ctx.token
    ann = services.patients.register(token, PatientDraft(given_names="Ann", family_name="Lee"))
    services.patients.deactivate(token, ann.id)
    page = _page(qtbot, clinician_ctx)
    assert _type(qtbot, page, "lee") == [] and page.status.text() == "No patient found"
    with qtbot.waitSignal(page.results_shown, timeout=10_000):
        page.inactive.setChecked(True)
    assert page.model.data(page.model.index(0, 0)) == "LEE, Ann (deactivated)"


def test_a_long_list_holds_ids_and_reads_rows_as_they_are_shown(
    qtbot: Any, services: Any, clinician_ctx: Any, qtmodeltester: Any
) -> None:
    token = clinician_ctx.token
    for i in range(PatientsModel.BATCH * 3 + 7):
        services.patients.register(token, PatientDraft(given_names=f"Given{i:03d}", family_name="Many"))
    page = _page(qtbot, clinician_ctx)
    total = PatientsModel.BATCH * 3 + 7
    with qtbot.waitSignal(page.results_shown, timeout=10_000):
        page.search_box.setText("many")
    QApplication.processEvents()  # the view paints its rows
    assert page.model.rowCount() == total and page.status.text() == f"{total} patients match"
    assert page.model.cached_rows == PatientsModel.BATCH  # the first batch, read with the ids
    page.view.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.data(page.model.index(total - 1, 0)) == "MANY, Given306")
    assert page.model.cached_rows < total
    qtmodeltester.check(page.model)


def test_register_dialog_shows_field_errors_then_registers(qtbot: Any, clinician_ctx: Any) -> None:
    page = _page(qtbot, clinician_ctx)
    assert page.can_register
    page.new_item()
    dialog = page._dialog
    qtbot.addWidget(dialog)
    dialog.form.given_names.setText("")
    dialog.form.date_of_birth.setText("31/02/1990")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.form.errors["given_names"].has_error(), timeout=10_000)
    assert dialog.form.errors["date_of_birth"].has_error() and dialog.isVisible()
    dialog.form.given_names.setText("Nora")
    dialog.form.family_name.setText("Quinn")
    dialog.form.date_of_birth.setText("02/03/1980")
    dialog.form.sex.setCurrentIndex(dialog.form.sex.findData("female"))
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save_button.click()
    assert saved.args[0].sex is Sex.FEMALE and saved.args[0].mrn == "000001"
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.search_box.text() == "000001", timeout=10_000)


def test_reception_registers_and_a_patient_cannot(qtbot: Any, staff_ctx: Any, signed_in_ctx: Any) -> None:
    reception = staff_ctx(Role.RECEPTION)
    assert _page(qtbot, reception).can_register
    patient_page = _page(qtbot, signed_in_ctx)
    assert (
        not patient_page.can_register and "only available to the clinic's staff" in patient_page.status.text()
    )


def _patient(**changes: Any) -> PatientDTO:
    values: dict[str, Any] = dict(
        id="p1", mrn="000123", name="María José García López", family_name="García López",
        given_names="María José", date_of_birth=dt.date(1945, 7, 14), sex=Sex.FEMALE, phone="", email=None,
        emergency_contact="", is_active=True, has_portal_access=False,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), version=1,
    )  # fmt: skip
    values.update(changes)
    return PatientDTO(**values)


def test_banner_follows_the_patient_banner_conventions(qtbot: Any) -> None:
    banner = PatientBanner()
    qtbot.addWidget(banner)
    assert banner.name.text() == "No patient selected"
    today = dt.date(2026, 11, 29)
    nka = AllergyInfo(AllergyStatus.NONE_KNOWN, "", dt.date(2026, 11, 2), 1)
    banner.set_patient(_patient(), nka, today)
    assert banner.name.text() == "GARCÍA LÓPEZ, María José"
    assert banner.born.text() == "14-Jul-1945 (81y)"
    assert banner.gender.text() == "Female" and banner.mrn.text() == "MRN 000123"
    assert banner.allergies.text() == "No known allergies (checked 02-Nov-2026)"
    banner.set_patient(_patient(), AllergyInfo(AllergyStatus.RECORDED, "Penicillin", today, 2), today)
    assert banner.allergies.text() == "Penicillin"
    banner.set_patient(
        _patient(family_name=None, name="Pat Doe", date_of_birth=None, sex=Sex.UNKNOWN),
        AllergyInfo(AllergyStatus.NOT_RECORDED, "", None, 1),
        today,
    )
    assert banner.name.text() == "Pat Doe" and banner.born.text() == "Not known"
    assert banner.gender.text() == "Not known" and banner.allergies.text() == "Not recorded"
    banner.set_patient(_patient(), None, today)
    assert banner.allergies.text() == "Not shown to your role"


def test_banner_from_an_opened_chart(qtbot: Any, services: Any, clinician_ctx: Any) -> None:
    token = clinician_ctx.token
    ann = services.patients.register(token, PatientDraft(given_names="Ann", family_name="Lee", mrn="A-1"))
    services.patients.set_allergies(token, ann.id, "recorded", "Latex")
    header = services.patients.open_chart(token, ann.id)
    banner = PatientBanner()
    qtbot.addWidget(banner)
    banner.set_patient(header.patient, header.allergies)
    assert (banner.name.text(), banner.mrn.text(), banner.allergies.text()) == (
        "LEE, Ann",
        "MRN A-1",
        "Latex",
    )
