"""The demographics form (identity, date of birth, gender, MRN, contact) with a message per field.

Used to register a patient and to change a patient's details: the same fields, labels and checks
(the service's, whose per-field messages appear under the fields).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from desktop.domain.enums import Sex
from desktop.domain.patient_dto import PatientDraft, PatientDTO
from desktop.ui.widgets.field_error import FieldError

#: (label, field name of PatientDraft), in the order shown
FIELDS = (
    ("Family name", "family_name"),
    ("Given names", "given_names"),
    ("Date of birth", "date_of_birth"),
    ("Gender", "sex"),
    ("MRN", "mrn"),
    ("Phone", "phone"),
    ("E-mail", "email"),
    ("Emergency contact", "emergency_contact"),
)


class PatientForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.emergency_contact = QLineEdit()
        self.emergency_contact.setPlaceholderText("Name and phone number")
        self.errors = {name: FieldError() for _, name in FIELDS}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for caption, name in FIELDS:
            widget = getattr(self, name)
            widget.setAccessibleName(caption)
            form.addRow(caption, widget)
            form.addRow("", self.errors[name])

    def draft(self) -> PatientDraft:
        return PatientDraft(
            given_names=self.given_names.text(),
            family_name=self.family_name.text(),
            date_of_birth=self.date_of_birth.text() or None,
            sex=str(self.sex.currentData()),
            mrn=self.mrn.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            emergency_contact=self.emergency_contact.text(),
        )

    def fill(self, patient: PatientDTO) -> None:
        self.set_draft(
            PatientDraft(
                given_names=patient.given_names,
                family_name=patient.family_name or "",
                date_of_birth=patient.date_of_birth,
                sex=patient.sex,
                mrn=patient.mrn,
                phone=patient.phone,
                email=patient.email or "",
                emergency_contact=patient.emergency_contact,
            )
        )

    def set_draft(self, draft: PatientDraft) -> None:
        """Put ``draft``'s values into the fields (what :meth:`draft` gives back)."""
        self.family_name.setText(draft.family_name)
        self.given_names.setText(draft.given_names)
        day = draft.date_of_birth
        self.date_of_birth.setText(day if isinstance(day, str) else day.isoformat() if day else "")
        self.sex.setCurrentIndex(max(0, self.sex.findData(str(draft.sex))))
        self.mrn.setText(draft.mrn)
        self.phone.setText(draft.phone)
        self.email.setText(draft.email)
        self.emergency_contact.setText(draft.emergency_contact)

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.clear_error()

    def show_errors(self, fields: Mapping[str, str]) -> bool:
        """Show each message under its field; False when none of them belongs to this form."""
        shown = False
        for name, text in fields.items():
            if name in self.errors:
                self.errors[name].set_error(text)
                shown = True
        return shown

    def set_read_only(self, read_only: bool) -> None:
        for _, name in FIELDS:
            widget = getattr(self, name)
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(read_only)
            else:
                widget.setEnabled(not read_only)
