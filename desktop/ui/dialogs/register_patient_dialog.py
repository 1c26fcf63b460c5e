"""Register a patient (reception and clinicians): identity, date of birth, gender, MRN, contact.

The service checks everything; its per-field messages appear under the fields. The MRN may be left
empty: the next number is generated. The save runs off the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Sex
from desktop.domain.errors import ValidationError
from desktop.domain.patient_dto import PatientDraft
from desktop.ui.errors import user_message
from desktop.ui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

FIELDS = ("family_name", "given_names", "date_of_birth", "sex", "mrn", "phone", "email")


class RegisterPatientDialog(QDialog):
    saved = Signal(object)  # the registered PatientDTO

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Register patient")
        self.family_name = QLineEdit()
        self.given_names = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText("14/07/1945 or 1945-07-14")
        self.sex = QComboBox()
        for code in Sex:
            self.sex.addItem(code.label, code.value)
        self.sex.setCurrentIndex(self.sex.findData(Sex.UNKNOWN.value))
        self.mrn = QLineEdit()
        self.mrn.setPlaceholderText("Generated when left empty")
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.email.setPlaceholderText("Optional")
        self.errors = {name: FieldError() for name in FIELDS}
        form = QFormLayout()
        for caption, name in (
            ("Family name", "family_name"),
            ("Given names", "given_names"),
            ("Date of birth", "date_of_birth"),
            ("Gender", "sex"),
            ("MRN", "mrn"),
            ("Phone", "phone"),
            ("E-mail", "email"),
        ):
            widget = getattr(self, name)
            widget.setAccessibleName(caption)
            form.addRow(caption, widget)
            form.addRow("", self.errors[name])
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
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def draft(self) -> PatientDraft:
        return PatientDraft(
            given_names=self.given_names.text(),
            family_name=self.family_name.text(),
            date_of_birth=self.date_of_birth.text() or None,
            sex=self.sex.currentData(),
            mrn=self.mrn.text(),
            phone=self.phone.text(),
            email=self.email.text(),
        )

    @Slot()
    def save(self) -> None:
        for error in self.errors.values():
            error.clear_error()
        self.message.clear()
        self.save_button.setEnabled(False)
        self.ctx.runner.run(
            self.ctx.services.patients.register, self.ctx.token, self.draft(),
            key="register-patient", on_done=self._saved, on_error=self._failed,
        )  # fmt: skip

    def _saved(self, patient: Any) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(patient)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and error.fields:
            for name, text in error.fields.items():
                if name in self.errors:
                    self.errors[name].set_error(text)
            return
        self.message.setText(user_message(error))
