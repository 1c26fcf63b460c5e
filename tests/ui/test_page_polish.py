"""What a clinic's staff see on every page: a heading, a helpful empty state, a readable database
location, a labelled notes box."""

from __future__ import annotations

from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

from desktop.domain.enums import Role
from desktop.settings import Settings, database_location
from desktop.ui.context import UiContext
from desktop.ui.dialogs.prediction_detail import PredictionDetailDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.new_prediction import NewPredictionPage
from desktop.ui.pages.prediction_history import EMPTY_TEXT, PredictionHistoryPage
from desktop.ui.pages.records import RecordsPage
from tests.ui.sample_predictions import save_predictions


def _headings(page: Any) -> list[str]:
    return [label.text() for label in page.findChildren(QLabel) if label.objectName() == "PageTitle"]


def test_every_page_has_its_heading(qtbot: Any, admin_ctx: Any, two_patients: Any) -> None:
    window = MainWindow(admin_ctx)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):  # the chart pages too
        window.choose_patient(two_patients[0].id)
    for key in window.page_keys():
        page = window.show_page(key)
        assert _headings(page) == [page.title], key
    qtbot.waitUntil(lambda: not admin_ctx.runner.is_running(), timeout=10_000)


def test_history_without_predictions_says_what_to_do(qtbot: Any, signed_in_ctx: Any, services: Any) -> None:
    page = PredictionHistoryPage(signed_in_ctx)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=10_000)
    assert page.content.currentWidget() is page.empty_label
    assert page.empty_label.text() == EMPTY_TEXT
    assert page.empty_label.isVisible() and not page.chart.isVisible()

    save_predictions(services, signed_in_ctx.token, [0.02, 0.9])
    page.refresh()
    assert page.content.currentWidget() is page.splitter and page.chart.isVisible()
    page.risk_filter.setCurrentIndex(page.risk_filter.findData("Medium"))
    assert page.model.rowCount() == 0
    assert page.empty_label.text() == "No saved predictions with medium risk."


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:////srv/clinic/clinic.db", "/srv/clinic/clinic.db"),
        ("sqlite:///relative/clinic.db?mode=ro", "relative/clinic.db"),
        (
            "postgresql+psycopg://desk:s3cret@db.clinic.lan:5432/clinic",
            "postgresql+psycopg://desk:***@db.clinic.lan:5432/clinic",
        ),
    ],
)
def test_database_location_is_a_path_or_a_url_without_password(url: str, shown: str) -> None:
    assert database_location(url) == shown
    assert UiContext(None, Settings(database_url=url), None).database_label == shown  # type: ignore[arg-type]


def test_status_bar_shows_the_sqlite_file(qtbot: Any, signed_in_ctx: Any, ui_db_url: str) -> None:
    window = MainWindow(signed_in_ctx)
    qtbot.addWidget(window)
    assert window.db_label.text() == "Database: " + ui_db_url.split(":///", 1)[1]
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=10_000)


def test_notes_box_has_a_label(qtbot: Any, signed_in_ctx: Any) -> None:

    page = NewPredictionPage(signed_in_ctx)
    qtbot.addWidget(page)
    buddies = [label for label in page.findChildren(QLabel) if label.buddy() is page.notes_edit]
    assert [label.text() for label in buddies] == ["&Notes:"]


def test_prediction_pages_load_the_first_time_they_are_shown(
    qtbot: Any, signed_in_ctx: Any, services: Any
) -> None:
    save_predictions(services, signed_in_ctx.token, [0.02, 0.9])
    window = MainWindow(signed_in_ctx)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.chart_opened, timeout=10_000):  # the patient's own chart
        window.show()
    history = window.show_page("prediction_history")
    assert history.model.rowCount() == 2 and history.count_label.text() == "2 saved predictions"
    form_page = window.show_page("new_prediction")
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=20_000)
    assert form_page._card is not None and history._card is not None  # ranges and units arrived


def test_double_click_on_a_record_opens_one_dialog(qtbot: Any, signed_in_ctx: Any) -> None:

    page = RecordsPage(signed_in_ctx)
    qtbot.addWidget(page)
    page.show()
    opened: list[Any] = []
    page.open_dialog = opened.append  # type: ignore[method-assign]
    centre = page.view.visualRect(page.model.index(0, 1)).center()
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert len(opened) == 1
    qtbot.keyClick(page.view, Qt.Key.Key_Return)  # the keyboard way opens it too
    assert len(opened) == 2


def test_enter_opens_a_saved_prediction(qtbot: Any, signed_in_ctx: Any, services: Any) -> None:

    save_predictions(services, signed_in_ctx.token, [0.9])
    page = PredictionHistoryPage(signed_in_ctx)
    qtbot.addWidget(page)
    page.show()
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialogs = page.findChildren(PredictionDetailDialog)
    assert len(dialogs) == 1
    for dialog in dialogs:
        dialog.close()
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=10_000)


def test_a_result_for_a_closed_dialog_is_dropped(qtbot: Any, runner: Any) -> None:
    """A dialog closed (and deleted) while its job ran: the result must not reach the dead widget."""

    class Waiting(QDialog):
        def show_result(self, value: Any) -> None:
            self.setWindowTitle(str(value))  # RuntimeError if the C++ object is gone

    dialog = Waiting()
    with qtbot.waitSignal(runner.job_finished, timeout=5000):
        runner.run(lambda: 42, on_done=dialog.show_result, on_error=dialog.show_result)
        shiboken6.delete(dialog)  # what WA_DeleteOnClose does once the dialog is closed
    delivered: list[Any] = []
    with qtbot.waitSignal(runner.job_finished, timeout=5000):
        runner.run(lambda: 7, on_done=delivered.append)
    assert delivered == [7]


def test_empty_records_page_says_how_to_add_one(qtbot: Any, staff_ctx: Any, two_patients: Any) -> None:

    page = RecordsPage(staff_ctx(Role.CLINICIAN), two_patients[0])  # a patient without records
    qtbot.addWidget(page)
    assert page.count_label.text() == "No records yet. Press New… (Ctrl+N) to add one."
    page.search.setText("biopsy")
    page.apply_filter()
    assert page.count_label.text() == "No records match the search."


def test_sort_indicator_and_service_order_agree(qtbot: Any, signed_in_ctx: Any) -> None:
    """Newest first: the header says Descending (Qt's Fusion style draws that as an up arrow, its
    convention for every view) and the service was asked for descending dates."""

    page = RecordsPage(signed_in_ctx)
    qtbot.addWidget(page)
    header = page.view.horizontalHeader()
    assert header.sortIndicatorSection() == 0
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert page.model.query.descending
    dates = [page.model.dto(r).date for r in range(page.model.rowCount())]
    assert dates == sorted(dates, reverse=True)
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # a click on the header does this
    assert not page.model.query.descending
    assert [page.model.dto(r).date for r in range(page.model.rowCount())] == sorted(dates)


def test_closing_a_prediction_with_unsaved_notes_asks_first(
    qtbot: Any, signed_in_ctx: Any, services: Any, no_dialogs: Any
) -> None:
    save_predictions(services, signed_in_ctx.token, [0.9])
    page = PredictionHistoryPage(signed_in_ctx)
    qtbot.addWidget(page)
    dialog = page.open_prediction(page.model.dto(0))
    dialog.reject()  # nothing typed: closes without a question
    assert not dialog.isVisible() and no_dialogs.messages("confirm") == []
    dialog = page.open_prediction(page.model.dto(0))
    dialog.notes_edit.setPlainText("Call the patient back.")
    no_dialogs.answer = False
    dialog.reject()
    assert dialog.isVisible()
    assert "not saved" in no_dialogs.messages("confirm")[-1]
    dialog.save_notes()
    qtbot.waitUntil(lambda: not signed_in_ctx.runner.is_running(), timeout=10_000)
    dialog.reject()  # saved now: closes at once
    assert not dialog.isVisible() and len(no_dialogs.messages("confirm")) == 1
