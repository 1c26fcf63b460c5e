"""Profile page: the signed-in person edits their own details; problems are shown next to each field.

Validation is the service's (ProfileService.update raises ValidationError with a message per field);
the page shows each message under its input and marks the input. A save over a newer version (the
same account changed it on another desktop) is refused by the service and offered as a reload.
The password can be changed here too (the current one is required).

Input not yet saved (drafts.py): the details differ from those last loaded or saved. Showing the page
again does not reload over them (Undo changes does); a draft keeps the details with the version they
were typed over, so saving a restored draft over a profile changed meanwhile is refused as a conflict.
Passwords are never kept in a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dto import ProfileUpdate
from desktop.domain.enums import BLOOD_TYPES
from desktop.domain.errors import ConflictError, ValidationError
from desktop.domain.patient_dto import PatientDTO
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.pages.profile_password import PasswordBox
from desktop.ui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

NO_AGE = -1
#: How an unrecorded age or blood type reads (never "?" and never a made-up default).
NOT_KNOWN = "Not known"


@dataclass(frozen=True)
class ProfileDraft:
    """The details typed and not saved, and the profile version they were typed over."""

    values: ProfileUpdate
    version: int


class ProfilePage(QWidget):
    title = "Profile"

    def __init__(
        self, ctx: UiContext, patient: PatientDTO | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient.id if patient is not None else None  # None: the signed-in patient
        self.profile: Any = None
        self._loaded_value: ProfileUpdate | None = None  # the details as last loaded or saved
        self._pending: ProfileDraft | None = None  # a draft to put back once the profile is loaded
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}

        self.name = QLineEdit()
        self.name.setMaxLength(100)
        self.email = QLineEdit()
        self.email.setReadOnly(True)
        self.age = QSpinBox()
        self.age.setRange(NO_AGE, 130)
        self.age.setSpecialValueText(NOT_KNOWN)
        self.phone = QLineEdit()
        self.emergency = QLineEdit()
        self.emergency.setPlaceholderText("Name and phone number")
        self.blood = QComboBox()
        self.blood.addItem(NOT_KNOWN, "")  # stored as empty: an unknown blood type is never guessed
        for code in BLOOD_TYPES:
            self.blood.addItem(code, code)
        self.allergies = QPlainTextEdit()
        self.medications = QPlainTextEdit()
        for edit in (self.allergies, self.medications):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4)

        form = QFormLayout()
        form.addRow("&Name:", self.field_row("name", self.name, "Name"))
        form.addRow("E-mail:", self.field_row("email", self.email, "E-mail (cannot be changed here)"))
        form.addRow("&Age:", self.field_row("age", self.age, "Age"))
        form.addRow("&Phone:", self.field_row("phone", self.phone, "Phone"))
        form.addRow(
            "&Emergency contact:", self.field_row("emergency_contact", self.emergency, "Emergency contact")
        )
        form.addRow("&Blood type:", self.field_row("blood_type", self.blood, "Blood type"))
        form.addRow("A&llergies:", self.field_row("allergies", self.allergies, "Allergies"))
        form.addRow("&Medications:", self.field_row("medications", self.medications, "Medications"))

        self.save_button = QPushButton("&Save changes")
        self.save_button.setAccessibleName("Save profile")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("&Undo changes")
        self.revert_button.setAccessibleName("Undo unsaved profile changes")
        self.revert_button.clicked.connect(self.reload)
        self.message = QLabel()
        self.message.setAccessibleName("Profile message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.message, 1)

        details = QGroupBox("Your details")
        details_box = QVBoxLayout(details)
        details_box.addLayout(form)
        details_box.addLayout(buttons)

        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addWidget(heading)
        column.addWidget(details)
        password = PasswordBox(ctx, self)
        self.current_password, self.new_password = password.current_password, password.new_password
        self.new_password2, self.password_button = password.new_password2, password.button
        column.addWidget(password)
        column.addStretch(1)
        inner.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 48)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        QVBoxLayout(self).addWidget(scroll)
        self.name.editingFinished.connect(self._check_name)
        self.refresh()

    def field_row(self, key: str, widget: QWidget, accessible: str) -> QWidget:
        """The input with its error label underneath, as one form row."""
        widget.setAccessibleName(accessible)
        error = FieldError()
        self.fields[key], self.errors[key] = widget, error
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        return holder

    # --- loading -------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Shown again: read the profile again, unless that would replace unsaved input."""
        if not self.unsaved_changes():
            self.reload()

    @Slot()
    def reload(self) -> None:
        """Read the profile (Undo changes: the unsaved details go)."""
        self.ctx.runner.run(
            partial(self.ctx.services.profile.get, self.ctx.token, patient_id=self.patient_id),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, profile: Any) -> None:
        self.profile = profile
        self.clear_errors()
        self.email.setText(profile.email)
        self._fill(
            ProfileUpdate(
                name=profile.name,
                age=profile.age,
                phone=profile.phone or "",
                emergency_contact=profile.emergency_contact or "",
                blood_type=profile.blood_type or "",
                allergies=profile.allergies or "",
                medications=profile.medications or "",
            )
        )
        self.message.setText("")
        self._loaded_value = self.update_value()
        draft, self._pending = self._pending, None
        if draft is not None:
            self._fill(draft.values)
            # Saved over the version the draft was typed on: a change made since is a conflict.
            self.profile = replace(profile, version=draft.version)

    def _fill(self, values: ProfileUpdate) -> None:
        self.name.setText(values.name)
        self.age.setValue(NO_AGE if values.age is None else int(values.age))
        self.phone.setText(values.phone)
        self.emergency.setText(values.emergency_contact)
        self.blood.setCurrentIndex(max(0, self.blood.findData(values.blood_type)))
        self.allergies.setPlainText(values.allergies)
        self.medications.setPlainText(values.medications)

    # --- input not yet saved -------------------------------------------------------------------------

    def unsaved_changes(self) -> str:
        if self._pending is None and (
            self._loaded_value is None or self.update_value() == self._loaded_value
        ):
            return ""
        return "changes to the profile"

    def take_draft(self) -> ProfileDraft | None:
        if self._pending is not None or self.profile is None:  # not loaded yet: the draft as it came
            return self._pending
        return ProfileDraft(self.update_value(), int(self.profile.version))

    def restore_draft(self, draft: object) -> None:
        if not isinstance(draft, ProfileDraft):
            return
        self._pending = draft
        if self.profile is not None:  # already loaded: put the draft over it now
            self._loaded(self.profile)

    # --- saving --------------------------------------------------------------------------------------

    def update_value(self) -> ProfileUpdate:
        return ProfileUpdate(
            name=self.name.text(),
            age=None if self.age.value() == NO_AGE else self.age.value(),
            phone=self.phone.text(),
            emergency_contact=self.emergency.text(),
            blood_type=str(self.blood.currentData() or ""),
            allergies=self.allergies.toPlainText(),
            medications=self.medications.toPlainText(),
        )

    @Slot()
    def save(self) -> None:
        if self.profile is None or self.ctx.runner.is_running("profile-save"):
            return
        self.clear_errors()
        self.save_button.setEnabled(False)
        self.ctx.runner.run(
            partial(
                self.ctx.services.profile.update,
                self.ctx.token,
                self.update_value(),
                self.profile.version,
                patient_id=self.patient_id,
            ),
            key="profile-save",
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, profile: Any) -> None:
        self.save_button.setEnabled(True)
        self._loaded(profile)
        self.message.setText("Saved.")

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and error.fields:
            self.show_field_errors(error.fields)
            self.message.setText("Not saved: please correct the fields marked in red.")
        elif isinstance(error, ConflictError):
            if prompts.confirm(
                self,
                "Your profile was changed elsewhere after you opened it. Load the "
                "current values? Your unsaved changes will be replaced.",
                yes_label="Reload",
            ):
                self.reload()
        else:
            self.show_failure(error)

    def show_failure(self, error: BaseException) -> None:
        self.message.setText(user_message(error, already_logged=True))

    @Slot()
    def _check_name(self) -> None:
        if not self.name.text().strip():
            self.show_field_errors({"name": "Enter your name."})
        elif self.errors["name"].text() == "Enter your name.":
            self.errors["name"].clear_error()
            self._mark(self.name, False)

    def clear_errors(self) -> None:
        for key, label in self.errors.items():
            label.clear_error()
            self._mark(self.fields[key], False)

    def show_field_errors(self, fields: dict[str, str]) -> None:
        first = None
        for key, text in fields.items():
            if key in self.errors:
                self.errors[key].set_error(text)
                self._mark(self.fields[key], True)
                first = first or self.fields[key]
        if first is not None:
            first.setFocus()

    def _mark(self, widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
