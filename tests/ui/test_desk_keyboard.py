"""Keyboard and files at the desk, on real widgets over a real SQLite file: Delete removes the
selected row after the usual question, Alt+D answers it, dates are typed, Ctrl+Enter predicts and
Ctrl+S saves on the prediction page, and file dialogs open in the documents or the last folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.record_dialog import RecordDialog
from desktop.ui.main_window import MainWindow


def _active_window(qtbot: Any, ctx: Any, page: str) -> MainWindow:
    """The main window on ``page`` of the signed-in patient's own chart (opened on a worker thread)."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):
        window.show()
    window.show_page(page)
    with qtbot.waitActive(window):
        window.activateWindow()
    return window


def _idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.is_running(), timeout=10_000)


def test_the_delete_key_removes_the_selected_row_after_asking(
    qtbot: Any, signed_in_ctx: Any, no_dialogs: Any
) -> None:
    window = _active_window(qtbot, signed_in_ctx, "records")
    page = window.page("records")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)
    page.view.selectRow(0)
    page.view.setFocus()
    no_dialogs.answer = False
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert len(no_dialogs.messages("confirm")) == 1 and page.model.rowCount() == 3  # asked, kept
    no_dialogs.answer = True
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert page.model.total == 2


def test_the_delete_key_edits_text_in_the_search_box(qtbot: Any, signed_in_ctx: Any, no_dialogs: Any) -> None:
    window = _active_window(qtbot, signed_in_ctx, "records")
    search = window.page("records").search
    search.setFocus()
    qtbot.keyClicks(search, "Mammo")
    search.setCursorPosition(0)
    qtbot.keyClick(search, Qt.Key.Key_Delete)
    assert search.text() == "ammo" and no_dialogs.messages("confirm") == []
    _idle(qtbot, signed_in_ctx)


def test_alt_d_confirms_a_delete_question(qtbot: Any) -> None:
    seen: list[str] = []
    poll = QTimer()
    poll.setInterval(20)

    def press_alt_d() -> None:  # once the question is on screen (its own event loop runs this)
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            poll.stop()
            seen.extend(button.text() for button in box.buttons())
            qtbot.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)

    poll.timeout.connect(press_alt_d)
    poll.start()
    assert prompts.confirm(None, "Delete the record?", yes_label="Delete", destructive=True) is True
    assert sorted(seen) == ["&Cancel", "&Delete"]


def test_dates_can_be_typed_and_the_calendar_stays(qtbot: Any, signed_in_ctx: Any) -> None:
    dialog = RecordDialog(signed_in_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    date = dialog.date
    assert date.calendarPopup()
    date.setFocus()
    qtbot.keyClicks(date, "2026-03-15")  # focus starts at the year
    assert date.date() == QDate(2026, 3, 15)
    date.lineEdit().setCursorPosition(9)  # clicked into the day, then everything selected
    date.lineEdit().selectAll()
    qtbot.keyClicks(date, "2025-12-01")
    assert date.date() == QDate(2025, 12, 1)
    date.lineEdit().selectAll()
    qtbot.keyClicks(date, "20240229")  # without separators
    assert date.date() == QDate(2024, 2, 29)


def test_a_date_filter_showing_any_can_be_typed_over(qtbot: Any, admin_ctx: Any) -> None:
    from desktop.ui.pages.audit import _date_edit

    edit = _date_edit("From")
    qtbot.addWidget(edit)
    edit.show()
    assert edit.text() == "Any"
    edit.setFocus()
    qtbot.keyClicks(edit, "2026-01-31")
    assert edit.date() == QDate(2026, 1, 31)


def test_ctrl_enter_predicts_and_ctrl_s_saves(qtbot: Any, signed_in_ctx: Any, services: Any) -> None:
    window = _active_window(qtbot, signed_in_ctx, "new_prediction")
    page = window.page("new_prediction")
    qtbot.waitUntil(lambda: page._card is not None, timeout=30_000)
    page.form.load_sample(page.form.sample_names[0])  # the benign example: in range, no question
    qtbot.keyClick(page.form.edit_for("radius_mean"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.result is not None, timeout=30_000)
    with qtbot.waitSignal(page.prediction_saved, timeout=10_000) as saved:
        qtbot.keyClick(page.form.edit_for("radius_mean"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert services.predictions.get(signed_in_ctx.token, saved.args[0]).prediction == "Benign"


def test_file_dialogs_open_in_the_documents_folder_then_the_last_one(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    opened: list[str] = []

    def fake_save(_parent: Any, _caption: str, proposed: str, _filter: str) -> tuple[str, str]:
        opened.append(proposed)
        return str(tmp_path / "chosen" / "report.pdf"), ""

    (tmp_path / "chosen").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected_start = documents if Path(documents).is_dir() else str(Path.home())
    assert prompts.save_file(None, "Save report as PDF", "PDF files (*.pdf)", "report.pdf")
    assert Path(opened[0]) == Path(expected_start) / "report.pdf"
    assert Path(opened[0]).parent != Path.cwd() or Path.cwd() == Path(expected_start)
    prompts.save_file(None, "Save report as PDF", "PDF files (*.pdf)", "next.pdf")
    assert Path(opened[1]) == tmp_path / "chosen" / "next.pdf"  # the folder used last time
