"""Filing a batch screening's results into the patients' charts its MRN column names.

Two steps in one window, both on the worker pool so a large file never freezes the program:
1. the plan (nothing written): how many rows go into how many charts, every row whose MRN matches no
   patient with its line in the file, and the rows left out for other reasons;
2. after the clinician confirms with "File ... results", the filing itself, one transaction: all
   rows or none, so Cancel (or a failure) half-way leaves every chart as it was.
The file is read again from disk for each step: the plan and the filing read the same file, and the
service, not this window, decides what is filed.

The service does not look for earlier filings of the same file: filing a file twice files every
result twice. The window says so before the confirmation, and the page offers filing once per run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.chart_dto import FilingPlan, FilingProblem, FilingResult
from desktop.domain.screening import ScreeningCancelledError, ScreeningReport
from desktop.services.screening_filing import NO_PATIENT, FilingRow, mrn_rows
from desktop.ui.context import UiContext
from desktop.ui.errors import user_message
from desktop.ui.tablemodels.filing_problems_model import FilingProblemsModel
from desktop.ui.widgets.screening_table import ScreeningTable

JOB_KEY = "screening-filing"
TITLE = "File screening results into charts"
#: Rows between two progress reports (a report per row would flood the GUI thread).
PROGRESS_STEP = 2000
REFILING = (
    "A result whose measurements the chart already holds is not filed again. Filed predictions "
    "appear in each patient's Prediction history with the note shown above."
)
R = TypeVar("R")
T = TypeVar("T")


def _counted(
    rows: Iterable[R], total: int, progress: Callable[[tuple[int, int]], None], cancel: threading.Event
) -> Iterator[R]:
    """``rows``, reporting (done, total) now and then and stopping when ``cancel`` is set."""
    done = 0
    for done, row in enumerate(rows, start=1):
        if cancel.is_set():
            raise ScreeningCancelledError("Filing cancelled: nothing was filed.")
        if done % PROGRESS_STEP == 0:
            progress((done, total))
        yield row
    progress((done, max(total, done)))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


class ScreeningFilingDialog(QDialog):
    """Shows the plan for the file ``report`` screened, then files on request."""

    #: Emitted with the FilingResult once the results are in the charts.
    filed = Signal(object)

    def __init__(self, ctx: UiContext, report: ScreeningReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self._ctx = ctx
        self._source = source = report.source
        self._rows = report.rows_read
        self._out_of_range = report.out_of_range_rows
        self._cancel = threading.Event()
        self.plan: FilingPlan | None = None
        self.filing_result: FilingResult | None = None
        author = ctx.user.name if ctx.user else "you"
        self.notes = f"Filed from the batch screening of {Path(source).name}"

        self.file_label = QLabel(f"File: {source}")
        self.file_label.setWordWrap(True)
        self.status = QLabel("Checking the file's MRNs against the registered patients…")
        self.status.setObjectName("filingStatus")
        self.status.setWordWrap(True)
        bold = self.status.font()
        bold.setBold(True)
        self.status.setFont(bold)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Share of the file's rows done")
        self.progress.setRange(0, 1000)
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        unreliable = (
            f"{_plural(self._out_of_range, 'screened row has', 'screened rows have')} measurements "
            "outside the training range: filed, they are marked “not reliable” in the chart. "
            if self._out_of_range
            else ""
        )
        self.refiling_label = QLabel(
            f"{unreliable}Note on each prediction, by {author}: “{self.notes}”. {REFILING}"
        )
        self.refiling_label.setWordWrap(True)
        self.refiling_label.setVisible(False)
        self.unmatched_model = FilingProblemsModel(self)
        self.other_model = FilingProblemsModel(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(ScreeningTable(self.unmatched_model, "Rows whose MRN matches no patient"), "")
        self.tabs.addTab(ScreeningTable(self.other_model, "Rows not filed for other reasons"), "")
        self.tabs.setVisible(False)

        self.file_button = QPushButton("File results")
        self.file_button.setEnabled(False)
        self.file_button.clicked.connect(self.file_results)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.close_button = QPushButton("Close")
        self.close_button.setVisible(False)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.file_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.refiling_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.resize(720, 480)  # fits a 1024x700 screen with room to spare

    @property
    def working(self) -> bool:
        return self._ctx.runner.is_running(JOB_KEY)

    # --- step 1: the plan ----------------------------------------------------------------------------

    def start(self) -> None:
        """Work out the plan on the worker pool (call once, after showing the window)."""
        self._run(partial(self._ctx.services.predictions.plan_filing, self._ctx.token), self._planned)

    def _run(self, step: Callable[[Iterator[FilingRow]], T], on_done: Callable[[T], object]) -> None:
        """``step(rows of the file)`` on the worker pool, with progress and Cancel."""
        source, total, cancel = self._source, self._rows, self._cancel

        def work(progress: Callable[[tuple[int, int]], None]) -> T:
            return step(_counted(mrn_rows(source), total, progress, cancel))

        self._ctx.runner.run_with_progress(
            work, on_progress=self._progressed, on_done=on_done, on_error=self._failed, key=JOB_KEY
        )

    def _planned(self, plan: FilingPlan) -> None:
        self.plan = plan
        self.progress.setVisible(False)
        self._show_problems(plan.not_filed)
        if plan.to_file:
            results, rows = _plural(plan.to_file, "result", "results"), _plural(plan.rows, "row", "rows")
            charts = _plural(plan.patients, "patient’s chart", "patients’ charts")
            self.status.setText(f"{results} of {rows} will be filed into {charts}. Nothing is filed yet.")
            self.file_button.setText(f"File {_plural(plan.to_file, 'result', 'results')}")
            self.file_button.setEnabled(True)
            self.file_button.setDefault(True)
            self.refiling_label.setVisible(True)
        else:
            self.status.setText(
                f"None of the file's {_plural(plan.rows, 'row', 'rows')} can be filed: see the lists below."
            )
        self.plan_label.setText(self._not_filed_text(plan))

    def _show_problems(self, problems: tuple[FilingProblem, ...]) -> None:
        unmatched = [p for p in problems if p.reason == NO_PATIENT]
        other = [p for p in problems if p.reason != NO_PATIENT]
        for index, (model, rows, caption) in enumerate(
            (
                (self.unmatched_model, unmatched, "No patient with this MRN"),
                (self.other_model, other, "Not filed for other reasons"),
            )
        ):
            model.set_rows(rows)
            self.tabs.setTabText(index, f"{caption} ({len(rows):,})")
            table = self.tabs.widget(index)
            if isinstance(table, ScreeningTable):
                table.fit_columns()
        self.tabs.setVisible(bool(problems))
        if not unmatched and other:
            self.tabs.setCurrentIndex(1)

    @staticmethod
    def _not_filed_text(plan: FilingPlan | FilingResult) -> str:
        problems = plan.not_filed
        if not problems:
            return "Every row names a registered patient."
        unmatched = sum(p.reason == NO_PATIENT for p in problems)
        parts = [f"{_plural(len(problems), 'row is', 'rows are')} not filed:"]
        if unmatched:
            parts.append(
                f"{unmatched:,} whose MRN matches no patient "
                f"({_plural(len(plan.unmatched_mrns), 'MRN', 'different MRNs')}; register the patient "
                "or correct the MRN, then screen the file again)"
            )
        if len(problems) > unmatched:
            parts.append(("and " if unmatched else "") + f"{len(problems) - unmatched:,} for other reasons")
        return " ".join(parts) + ". Each is listed below with its line in the file."

    # --- step 2: filing ------------------------------------------------------------------------------

    @Slot()
    def file_results(self) -> None:
        """The confirmed step: file every filable row, in one transaction, on the worker pool."""
        if self.plan is None or not self.plan.to_file or self.working or self.filing_result is not None:
            return
        self.file_button.setEnabled(False)
        self.status.setText("Filing… Cancel stops it and files nothing.")
        self.progress.setValue(0)
        self.progress.setVisible(True)
        service, token, notes = self._ctx.services.predictions, self._ctx.token, self.notes
        self._run(lambda rows: service.file_screening(token, rows, notes=notes), self._filed)

    def _filed(self, result: FilingResult) -> None:
        self.filing_result = result
        self.progress.setVisible(False)
        self.status.setText(
            f"Filed {_plural(result.filed, 'prediction', 'predictions')} into "
            f"{_plural(result.patients, 'patient’s chart', 'patients’ charts')}."
        )
        self.plan_label.setText(self._not_filed_text(result))
        self._show_problems(result.not_filed)
        self.refiling_label.setVisible(False)
        self._finish()
        self.filed.emit(result)

    # --- progress, failure, closing ------------------------------------------------------------------

    def _progressed(self, value: tuple[int, int]) -> None:
        done, total = value
        share = min(1.0, done / total) if total else 1.0
        self.progress.setValue(round(share * 1000))
        self.progress.setFormat(f"{share:.0%} of the rows")

    def _failed(self, error: BaseException) -> None:
        self.progress.setVisible(False)
        if isinstance(error, ScreeningCancelledError) and not self.isVisible():
            return  # cancelled by closing the window: nobody is waiting for the message
        message = user_message(error, already_logged=True)
        if self.plan is not None and not isinstance(error, ScreeningCancelledError):
            message = f"Nothing was filed. {message}"
        self.status.setText(message)
        self.refiling_label.setVisible(False)
        self._finish()

    def _finish(self) -> None:
        """Filing done, failed or cancelled: only Close is left."""
        self.file_button.setVisible(False)
        self.cancel_button.setVisible(False)
        self.close_button.setVisible(True)
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    @Slot()
    def reject(self) -> None:
        """Cancel: before the confirmation the window closes; while filing, the filing stops
        (its transaction is rolled back) and the window stays to say so."""
        self._cancel.set()
        if self.working and self.plan is not None:
            self.status.setText("Cancelling… nothing will be filed.")
            self.cancel_button.setEnabled(False)
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.working and self.plan is not None:
            self.reject()
            event.ignore()
            return
        super().closeEvent(event)
