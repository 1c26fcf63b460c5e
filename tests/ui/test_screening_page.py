"""Batch screening page with the real model and the real CSV reader: results, bad rows, agreement,
export, cancel, unreadable file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPersistentModelIndex, Qt

from desktop.services.screening import ScreeningService
from desktop.ui.pages.screening import ScreeningPage
from desktop.ui.tablemodels.screening_model import (
    COL_OUT_OF_RANGE,
    RejectedRowsModel,
    ScreeningResultsModel,
    SortRole,
)

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
    report = ScreeningService().screen_file(MIXED, keep_rows=True)
    assert report.results is not None and len(report.results) and report.rejected
    results, rejected = ScreeningResultsModel(), RejectedRowsModel()
    results.set_rows(report.results)
    rejected.set_rows(report.rejected)
    qtmodeltester.check(results)
    qtmodeltester.check(rejected)
    results.sort(3, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(results)
    results.sort(0, Qt.SortOrder.AscendingOrder)
    first = report.results.row(0)
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
    assert sorted(tmp_path.iterdir()) == sorted(p for p in tmp_path.iterdir() if p.name != "out.csv")


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
    report = ScreeningService().screen_file(MIXED, keep_rows=True)
    table = report.results
    assert table is not None
    lines = sorted(table.row(i).line for i in range(len(table)))
    model = ScreeningResultsModel()
    model.set_rows(table)
    first = model.row_at(0)
    kept = QPersistentModelIndex(model.index(0, 1))
    model.sort(3, Qt.SortOrder.DescendingOrder)
    probabilities = [model.row_at(r).probability_malignant for r in range(model.rowCount())]
    assert probabilities == sorted(probabilities, reverse=True)
    assert model.row_at(kept.row()) == first  # the selection follows its row
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(r).line for r in range(model.rowCount())] == lines
    model.sort(COL_OUT_OF_RANGE, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).case_id == "far-out"
    model.set_rows(table)  # new rows keep the chosen order
    assert model.row_at(0).case_id == "far-out"


def test_out_of_range_measurements_are_named(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    page = _page(qtbot, signed_in_ctx)
    _screen(qtbot, page, MIXED)
    model = page.results_model
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 1)) == "far-out")
    assert model.data(model.index(row, COL_OUT_OF_RANGE)) == "Area (mean)"
    assert "not reliable" in model.data(model.index(row, COL_OUT_OF_RANGE), Qt.ItemDataRole.ToolTipRole)
    assert "value(s)" not in page.summary.text() and "Out of range column" in page.summary.text()


def test_progress_is_a_percentage_and_a_new_run_clears_the_summary(
    qtbot: Any, signed_in_ctx: Any, tmp_path: Path, no_dialogs: Any
) -> None:
    page = _page(qtbot, signed_in_ctx)
    _screen(qtbot, page, MIXED)
    assert page.summary.text() and page.agreement_box.isVisible()
    formats: list[str] = []
    original = page._progressed

    def record(value: tuple[int, int]) -> None:
        original(value)
        formats.append(page.progress.text())

    page._progressed = record  # type: ignore[method-assign]
    good = next(line for line in MIXED.read_text().splitlines() if line.count(",") == 31)
    big = tmp_path / "big.csv"
    big.write_text("\n".join([good] * 60_000) + "\n")
    page.screen_file(str(big))
    assert page.summary.text() == "" and not page.agreement_box.isVisible()  # cleared at the start
    assert page.results_model.rowCount() == 0 and page.tabs.tabText(1) == "Rejected rows"
    qtbot.waitUntil(lambda: not page.running, timeout=60_000)
    assert formats[0] == "0% of the file" and formats[-1] == "100% of the file"
    assert len(formats) > 2 and all(f.endswith("% of the file") for f in formats)
    assert page.results_model.rowCount() == 60_000
    assert "60,000 row(s) read" in page.summary.text()
    assert page.report is not None and page.report.results is not None
    assert page.report.results.nbytes < 40 * 60_000  # a compact table, not 60,000 row objects


def test_out_of_range_column_is_on_screen_at_1024_by_700(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    page = _page(qtbot, signed_in_ctx)
    page.resize(1024 - 200, 700 - 60)  # the page's share of a 1024x700 window beside the navigation
    _screen(qtbot, page, MIXED)
    qtbot.waitUntil(lambda: page.results_view.isVisible())
    header = page.results_view.horizontalHeader()
    last = header.count() - 1
    right = header.sectionViewportPosition(last) + header.sectionSize(last)
    assert header.sectionViewportPosition(last) >= 0
    assert right <= page.results_view.viewport().width()
    needed = page.results_view.fontMetrics().horizontalAdvance("Out of range")
    assert header.sectionSize(last) >= needed
