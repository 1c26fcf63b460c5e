"""Merge a duplicate registration (the chart that is open) into the patient it really is.

The person searches the patient list as on the Patients page (``PatientService.search``), picks the
patient to keep, and sees both side by side (name, date of birth, MRN) before anything happens; the
last question says plainly what the merge does and that the program cannot undo it. The merge runs
off the GUI thread; ``merged`` carries the service's MergeResult, so the window can open the kept
patient's chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.patient_dto import PatientDTO, PatientSummary
from desktop.services.patient_merge import MergeResult
from desktop.ui import patient_format as fmt
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.tablemodels.patients_model import PatientSearch, PatientsModel, SearchAnswer, read_answer
from desktop.ui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

TYPING_PAUSE_MS = 120
NOBODY = "\u2014"  # the kept side before a patient is chosen


def identity(patient: PatientDTO | PatientSummary, today: dt.date) -> tuple[str, str, str]:
    """(name, born, MRN) as the banner writes them."""
    return fmt.display_name(patient), fmt.born(patient.date_of_birth, today), fmt.mrn(patient.mrn)


def merge_question(duplicate: PatientDTO, kept: PatientSummary) -> str:
    return (
        f"Merge {fmt.display_name(duplicate)} ({fmt.mrn(duplicate.mrn)}) into "
        f"{fmt.display_name(kept)} ({fmt.mrn(kept.mrn)})?\n\n"
        "- The medical records, family history and predictions of the duplicate move to the patient "
        "you keep.\n"
        "- The duplicate registration is deactivated (not deleted) and can no longer sign in.\n"
        "- The audit log keeps both identities, so either one leads to this merge.\n\n"
        "This cannot be undone from the program."
    )


class MergePatientDialog(QDialog):
    merged = Signal(object)  # MergeResult

    def __init__(self, ctx: UiContext, duplicate: PatientDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.duplicate = duplicate
        self.today = dt.date.today()
        self._asked = 0  # the latest search; older answers are dropped
        self.setWindowTitle("Merge into another patient")
        intro = QLabel(
            "Use this when this chart is a second registration of a patient who is already on the "
            "list. Find the patient to keep; everything in this chart moves to them."
        )
        intro.setWordWrap(True)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Name, MRN, date of birth or phone")
        self.search_box.setAccessibleName("Search for the patient to keep")
        self.search_box.setClearButtonEnabled(True)
        self.model = PatientsModel(ctx, self)
        self.view = RowTable(self.model, "Patients to merge into")
        self.view.horizontalHeader().setSortIndicatorShown(False)  # in name order, as the list
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._chosen_changed())
        self.status = QLabel()
        self.status.setObjectName("Muted")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.search)
        self.search_box.textChanged.connect(lambda _text: self._timer.start())
        self.search_box.returnPressed.connect(self.search)

        self.kept_labels = [QLabel(NOBODY) for _ in range(3)]
        side_by_side = QGridLayout()
        side_by_side.addWidget(self._muted("This chart (duplicate)"), 0, 1)
        side_by_side.addWidget(self._muted("Patient to keep"), 0, 2)
        for row, (caption, value) in enumerate(
            zip(("Name", "Born", "MRN"), identity(duplicate, self.today), strict=True), start=1
        ):
            side_by_side.addWidget(self._muted(caption), row, 0)
            side_by_side.addWidget(QLabel(value), row, 1)
            side_by_side.addWidget(self.kept_labels[row - 1], row, 2)
        side_by_side.setColumnStretch(1, 1)
        side_by_side.setColumnStretch(2, 1)

        self.message = QLabel()
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        # Not an accept-role button: the button box would make it the default, and Enter in the
        # search box must search, never merge.
        self.merge_button = buttons.addButton("&Merge...", QDialogButtonBox.ButtonRole.ActionRole)
        self.merge_button.setAccessibleName("Merge this chart into the chosen patient")
        self.merge_button.setEnabled(False)
        for button in (self.merge_button, buttons.button(QDialogButtonBox.StandardButton.Cancel)):
            button.setAutoDefault(False)
        self.merge_button.clicked.connect(self.merge)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search_box)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addLayout(side_by_side)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 64, self.fontMetrics().lineSpacing() * 28)
        self.search()

    @staticmethod
    def _muted(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("Muted")
        return label

    # --- finding the patient to keep -----------------------------------------------------------------

    @Slot()
    def search(self) -> None:
        self._timer.stop()
        self._asked += 1
        asked, search = self._asked, PatientSearch(self.search_box.text())
        self.ctx.runner.run(
            partial(read_answer, self.ctx.services.patients, self.ctx.token, search, self.model.BATCH),
            on_done=partial(self._show, asked),
            on_error=partial(self._search_failed, asked),
        )

    def _show(self, asked: int, answer: SearchAnswer) -> None:
        if asked != self._asked:
            return
        duplicate = self.duplicate.id  # never merged into itself
        others = replace(
            answer,
            ids=tuple(i for i in answer.ids if i != duplicate),
            first_rows=tuple(r for r in answer.first_rows if r.id != duplicate),
        )
        self.model.show(others)
        self.status.setText("" if others.ids else "No other patient found.")
        self._chosen_changed()

    def _search_failed(self, asked: int, error: BaseException) -> None:
        if asked == self._asked:
            self.status.setText(user_message(error, already_logged=True))

    def chosen(self) -> PatientSummary | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.dto(rows[0].row()) if rows else None

    def _chosen_changed(self) -> None:
        kept = self.chosen()
        values = identity(kept, self.today) if kept is not None else (NOBODY,) * 3
        for label, value in zip(self.kept_labels, values, strict=True):
            label.setText(value)
        self.merge_button.setEnabled(kept is not None and not self.ctx.runner.is_running("patient-merge"))

    # --- merging -------------------------------------------------------------------------------------

    @Slot()
    def merge(self) -> None:
        kept = self.chosen()
        if kept is None or self.ctx.runner.is_running("patient-merge"):
            return
        if not prompts.confirm(
            self, merge_question(self.duplicate, kept), "Merge patients", yes_label="Merge", destructive=True
        ):
            return
        self.message.clear()
        self.merge_button.setEnabled(False)
        self.ctx.runner.run(
            partial(self.ctx.services.patients.merge, self.ctx.token, self.duplicate.id, kept.id),
            key="patient-merge",
            on_done=self._merged,
            on_error=self._failed,
        )

    def _merged(self, result: MergeResult) -> None:
        self.merged.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.merge_button.setEnabled(self.chosen() is not None)
        self.message.setText(user_message(error, already_logged=True))
