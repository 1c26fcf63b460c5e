"""The patient list (reception and clinicians): search as you type, open, register.

Each keystroke restarts a short timer; when it fires, the search runs on a worker thread and only the
answer to the latest text is shown (an older answer arriving late is dropped), so typing never waits
for the database. An empty box lists the patients this person opened last, then the newest.

``patient_chosen`` (the patient's id) is emitted on double-click or Enter: the window that hosts the
page opens that patient's chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.access_policy import Action, allowed
from desktop.ui.dialogs.register_patient_dialog import RegisterPatientDialog
from desktop.ui.errors import user_message
from desktop.ui.tablemodels.patients_model import PatientsModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

TYPING_PAUSE_MS = 120


class PatientsPage(QWidget):
    title = "Patients"
    patient_chosen = Signal(str)
    #: Emitted after each search result is shown (tests, status bar).
    results_shown = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._asked = 0  # number of the latest search started; older answers are dropped
        self._dialog: RegisterPatientDialog | None = None
        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Name, MRN, date of birth or phone")
        self.search_box.setAccessibleName("Search patients")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._typed)
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
        self.model = PatientsModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("Patients")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(self._open)
        self.status = QLabel()
        self.status.setObjectName("Muted")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.inactive)
        top.addWidget(self.register_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.refresh()

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    @Slot(str)
    def _typed(self, _text: str) -> None:
        self._timer.start()

    @Slot()
    def refresh(self) -> None:
        self._timer.stop()
        self._asked += 1
        asked, text = self._asked, self.search_box.text()
        patients, token, inactive = self.ctx.services.patients, self.ctx.token, self.inactive.isChecked()
        self.ctx.runner.run(
            lambda: patients.search(token, text, include_inactive=inactive),
            on_done=lambda found: self._show(asked, text, found),
            on_error=lambda error: self._failed(asked, error),
        )

    def _show(self, asked: int, text: str, patients: Any) -> None:
        if asked != self._asked:
            return  # an answer to an older text: a newer search is on its way
        self.model.set_patients(patients)
        if self.model.rowCount():
            self.view.selectRow(0)
        if text.strip():
            self.status.setText(f"{len(patients)} patient(s) found" if patients else "No patient found")
        else:
            self.status.setText("Recently opened and newly registered patients")
        self.results_shown.emit()

    def _failed(self, asked: int, error: BaseException) -> None:
        if asked == self._asked:
            self.status.setText(user_message(error))
            self.results_shown.emit()

    def selected(self) -> Any:
        rows = self.view.selectionModel().selectedRows()
        return self.model.patient(rows[0].row()) if rows else None

    @Slot(QModelIndex)
    def _open(self, index: QModelIndex) -> None:
        patient = self.model.patient(index.row())
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
        dialog.setModal(True)
        dialog.open()
        self._dialog = dialog

    def _registered(self, patient: Any) -> None:
        self.search_box.setText(patient.mrn)
        self.refresh()
