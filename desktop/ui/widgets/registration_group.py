"""The "Registration" group of a chart's Profile page: the patient's place on the clinic's list.

Deactivating takes a patient off the list without deleting anything; reactivating puts them back;
merging moves a duplicate registration (this chart) into the patient it really is; and an
administrator can see who opened this chart. Each button is shown only to the roles the access policy
allows (the services refuse the others anyway), and each step that changes something says plainly
what it does before it happens.

Signals: ``patient_changed(PatientDTO)`` after a deactivation or reactivation (the row's new version)
and ``merged(MergeResult)`` after this chart was merged into another patient.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.patient_dto import PatientDTO
from desktop.services.access_policy import Action, allowed
from desktop.ui import patient_format as fmt
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.chart_access_dialog import ChartAccessDialog
from desktop.ui.dialogs.merge_patient_dialog import MergePatientDialog
from desktop.ui.errors import user_message

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

ACTIVE = "On the patient list."
INACTIVE = (
    "Deactivated: hidden from the patient list unless \u201cShow deactivated\u201d is ticked. "
    "Nothing in the chart was deleted."
)


def deactivate_question(patient: PatientDTO) -> str:
    return (
        f"Deactivate {fmt.display_name(patient)} ({fmt.mrn(patient.mrn)})?\n\n"
        "Nothing is deleted: the chart, its records, family history and predictions are kept. "
        "The patient is hidden from the patient list unless \u201cShow deactivated\u201d is ticked, "
        "and cannot sign in. You can reactivate them at any time."
    )


class RegistrationGroup(QGroupBox):
    patient_changed = Signal(object)  # PatientDTO
    merged = Signal(object)  # MergeResult

    def __init__(self, ctx: UiContext, patient: PatientDTO, parent: QWidget | None = None) -> None:
        super().__init__("Registration", parent)
        self.ctx = ctx
        self.patient = patient
        self.dialog: MergePatientDialog | ChartAccessDialog | None = None
        role = ctx.user.role if ctx.user else None

        def may(action: Action) -> bool:
            return role is not None and allowed(role, action, ctx.settings)

        self.can_deactivate = may(Action.PATIENTS_DEACTIVATE)
        self.can_merge = may(Action.PATIENTS_MERGE)
        self.can_read_log = may(Action.ACCESS_LOG_READ)
        self.state = QLabel()
        self.state.setAccessibleName("Registration state")
        self.state.setWordWrap(True)
        self.deactivate_button = QPushButton("&Deactivate patient...")
        self.deactivate_button.setAccessibleName("Deactivate this patient")
        self.deactivate_button.clicked.connect(self.deactivate)
        self.reactivate_button = QPushButton("&Reactivate")
        self.reactivate_button.setAccessibleName("Reactivate this patient")
        self.reactivate_button.clicked.connect(self.reactivate)
        self.merge_button = QPushButton("Merge into another &patient...")
        self.merge_button.setAccessibleName("Merge this duplicate registration into another patient")
        self.merge_button.clicked.connect(self.open_merge)
        self.merge_button.setVisible(self.can_merge)
        self.log_button = QPushButton("&Who opened this chart...")
        self.log_button.setAccessibleName("Show who opened this patient's chart")
        self.log_button.clicked.connect(self.open_access_log)
        self.log_button.setVisible(self.can_read_log)
        self.message = QLabel()
        self.message.setAccessibleName("Registration message")
        self.message.setWordWrap(True)
        box = QVBoxLayout(self)
        box.addWidget(self.state)
        for row in (
            (self.deactivate_button, self.reactivate_button, self.merge_button),
            (self.log_button,),  # a row of its own: the page is narrow
        ):
            buttons = QHBoxLayout()
            for button in row:
                buttons.addWidget(button)
            buttons.addStretch(1)
            box.addLayout(buttons)
        box.addWidget(self.message)
        self.set_patient(patient)

    def offers_anything(self) -> bool:
        return self.can_deactivate or self.can_merge or self.can_read_log

    def set_patient(self, patient: PatientDTO) -> None:
        self.patient = patient
        self.state.setText(ACTIVE if patient.is_active else INACTIVE)
        self.deactivate_button.setVisible(self.can_deactivate and patient.is_active)
        self.reactivate_button.setVisible(self.can_deactivate and not patient.is_active)

    # --- deactivating ----------------------------------------------------------------------------------

    @Slot()
    def deactivate(self) -> None:
        if not self.can_deactivate or not self.patient.is_active:
            return
        if prompts.confirm(
            self, deactivate_question(self.patient), "Deactivate patient", yes_label="Deactivate",
            destructive=True,
        ):  # fmt: skip
            self._set_active(self.ctx.services.patients.deactivate)

    @Slot()
    def reactivate(self) -> None:
        if self.can_deactivate and not self.patient.is_active:
            self._set_active(self.ctx.services.patients.reactivate)

    def _set_active(self, method: Callable[[str, str, int | None], PatientDTO]) -> None:
        self.message.clear()
        self.deactivate_button.setEnabled(False)
        self.reactivate_button.setEnabled(False)
        self.ctx.runner.run(
            partial(method, self.ctx.token, self.patient.id, self.patient.version),
            key="patient-active",
            on_done=self._active_changed,
            on_error=self._failed,
        )

    def _active_changed(self, patient: PatientDTO) -> None:
        self.deactivate_button.setEnabled(True)
        self.reactivate_button.setEnabled(True)
        self.set_patient(patient)
        self.message.setText("Reactivated." if patient.is_active else "Deactivated.")
        self.patient_changed.emit(patient)

    def _failed(self, error: BaseException) -> None:
        self.deactivate_button.setEnabled(True)
        self.reactivate_button.setEnabled(True)
        self.message.setText(user_message(error, already_logged=True))

    # --- merging and the access log ----------------------------------------------------------------------

    @Slot()
    def open_merge(self) -> None:
        if not self.can_merge:
            return
        dialog = MergePatientDialog(self.ctx, self.patient, self)
        dialog.merged.connect(self.merged)
        self._show(dialog)

    @Slot()
    def open_access_log(self) -> None:
        if self.can_read_log:
            self._show(ChartAccessDialog(self.ctx, self.patient, self))

    def _show(self, dialog: MergePatientDialog | ChartAccessDialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.setModal(True)
        dialog.open()
