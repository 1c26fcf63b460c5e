"""Batch screening page with the real model and the real CSV reader: results, bad rows, agreement,
export, cancel, unreadable file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPersistentModelIndex, Qt

from desktop.services.screening import ScreeningService
from desktop.ui.pages.screening import ScreeningPage
from desktop.ui.tablemodels.screening_model import RejectedRowsModel, ScreeningResultsModel, SortRole

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MIXED = FIXTURES / "wdbc_mixed.csv"
HEADER = FIXTURES / "wdbc_header.csv"


def _page(qtbot: Any, ctx: Any) -> ScreeningPage:
    page = ScreeningPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def _screen(qtbot: Any, page: ScreeningPage, path: Path) -> None:
    page.screen_file(str(path))
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)


def test_table_models_pass_modeltester(qtmodeltester: Any) -> None:
    report = ScreeningService().screen_file(MIXED)
    assert report.results and report.rejected
    results, rejected = ScreeningResultsModel(), RejectedRowsModel()
    results.set_rows(report.results)
    rejected.set_rows(report.rejected)
    qtmodeltester.check(results)
    qtmodeltester.check(rejected)
    first = report.results[0]
    assert results.data(results.index(0, 0)) == str(first.line)
    assert results.data(results.index(0, 3), SortRole) == first.probability_malignant
    assert rejected.data(rejected.index(0, 2)) == report.rejected[0].reason


def test_screen_mixed_file_shows_results_bad_rows_and_agreement(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    expected = ScreeningService().screen_file(MIXED)
    page = _page(qtbot, signed_in_ctx)
    no_dialogs.file = str(MIXED)
    page.choose_button.click()
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    report = page.report
    assert report is not None
    assert page.results_model.rowCount() == expected.predicted
    assert page.rejected_model.rowCount() == len(expected.rejected)
    assert page.tabs.tabText(1) == f"Rejected rows ({len(expected.rejected)})"
    lines = {page.rejected_model.data(page.rejected_model.index(r, 0)) for r in range(len(expected.rejected))}
    assert lines == {str(r.line) for r in expected.rejected}
    assert f"{expected.rows_read} row(s) read" in page.summary.text()
    assert expected.agreement is not None
    assert page.agreement_box.isVisible()
    assert page.accuracy_label.text() == f"{expected.agreement.accuracy:.1%}"
    tp_fn, fp_tn = expected.agreement.confusion_matrix
    assert [page.matrix_labels[0][0].text(), page.matrix_labels[1][1].text()] == [
        str(tp_fn[0]),
        str(fp_tn[1]),
    ]
    assert no_dialogs.messages("error") == []


def test_header_file_without_diagnoses_hides_agreement(
    qtbot: Any, signed_in_ctx: Any, tmp_path: Path
) -> None:
    rows = list(csv.reader(HEADER.open()))
    header = rows[0]
    keep = [i for i, name in enumerate(header) if name.lower() not in ("diagnosis",)]
    target = tmp_path / "no_diagnosis.csv"
    with target.open("w", newline="") as handle:
        csv.writer(handle).writerows([[row[i] for i in keep] for row in rows])
    page = _page(qtbot, signed_in_ctx)
    _screen(qtbot, page, target)
    assert page.report is not None and page.report.agreement is None
    assert not page.agreement_box.isVisible()
    assert page.results_model.rowCount() == page.report.predicted > 0


def test_export_writes_every_row(qtbot: Any, signed_in_ctx: Any, tmp_path: Path, no_dialogs: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    _screen(qtbot, page, MIXED)
    target = tmp_path / "out.csv"
    no_dialogs.file = str(target)
    page.export_button.click()
    qtbot.waitUntil(lambda: "exported" in page.file_label.text(), timeout=10_000)
    written = list(csv.reader(target.open()))
    assert len(written) == 1 + page.report.predicted + len(page.report.rejected)
    assert written[0][:3] == ["line", "id", "status"]


def test_cancel_keeps_nothing(qtbot: Any, signed_in_ctx: Any, tmp_path: Path, no_dialogs: Any) -> None:
    good = next(line for line in MIXED.read_text().splitlines() if line.count(",") == 31)
    big = tmp_path / "big.csv"
    big.write_text("\n".join([good] * 40_000) + "\n")
    page = _page(qtbot, signed_in_ctx)
    page.screen_file(str(big))
    assert page.running and page.cancel_button.isEnabled() and not page.choose_button.isEnabled()
    page.cancel_button.click()
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    assert page.report is None
    assert page.results_model.rowCount() == 0
    assert "cancelled" in page.file_label.text().lower()
    assert no_dialogs.messages("error") == []
    assert not page.export_button.isEnabled()


def test_unreadable_file_is_a_message(
    qtbot: Any, signed_in_ctx: Any, tmp_path: Path, no_dialogs: Any
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    page = _page(qtbot, signed_in_ctx)
    _screen(qtbot, page, empty)
    assert page.report is None
    messages = no_dialogs.messages("error")
    assert len(messages) == 1 and "empty" in messages[0] and "Traceback" not in messages[0]


def test_model_sorts_itself_and_keeps_persistent_indexes(qapp: Any) -> None:

    report = ScreeningService().screen_file(MIXED)
    model = ScreeningResultsModel()
    model.set_rows(report.results)
    first = model.row_at(0)
    kept = QPersistentModelIndex(model.index(0, 1))
    model.sort(3, Qt.SortOrder.DescendingOrder)
    probabilities = [model.row_at(r).probability_malignant for r in range(model.rowCount())]
    assert probabilities == sorted(probabilities, reverse=True)
    assert model.row_at(kept.row()) is first  # the selection follows its row
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(r).line for r in range(model.rowCount())] == sorted(r.line for r in report.results)
    model.set_rows(report.results[::-1])  # new rows keep the chosen order
    assert [model.row_at(r).line for r in range(model.rowCount())] == sorted(r.line for r in report.results)
