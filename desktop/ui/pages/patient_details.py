"""A patient's Profile page in the chart, for the clinic's staff: demographics and allergies.

Reception and clinicians change the demographics and contact details (``PatientService.update``,
with the version they saw, so a change made meanwhile on another desk is refused rather than
overwritten); clinicians also state the allergies, the banner's allergy zone, in one of its three
states. What a role may not change is shown read-only or not at all, as the access policy says.
``identity_changed`` carries the new (patient, allergies) so the banner shows them at once.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import AllergyStatus
from desktop.domain.errors import ValidationError
from desktop.domain.patient_dto import AllergyInfo, PatientDTO
from desktop.services.access_policy import Action, allowed
from desktop.ui.errors import user_message
from desktop.ui.widgets.patient_form import PatientForm

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

ALLERGY_CHOICES = (
    ("Not recorded", AllergyStatus.NOT_RECORDED),
    ("No known allergies", AllergyStatus.NONE_KNOWN),
    ("Allergies listed below", AllergyStatus.RECORDED),
)


class PatientDetailsPage(QWidget):
    title = "Profile"
    identity_changed = Signal(object)  # ChartIdentity after a save

    def __init__(self, ctx: UiContext, patient: PatientDTO | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if patient is None:
            raise ValueError("the staff's profile page shows one patient's chart")
        self.ctx = ctx
        self.patient = patient
        self.allergy_info: AllergyInfo | None = None
        user = ctx.user
        role = user.role if user else None
        self.can_edit = role is not None and allowed(role, Action.PATIENTS_UPDATE, ctx.settings)
        self.can_medical = role is not None and allowed(role, Action.CHART_WRITE_MEDICAL, ctx.settings)

        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        self.form = PatientForm()
        self.form.fill(patient)
        self.form.set_read_only(not self.can_edit)
        self.save_button = QPushButton("&Save details")
        self.save_button.setAccessibleName("Save the patient's details")
        self.save_button.clicked.connect(self.save)
        self.save_button.setVisible(self.can_edit)
        self.message = QLabel()
        self.message.setAccessibleName("Profile message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.message, 1)
        details = QGroupBox("Identity and contact")
        box = QVBoxLayout(details)
        box.addWidget(self.form)
        box.addLayout(buttons)

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addWidget(heading)
        column.addWidget(details)
        if self.can_medical:
            column.addWidget(self._allergy_box())
        column.addStretch(1)
        inner.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 48)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        QVBoxLayout(self).addWidget(scroll)
        self.refresh()

    def _allergy_box(self) -> QGroupBox:
        group = QGroupBox("Allergies")
        self.allergy_status = QComboBox()
        self.allergy_status.setAccessibleName("Allergy status")
        for label, status in ALLERGY_CHOICES:
            self.allergy_status.addItem(label, status.value)
        self.allergy_text = QPlainTextEdit()
        self.allergy_text.setAccessibleName("Allergies")
        self.allergy_text.setTabChangesFocus(True)
        self.allergy_text.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.allergy_button = QPushButton("Save a&llergies")
        self.allergy_button.clicked.connect(self.save_allergies)
        self.allergy_message = QLabel()
        self.allergy_message.setWordWrap(True)
        box = QVBoxLayout(group)
        box.addWidget(self.allergy_status)
        box.addWidget(self.allergy_text)
        row = QHBoxLayout()
        row.addWidget(self.allergy_button)
        row.addWidget(self.allergy_message, 1)
        box.addLayout(row)
        return group

    # --- loading -------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        if self.can_medical:
            self.ctx.runner.run(
                partial(self.ctx.services.patients.allergies, self.ctx.token, self.patient.id),
                on_done=self._allergies_loaded,
                on_error=self._allergy_failed,
            )

    def _allergies_loaded(self, info: AllergyInfo) -> None:
        self.allergy_info = info
        self.allergy_status.setCurrentIndex(max(0, self.allergy_status.findData(info.status.value)))
        self.allergy_text.setPlainText(info.allergies)

    # --- saving --------------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        if not self.can_edit or self.ctx.runner.is_running("patient-save"):
            return
        self.form.clear_errors()
        self.message.clear()
        self.save_button.setEnabled(False)
        self.ctx.runner.run(
            partial(
                self.ctx.services.patients.update,
                self.ctx.token,
                self.patient.id,
                self.form.draft(),
                self.patient.version,
            ),
            key="patient-save",
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, patient: PatientDTO) -> None:
        self.save_button.setEnabled(True)
        self.patient = patient
        if self.allergy_info is not None:  # one row: the allergies' version moved on too
            self.allergy_info = replace(self.allergy_info, version=patient.version)
        self.form.fill(patient)
        self.message.setText("Saved.")
        self.identity_changed.emit((patient, self.allergy_info))

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and self.form.show_errors(error.fields):
            self.message.setText("Not saved: please correct the fields marked in red.")
            return
        self.message.setText(user_message(error, already_logged=True))

    @Slot()
    def save_allergies(self) -> None:
        if not self.can_medical or self.allergy_info is None:
            return
        self.allergy_button.setEnabled(False)
        self.allergy_message.clear()
        self.ctx.runner.run(
            partial(
                self.ctx.services.patients.set_allergies,
                self.ctx.token,
                self.patient.id,
                str(self.allergy_status.currentData()),
                self.allergy_text.toPlainText(),
                self.allergy_info.version,
            ),
            key="allergies-save",
            on_done=self._allergies_saved,
            on_error=self._allergy_failed,
        )

    def _allergies_saved(self, info: AllergyInfo) -> None:
        self.allergy_button.setEnabled(True)
        self.patient = replace(self.patient, version=info.version)
        self._allergies_loaded(info)
        self.allergy_message.setText("Saved.")
        self.identity_changed.emit((self.patient, info))

    def _allergy_failed(self, error: BaseException) -> None:
        self.allergy_button.setEnabled(True)
        self.allergy_message.setText(user_message(error, already_logged=True))
