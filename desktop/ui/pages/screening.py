"""Batch screening page: choose a CSV file, watch it being screened, read the results, export them.

The run happens on a worker thread (desktop.services.screening), which streams the file: progress is
the share of the file's bytes read, the cancel flag is checked between blocks of a few MB, so a large
file never freezes the window and Cancel is prompt. A cancelled run keeps nothing. The results table
reads its rows from the run's compact table (a million rows are a few tens of MB, not a million
objects). Rows the service refused are listed with their line number and reason; when the file
carries diagnoses, agreement figures and the confusion matrix are shown. A screening itself saves
nothing to the database: it is a report, and Export copies the run's finished results file. When the
file has an MRN column, a clinician may file its results into the patients' charts afterwards (a
separate, confirmed step: dialogs/screening_filing_dialog.py), once per run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.chart_dto import FilingResult
from desktop.domain.screening import ScreeningCancelledError, ScreeningReport
from desktop.services.access_policy import Action, allowed
from desktop.services.screening_filing import has_mrn_column
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.screening_filing_dialog import ScreeningFilingDialog
from desktop.ui.errors import user_message
from desktop.ui.tablemodels.screening_model import RejectedRowsModel, ScreeningResultsModel
from desktop.ui.widgets.agreement_box import AgreementBox
from desktop.ui.widgets.screening_table import ScreeningTable

JOB_KEY = "screening"
FILE_TIP = "File each row's result into the chart of the patient its MRN names (you confirm first)"
NO_RUN_TIP = "Screen a file with an MRN column first; its results can then be filed into charts."
NO_MRN_TIP = (
    "This file has no MRN column, so its rows name no patient and cannot be filed into charts. "
    "Add a column named MRN to file them."
)


def summary_text(report: ScreeningReport) -> str:
    """The run's counts in words, for the line above the tables."""
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
    ignored = [name for name in report.ignored_columns if not has_mrn_column([name])]
    if len(ignored) < len(report.ignored_columns):
        parts.append("The MRN column names each row's patient (for filing into charts).")
    if ignored:
        parts.append("Columns ignored: " + ", ".join(ignored) + ".")
    parts.append(f"Model {report.model_version}. Decision support, not a diagnosis.")
    return " ".join(parts)


class ScreeningPage(QWidget):
    title = "Batch screening"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._report: ScreeningReport | None = None
        self._cancel = threading.Event()
        self._filed: FilingResult | None = None  # filing of the current run, once done
        user = ctx.user
        self.can_file = user is not None and allowed(user.role, Action.SCREENING_FILE, ctx.settings)

        self.choose_button = QPushButton("Choose CSV file…")
        self.choose_button.setAccessibleName("Choose a CSV file to screen")
        self.choose_button.clicked.connect(self.choose_file)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the screening")
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button = QPushButton("Export results…")
        self.export_button.setAccessibleName("Export the screening results to a CSV file")
        self.export_button.clicked.connect(self.export)
        self.file_button = QPushButton("File results into charts…")
        self.file_button.setAccessibleName("File the screening results into the patients' charts")
        self.file_button.clicked.connect(self.file_into_charts)
        self.file_button.setVisible(self.can_file)
        self.filing_dialog: ScreeningFilingDialog | None = None
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
        self.summary.setVisible(False)  # no empty gap above the tables while a run goes

        self.agreement_box = AgreementBox()
        self.accuracy_label = self.agreement_box.accuracy_label  # the figures, for tests and shots
        self.matrix_labels = self.agreement_box.matrix_labels

        self.results_model = ScreeningResultsModel(self)
        self.rejected_model = RejectedRowsModel(self)
        self.results_view = ScreeningTable(self.results_model, "Screening results")
        self.rejected_view = ScreeningTable(self.rejected_model, "Rows that could not be screened")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.results_view, "Results")
        self.tabs.addTab(self.rejected_view, "Rejected rows")

        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        bar = QHBoxLayout()
        bar.addWidget(self.choose_button)
        bar.addWidget(self.cancel_button)
        bar.addStretch(1)
        bar.addWidget(self.file_button)
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
        self._filed = None
        self.summary.clear()
        self.summary.setVisible(False)
        self.agreement_box.show_agreement(None)
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
            view.fit_columns()
        self.tabs.setTabText(0, f"Results ({report.predicted:,})")
        self.tabs.setTabText(1, f"Rejected rows ({report.rejected_count:,})")
        self.summary.setText(summary_text(report))
        self.summary.setVisible(True)
        self.agreement_box.show_agreement(report.agreement)
        if report.rejected_count and not report.predicted:
            self.tabs.setCurrentIndex(1)
        self._update_buttons()

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

    # --- filing into charts ------------------------------------------------------------------------

    @Slot()
    def file_into_charts(self) -> None:
        """Open the filing window for the current run: it shows the plan, then files on request."""
        report = self._report
        if not self.can_file or report is None or self.running or self._filed is not None:
            return
        dialog = ScreeningFilingDialog(self._ctx, report, self)
        dialog.filed.connect(self._filed_into_charts)
        dialog.setModal(True)
        dialog.open()
        dialog.start()
        self.filing_dialog = dialog

    def _filed_into_charts(self, result: FilingResult) -> None:
        self._filed = result
        self.file_label.setText(
            f"File: {self._report.source if self._report else ''}. {result.filed:,} result(s) filed into "
            f"{result.patients:,} patient chart(s)."
        )
        self._update_buttons()

    def _file_tip(self) -> str:
        report = self._report
        if report is None or self.running:
            return NO_RUN_TIP
        if not has_mrn_column(report.ignored_columns):
            return NO_MRN_TIP
        if self._filed is not None:
            return f"These results were filed into charts ({self._filed.filed:,} predictions)."
        return ""

    def _update_buttons(self) -> None:
        running = self.running
        self.choose_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.cancel_button.setVisible(running)
        self.export_button.setEnabled(not running and self._report is not None and self._report.rows_read > 0)
        why_not = self._file_tip()
        self.file_button.setEnabled(self.can_file and not why_not)
        self.file_button.setToolTip(why_not or FILE_TIP)
