"""The patient list (reception and clinicians): search as you type, open, register.

The list holds the ids of every matching patient and reads rows as they are shown (the id-list table
design): an empty box lists everyone, those this person opened last first, then the newest.

Each keystroke restarts a short pause; when it ends, the ids and the first rows are read on a worker
thread and only the answer to the latest search is shown (an older answer arriving late is dropped),
so typing never waits for the database. The first patient is selected, so Enter opens them.

``patient_chosen`` (the patient's id) is emitted on double-click or Enter: the window that hosts the
page opens that patient's chart.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.errors import SessionExpiredError
from desktop.domain.patient_dto import PatientDraft, PatientSummary
from desktop.services.access_policy import Action, allowed
from desktop.ui.dialogs.register_patient_dialog import RegisterPatientDialog
from desktop.ui.errors import user_message
from desktop.ui.tablemodels.patients_model import PatientSearch, PatientsModel, SearchAnswer, read_answer
from desktop.ui.widgets.row_table import RowTable
from desktop.ui.widgets.search_header import SearchHeader

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

TYPING_PAUSE_MS = 120
#: Column widths from sample texts, so painting never reads more rows than are shown (the phone
#: column takes the rest).
COLUMN_SAMPLES = ("GARCÍA LÓPEZ, María José", "14-Jul-1945 (81y)", "Not known", "MRN 000123")


def status_text(answer: SearchAnswer) -> str:
    """How many patients the list holds, and in what order when the box is empty."""
    count = len(answer.ids)
    patients = "1 patient" if count == 1 else f"{count} patients"
    if not answer.search.text.strip():
        if not count:
            return "No patients registered yet"
        return f"{patients}: recently opened first, then the newest registered"
    if not count:
        return "No patient found"
    return f"{patients} match" + ("es" if count == 1 else "")


class PatientsPage(QWidget):
    title = "Patients"
    patient_chosen = Signal(str)
    #: Emitted after each search answer (or its error) is shown (tests, status bar).
    results_shown = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._asked = 0  # number of the latest search started; older answers are dropped
        self._dialog: RegisterPatientDialog | None = None
        self.header = SearchHeader(
            self.title,
            search_hint="Name, MRN, date of birth or phone",
            search_name="Search patients",
            pause_ms=TYPING_PAUSE_MS,
        )
        assert self.header.search is not None
        self.search_box = self.header.search
        self.header.search_changed.connect(lambda _text: self.refresh())
        self.search_box.returnPressed.connect(self._choose_current)
        self.inactive = QCheckBox("Show &deactivated")
        self.inactive.setAccessibleName("Show deactivated patients")
        self.inactive.toggled.connect(lambda _on: self.refresh())
        self.register_button = QPushButton("&Register patient...")
        self.register_button.setAccessibleName("Register a new patient")
        self.register_button.clicked.connect(self.new_item)
        user = ctx.user
        self.can_register = user is not None and allowed(user.role, Action.PATIENTS_REGISTER, ctx.settings)
        self.register_button.setVisible(self.can_register)
        self.header.add(self.inactive, self.register_button)

        self.model = PatientsModel(ctx, self)
        self.model.fetch_failed.connect(self._fetch_failed)
        self.view = RowTable(self.model, "Patients")
        header = self.view.horizontalHeader()
        header.setSortIndicatorShown(False)  # the search's ranking is the order
        metrics = self.fontMetrics()
        for column, sample in enumerate(COLUMN_SAMPLES):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 2 * metrics.height())
        header.setSectionResizeMode(len(COLUMN_SAMPLES), QHeaderView.ResizeMode.Stretch)
        # activated = double-click or Enter on the table
        self.view.activated.connect(self._open)
        self.status = QLabel()
        self.status.setObjectName("Muted")
        self.status.setAccessibleName("Number of patients")
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.refresh()

    def focus_search(self) -> None:
        self.header.focus_search()

    @Slot()
    def refresh(self) -> None:
        """Search again for what the box holds, on a worker; the latest answer is shown."""
        self.header.cancel_pending()
        self._asked += 1
        asked, batch = self._asked, self.model.BATCH
        patients, token = self.ctx.services.patients, self.ctx.token
        search = PatientSearch(self.search_box.text(), self.inactive.isChecked())
        self.ctx.runner.run(
            lambda: read_answer(patients, token, search, batch),
            on_done=partial(self._show, asked),  # partials, not lambdas: dropped if the page is gone
            on_error=partial(self._failed, asked),
        )

    def _show(self, asked: int, answer: SearchAnswer) -> None:
        if asked != self._asked:
            return  # an answer to an older search: a newer one is on its way
        self.model.show(answer)
        if self.model.rowCount():
            self.view.selectRow(0)
        self.status.setText(status_text(answer))
        self.results_shown.emit()

    def _failed(self, asked: int, error: BaseException) -> None:
        if asked == self._asked:
            self.model.clear()
            self.status.setText(user_message(error))
            self.results_shown.emit()

    def _fetch_failed(self, error: BaseException) -> None:
        """Rows read while scrolling (on the GUI thread, not through the runner) failed."""
        self.status.setText(user_message(error))
        if isinstance(error, SessionExpiredError):
            self.ctx.runner.session_expired.emit()

    def selected(self) -> PatientSummary | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.dto(rows[0].row()) if rows else None

    @Slot(QModelIndex)
    def _open(self, index: QModelIndex) -> None:
        patient = self.model.dto(index.row())
        if patient is not None:
            self.patient_chosen.emit(patient.id)

    @Slot()
    def _choose_current(self) -> None:
        patient = self.selected()
        if patient is not None:
            self.patient_chosen.emit(patient.id)

    @Slot()
    def new_item(self) -> None:
        if not self.can_register:
            return
        dialog = RegisterPatientDialog(self.ctx, self)
        dialog.saved.connect(self._registered)
        dialog.finished.connect(lambda _result: self._registration_closed(dialog))
        dialog.setModal(True)
        dialog.open()
        self._dialog = dialog

    def _registration_closed(self, dialog: RegisterPatientDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None

    def _registered(self, patient: Any) -> None:
        self.search_box.setText(patient.mrn)
        self.refresh()

    # --- unsaved input (desktop/ui/drafts.py): a registration typed but not yet saved ------------------

    def unsaved_changes(self) -> str:
        dialog = self._dialog
        return "a patient registration" if dialog is not None and dialog.changed() else ""

    def take_draft(self) -> PatientDraft | None:
        return self._dialog.form.draft() if self._dialog is not None and self._dialog.changed() else None

    def restore_draft(self, draft: object) -> None:
        """Reopen the registration form with what was typed into it."""
        if isinstance(draft, PatientDraft) and self.can_register:
            self.new_item()
            if self._dialog is not None:
                self._dialog.form.set_draft(draft)
