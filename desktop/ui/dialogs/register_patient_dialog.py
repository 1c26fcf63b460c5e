"""Register a patient (reception and clinicians): identity, date of birth, gender, MRN, contact.

The service checks everything; its per-field messages appear under the fields. The MRN may be left
empty: the next number is generated. The save runs off the GUI thread.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.domain.errors import ValidationError
from desktop.domain.patient_dto import PatientDTO
from desktop.ui.errors import user_message
from desktop.ui.widgets.patient_form import PatientForm

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class RegisterPatientDialog(QDialog):
    saved = Signal(object)  # the registered PatientDTO

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Register patient")
        self.form = PatientForm()
        self.message = QLabel()
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Register")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._blank = self.form.draft()  # what an untouched form gives

    def changed(self) -> bool:
        """Whether anything was typed (a form left as it opened holds nothing to keep or ask about)."""
        return self.form.draft() != self._blank

    @Slot()
    def save(self) -> None:
        self.form.clear_errors()
        self.message.clear()
        self.save_button.setEnabled(False)
        self.ctx.runner.run(
            partial(self.ctx.services.patients.register, self.ctx.token, self.form.draft()),
            key="register-patient",
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, patient: PatientDTO) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(patient)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and self.form.show_errors(error.fields):
            return
        self.message.setText(user_message(error))
