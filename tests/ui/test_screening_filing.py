"""Filing a batch screening into the patients' charts from the Batch screening page: the plan first
(unmatched MRNs listed with their lines), one confirmed step on the worker pool, nothing filed on
Cancel, and the button only for those the access policy lets file (real SQLite file, real model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.domain.chart_dto import FilingProblem
from desktop.domain.enums import Role
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.patient_dto import PatientDraft
from desktop.services.screening_filing import NO_PATIENT
from desktop.ui.dialogs.screening_filing_dialog import ScreeningFilingDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.screening import NO_MRN_TIP, ScreeningPage
from desktop.ui.tablemodels.filing_problems_model import FilingProblemsModel
from desktop.ui.tablemodels.screening_model import SortRole
from desktop.ui.widgets.screening_table import fitted_widths
from tests.ui.layout_check import problems
from tests.ui.sample_predictions import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

HEADER = Path(__file__).resolve().parents[1] / "fixtures" / "wdbc_header.csv"


@pytest.fixture
def clinician_ctx(staff_ctx: Any) -> Any:
    return staff_ctx(Role.CLINICIAN)


@pytest.fixture
def patients(services: Any, clinician_ctx: Any) -> tuple[Any, Any]:
    register = services.patients.register
    token = clinician_ctx.token
    return (
        register(token, PatientDraft(given_names="Ann", family_name="Lee", mrn="100001")),
        register(token, PatientDraft(given_names="Bob", family_name="Ray", mrn="100002")),
    )


def _mrn_file(path: Path, rows: list[tuple[str, dict[str, float]]]) -> Path:
    lines = [",".join(["MRN", "id", *FEATURE_NAMES])]
    lines += [
        ",".join([mrn, f"case-{n}", *(str(f[k]) for k in FEATURE_NAMES)]) for n, (mrn, f) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def screened(tmp_path: Path, patients: tuple[Any, Any]) -> Path:
    """Two rows naming registered patients and one (line 4) naming nobody."""
    ann, bob = patients
    return _mrn_file(
        tmp_path / "clinic-screening.csv",
        [(ann.mrn, MALIGNANT_EXAMPLE), (bob.mrn, BENIGN_EXAMPLE), ("999999", BENIGN_EXAMPLE)],
    )


def _screened_page(qtbot: Any, ctx: Any, path: Path) -> ScreeningPage:
    page = ScreeningPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.screen_file(str(path))
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    assert page.report is not None
    return page


def _planned_dialog(qtbot: Any, page: ScreeningPage) -> ScreeningFilingDialog:
    assert page.file_button.isVisible() and page.file_button.isEnabled()
    page.file_button.click()
    dialog = page.filing_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    return dialog


def _filed(services: Any, token: str, patient: Any) -> list[Any]:
    return list(services.predictions.list(token, patient_id=patient.id).rows)


def test_plan_lists_the_unmatched_row_then_one_confirmation_files_two(
    qtbot: Any, services: Any, clinician_ctx: Any, patients: tuple[Any, Any], screened: Path
) -> None:
    page = _screened_page(qtbot, clinician_ctx, screened)
    dialog = _planned_dialog(qtbot, page)
    ann, bob = patients
    token = clinician_ctx.token

    unmatched = dialog.unmatched_model
    assert unmatched.rowCount() == 1 and dialog.other_model.rowCount() == 0
    assert [unmatched.data(unmatched.index(0, c)) for c in range(2)] == ["4", "999999"]  # its line, its MRN
    assert "2 results of 3 rows will be filed into 2 patients’ charts" in dialog.status.text()
    assert "1 whose MRN matches no patient" in dialog.plan_label.text()
    assert "not filed again" in dialog.refiling_label.text()
    assert dialog.file_button.text() == "File 2 results"
    assert _filed(services, token, ann) == _filed(services, token, bob) == []  # the plan writes nothing

    with qtbot.waitSignal(dialog.filed, timeout=30_000) as filed:
        dialog.file_button.click()
    result = filed.args[0]
    assert (result.filed, result.patients) == (2, 2)
    assert "Filed 2 predictions into 2 patients’ charts" in dialog.status.text()
    assert dialog.close_button.isVisible() and not dialog.file_button.isVisible()
    for patient, expected in ((ann, "Malignant"), (bob, "Benign")):
        (saved,) = _filed(services, token, patient)
        assert saved.prediction == expected
        assert saved.created_by == clinician_ctx.user.id
        assert saved.notes == f"Filed from the batch screening of {screened.name}"
    # once per run: the page does not offer to file the same results again
    assert not page.file_button.isEnabled() and "were filed into charts" in page.file_button.toolTip()
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_cancel_after_the_plan_files_nothing(
    qtbot: Any, services: Any, clinician_ctx: Any, patients: tuple[Any, Any], screened: Path
) -> None:
    page = _screened_page(qtbot, clinician_ctx, screened)
    dialog = _planned_dialog(qtbot, page)
    dialog.cancel_button.click()
    assert not dialog.isVisible()
    QApplication.processEvents()
    assert not clinician_ctx.runner.is_running()
    for patient in patients:
        assert _filed(services, clinician_ctx.token, patient) == []
    assert page.file_button.isEnabled()  # nothing was filed: it can still be done


def test_cancel_while_filing_rolls_everything_back(
    qtbot: Any, services: Any, clinician_ctx: Any, patients: tuple[Any, Any], tmp_path: Path
) -> None:
    ann, _ = patients
    big = _mrn_file(tmp_path / "many.csv", [(ann.mrn, BENIGN_EXAMPLE)] * 3000)
    page = _screened_page(qtbot, clinician_ctx, big)
    dialog = _planned_dialog(qtbot, page)
    dialog.file_button.click()
    assert dialog.working
    dialog.cancel_button.click()  # the window stays to say what happened
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.working, timeout=60_000)
    assert "nothing was filed" in dialog.status.text().lower()
    assert dialog.filing_result is None
    assert _filed(services, clinician_ctx.token, ann) == []


def test_a_file_without_mrn_column_cannot_be_filed_and_says_why(qtbot: Any, clinician_ctx: Any) -> None:
    page = _screened_page(qtbot, clinician_ctx, HEADER)
    assert page.file_button.isVisible() and not page.file_button.isEnabled()
    assert page.file_button.toolTip() == NO_MRN_TIP


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.PATIENT])
def test_reception_and_patients_do_not_get_the_button(
    qtbot: Any, staff_ctx: Any, screened: Path, role: Role
) -> None:
    page = _screened_page(qtbot, staff_ctx(role), screened)
    assert not page.file_button.isVisibleTo(page)
    page.file_into_charts()  # the slot refuses too, not only the hidden button
    assert page.filing_dialog is None


@pytest.mark.parametrize("size", [(1024, 700), (1366, 800)], ids=["1024x700", "1366x800"])
def test_clinicians_screening_page_and_filing_window_fit(
    qtbot: Any, clinician_ctx: Any, screened: Path, size: tuple[int, int]
) -> None:
    window = MainWindow(clinician_ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    page = window.show_page("screening")
    assert isinstance(page, ScreeningPage)
    page.screen_file(str(screened))
    qtbot.waitUntil(lambda: not clinician_ctx.runner.is_running(), timeout=30_000)
    QApplication.processEvents()
    assert page.file_button.isVisible()
    assert problems(window) == []
    dialog = _planned_dialog(qtbot, page)
    QApplication.processEvents()
    assert dialog.width() <= size[0] and dialog.height() <= size[1]
    assert problems(dialog) == []
    dialog.cancel_button.click()


def test_problems_model_passes_modeltester_and_sorts_by_line(qtmodeltester: Any) -> None:
    model = FilingProblemsModel()
    model.set_rows(
        [
            FilingProblem(3, "999999", NO_PATIENT, line=7),
            FilingProblem(1, "", "Enter the medical record number (MRN).", line=2),
        ]
    )
    qtmodeltester.check(model)
    model.sort(0)
    assert [model.data(model.index(r, 0)) for r in range(2)] == ["2", "7"]
    assert model.data(model.index(0, 1)) == "(none)"  # an empty MRN is said, not left blank
    assert model.data(model.index(1, 0), SortRole) == 7


def test_columns_shrink_widest_first_and_never_below_their_titles() -> None:
    assert fitted_widths([50, 200, 90], [40, 60, 80], 400) == [50, 200, 90]  # fits: unchanged
    assert fitted_widths([50, 200, 90, 300], [40, 60, 80, 100], 500) == [50, 180, 90, 180]
    assert fitted_widths([50, 200], [50, 190], 100) == [50, 190]  # too narrow: titles stay readable
