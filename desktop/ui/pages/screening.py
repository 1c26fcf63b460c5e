"""Batch screening page: choose a CSV file, watch it being screened, read the results, export them.

The run happens on a worker thread (desktop.services.screening), which streams the file: progress is
the share of the file's bytes read, the cancel flag is checked between blocks of a few MB, so a large
file never freezes the window and Cancel is prompt. A cancelled run keeps nothing. The results table
reads its rows from the run's compact table (a million rows are a few tens of MB, not a million
objects). Rows the service refused are listed with their line number and reason; when the file
carries diagnoses, agreement figures and the confusion matrix are shown. Nothing is saved to the
database: a screening is a report, and Export copies the run's finished results file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.screening import ScreeningCancelledError, ScreeningReport
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.tablemodels.screening_model import RejectedRowsModel, ScreeningResultsModel

JOB_KEY = "screening"
#: Widest a results column may start (wider text is elided and in the tooltip), so that the last
#: column, "Out of range", stays on screen in a 1024-pixel window.
MAX_COLUMN_WIDTH = 140


def _percent(value: float | None) -> str:
    """An observed proportion (e.g. 6 of 6 = 100.0%), unlike a model probability (formatting.percent)."""
    return "-" if value is None else f"{value:.1%}"


class ScreeningPage(QWidget):
    title = "Batch screening"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._report: ScreeningReport | None = None
        self._cancel = threading.Event()

        self.choose_button = QPushButton("Choose CSV file…")
        self.choose_button.setAccessibleName("Choose a CSV file to screen")
        self.choose_button.clicked.connect(self.choose_file)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the screening")
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button = QPushButton("Export results…")
        self.export_button.setAccessibleName("Export the screening results to a CSV file")
        self.export_button.clicked.connect(self.export)
        self.file_label = QLabel(
            "No file chosen. Accepted: the UCI wdbc.data layout (id, diagnosis M/B "
            "optional, 30 values, no header) or a header naming the 30 measurements."
        )
        self.file_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Share of the file screened")
        self.progress.setVisible(False)
        self.summary = QLabel()
        self.summary.setObjectName("screeningSummary")
        self.summary.setWordWrap(True)

        self.agreement_box = QGroupBox("Agreement with the diagnoses in the file")
        grid = QGridLayout(self.agreement_box)
        self.accuracy_label, self.sensitivity_label, self.specificity_label = QLabel(), QLabel(), QLabel()
        grid.addWidget(QLabel("Accuracy:"), 0, 0)
        grid.addWidget(self.accuracy_label, 0, 1)
        grid.addWidget(QLabel("Sensitivity (malignant found):"), 1, 0)
        grid.addWidget(self.sensitivity_label, 1, 1)
        grid.addWidget(QLabel("Specificity (benign found):"), 2, 0)
        grid.addWidget(self.specificity_label, 2, 1)
        self.matrix_labels = [[QLabel(), QLabel()], [QLabel(), QLabel()]]
        grid.addWidget(QLabel("<b>Confusion matrix</b>"), 0, 3)
        grid.addWidget(QLabel("predicted Malignant"), 0, 4)
        grid.addWidget(QLabel("predicted Benign"), 0, 5)
        for r, caption in enumerate(("actual Malignant", "actual Benign")):
            grid.addWidget(QLabel(caption), r + 1, 3)
            for c in range(2):
                label = self.matrix_labels[r][c]
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(label, r + 1, 4 + c)
        grid.setColumnMinimumWidth(2, 30)
        grid.setColumnStretch(6, 1)
        self.agreement_box.setVisible(False)

        self.results_model = ScreeningResultsModel(self)
        self.rejected_model = RejectedRowsModel(self)
        self.results_view = self._table(self.results_model, "Screening results")
        self.rejected_view = self._table(self.rejected_model, "Rows that could not be screened")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.results_view, "Results")
        self.tabs.addTab(self.rejected_view, "Rejected rows")

        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        bar = QHBoxLayout()
        bar.addWidget(self.choose_button)
        bar.addWidget(self.cancel_button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(bar)
        layout.addWidget(self.file_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.agreement_box)
        layout.addWidget(self.tabs, 1)
        self._update_buttons()

    def _table(self, model: Any, name: str) -> QTableView:
        view = QTableView()
        view.setModel(model)  # the model sorts itself: a proxy is far too slow for 100k rows
        view.setSortingEnabled(True)
        view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        view.horizontalHeader().setStretchLastSection(True)
        view.setAccessibleName(name)
        self._fit_columns(view)  # empty: as wide as the headers ("Diagnosis in file" was clipped)
        return view

    @staticmethod
    def _fit_columns(view: QTableView) -> None:
        """Columns as wide as their contents and titles, but none so wide that it pushes the last one
        off screen; the last one takes what is left (long lists are elided, the tooltip has them).

        Not resizeColumnsToContents: it reserves room for a sort arrow in every title, which alone
        pushed "Out of range" past the edge of a 1024-pixel window."""
        header = view.horizontalHeader()
        metrics = header.fontMetrics()
        model = view.model()
        last = header.count() - 1
        for column in range(last + 1):
            # + room for the margins and the sort arrow, which Qt draws inside the title
            title = metrics.horizontalAdvance(str(model.headerData(column, Qt.Orientation.Horizontal))) + 28
            if column == last:
                header.resizeSection(column, title)
            else:
                header.resizeSection(
                    column, min(max(view.sizeHintForColumn(column), title), MAX_COLUMN_WIDTH)
                )

    @property
    def report(self) -> ScreeningReport | None:
        return self._report

    @property
    def running(self) -> bool:
        return self._ctx.runner.is_running(JOB_KEY)

    # --- run ---------------------------------------------------------------------------------------

    @Slot()
    def choose_file(self) -> None:
        path = prompts.open_file(
            self, "Choose a CSV file to screen", "CSV files (*.csv *.data *.txt);;All files (*)"
        )
        if path:
            self.screen_file(path)

    def screen_file(self, path: str) -> None:
        """Screen ``path`` on a worker thread (ignored while a run is going)."""
        if self.running:
            return
        self._clear()
        self._cancel = threading.Event()
        cancel, service = self._cancel, self._ctx.services.screening

        def work(progress: Callable[[tuple[int, int]], None]) -> ScreeningReport:
            return service.screen_file(
                path, keep_rows=True, progress=lambda done, total: progress((done, total)), cancel=cancel
            )

        self.file_label.setText(f"Screening {path}…")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("0% of the file")
        self.progress.setVisible(True)
        self._ctx.runner.run_with_progress(
            work, on_done=self._finished, on_error=self._failed, on_progress=self._progressed, key=JOB_KEY
        )
        self._update_buttons()

    def _clear(self) -> None:
        """Forget the previous run: its summary, figures and rows (and its temporary results file)."""
        self._ctx.services.screening.discard(self._report)
        self._report = None
        self.summary.clear()
        self.agreement_box.setVisible(False)
        self.results_model.set_rows(None)
        self.rejected_model.set_rows(())
        self.tabs.setTabText(0, "Results")
        self.tabs.setTabText(1, "Rejected rows")
        self.tabs.setCurrentIndex(0)

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()
        self.file_label.setText("Cancelling…")

    def _progressed(self, value: tuple[int, int]) -> None:
        done, total = value
        share = done / total if total else 1.0
        self.progress.setValue(round(share * 1000))
        self.progress.setFormat(f"{share:.0%} of the file")

    def _finished(self, report: ScreeningReport) -> None:
        self.progress.setVisible(False)
        self._report = report
        self.file_label.setText(f"File: {report.source}")
        self.results_model.set_rows(report.results)
        self.rejected_model.set_rows(report.rejected)
        for view in (self.results_view, self.rejected_view):
            self._fit_columns(view)
        self.tabs.setTabText(0, f"Results ({report.predicted:,})")
        self.tabs.setTabText(1, f"Rejected rows ({report.rejected_count:,})")
        risk = report.risk
        parts = [
            f"{report.rows_read:,} row(s) read, {report.predicted:,} predicted "
            f"({report.malignant:,} malignant; risk low {risk.low:,}, medium {risk.medium:,}, "
            f"high {risk.high:,}), {report.rejected_count:,} rejected."
        ]
        if report.rejected_count > len(report.rejected):
            parts.append(f"The first {len(report.rejected):,} rejected rows are listed; the export has all.")
        if report.out_of_range_rows:
            parts.append(
                f"{report.out_of_range_rows:,} predicted row(s) have measurements outside the training "
                "range (named in the Out of range column): those predictions are not reliable."
            )
        if report.ignored_columns:
            parts.append("Columns ignored: " + ", ".join(report.ignored_columns) + ".")
        parts.append(f"Model {report.model_version}. Decision support, not a diagnosis.")
        self.summary.setText(" ".join(parts))
        self._show_agreement(report)
        if report.rejected_count and not report.predicted:
            self.tabs.setCurrentIndex(1)
        self._update_buttons()

    def _show_agreement(self, report: ScreeningReport) -> None:
        a = report.agreement
        self.agreement_box.setVisible(a is not None)
        if a is None:
            return
        self.agreement_box.setTitle(f"Agreement with the diagnoses in the file ({a.total:,} rows)")
        self.accuracy_label.setText(_percent(a.accuracy))
        self.sensitivity_label.setText(_percent(a.sensitivity))
        self.specificity_label.setText(_percent(a.specificity))
        for r, row in enumerate(a.confusion_matrix):
            for c, value in enumerate(row):
                self.matrix_labels[r][c].setText(f"{value:,}")

    def _failed(self, error: BaseException) -> None:
        self.progress.setVisible(False)
        if isinstance(error, ScreeningCancelledError):
            self.file_label.setText(error.message)
        else:
            self.file_label.setText("The file could not be screened.")
            prompts.error(self, user_message(error, already_logged=True), "Batch screening")
        self._update_buttons()

    # --- export ------------------------------------------------------------------------------------

    @Slot()
    def export(self) -> None:
        report = self._report
        if report is None:
            return
        default = f"{Path(report.source).stem}-screened.csv"
        path = prompts.save_file(self, "Export screening results", "CSV files (*.csv)", default)
        if not path:
            return
        service = self._ctx.services.screening
        self._ctx.runner.run(
            partial(service.export_csv, report, path),
            key="screening-export",
            on_done=lambda n: self.file_label.setText(f"{n} row(s) exported to {path}."),
            on_error=lambda e: prompts.error(self, user_message(e, already_logged=True)),
        )

    def _update_buttons(self) -> None:
        running = self.running
        self.choose_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.cancel_button.setVisible(running)
        self.export_button.setEnabled(not running and self._report is not None and self._report.rows_read > 0)
