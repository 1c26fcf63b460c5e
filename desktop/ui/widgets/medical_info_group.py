"""The medical information of a patient's profile shown to the clinic's staff: blood type and
medications.

The values live in the patient's profile (``ProfileService``, with ``patient_id``), which the
service saves as a whole: the group keeps the profile exactly as last read (``loaded``) and sends it
back with only these two fields changed, with the version that was read, so a change made meanwhile
on another desk is refused (ConflictError) rather than overwritten. When the same row changes through
another part of the page (demographics, allergies), the page calls :meth:`reload`: the profile is
read again and what the person is typing here stays.

Clinicians edit; an administrator whom the clinic lets read medical data sees the values read-only.
The page builds the group only for roles the access policy lets read medical data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from desktop.domain.dto import ProfileDTO, ProfileUpdate
from desktop.domain.enums import BLOOD_TYPES
from desktop.domain.errors import ConflictError, ValidationError
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.formatting import NOT_RECORDED

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

#: The choice for a blood type nobody has recorded: stored empty, never a guessed type.
UNKNOWN_BLOOD_TYPE = "Unknown"
CONFLICT = (
    "Not saved: this patient's profile was changed on another desk after you opened it. "
    "Load the current values? What you typed here will be replaced."
)


@dataclass(frozen=True)
class MedicalInputs:
    """What the group's inputs hold (``blood_type`` "" for unknown)."""

    blood_type: str
    medications: str

    @classmethod
    def of(cls, profile: ProfileDTO) -> MedicalInputs:
        return cls(profile.blood_type or "", profile.medications or "")


class MedicalInfoGroup(QGroupBox):
    #: The saved ProfileDTO (its version is the patient row's new version).
    saved = Signal(object)

    def __init__(
        self, ctx: UiContext, patient_id: str, editable: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__("Medical information", parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.editable = editable
        self.loaded: ProfileDTO | None = None
        self._pending: MedicalInputs | None = None  # a draft waiting for the first load

        self.blood = QComboBox()
        self.blood.setAccessibleName("Blood type")
        self.blood.addItem(UNKNOWN_BLOOD_TYPE if editable else NOT_RECORDED, "")
        for code in BLOOD_TYPES:
            self.blood.addItem(code, code)
        self.blood.setEnabled(editable)
        self.medications = QPlainTextEdit()
        self.medications.setAccessibleName("Medications")
        self.medications.setPlaceholderText("Not recorded")
        self.medications.setTabChangesFocus(True)
        self.medications.setReadOnly(not editable)
        self.medications.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.save_button = QPushButton("Save &medical information")
        self.save_button.setAccessibleName("Save the blood type and medications")
        self.save_button.clicked.connect(self.save)
        self.save_button.setVisible(editable)
        self.save_button.setEnabled(False)  # until the profile is read
        self.message = QLabel()
        self.message.setAccessibleName("Medical information message")
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("&Blood type", self.blood)
        form.addRow("Medi&cations", self.medications)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.message, 1)
        form.addRow(row)

    # --- inputs --------------------------------------------------------------------------------------

    def inputs(self) -> MedicalInputs:
        return MedicalInputs(str(self.blood.currentData() or ""), self.medications.toPlainText())

    def set_inputs(self, inputs: MedicalInputs) -> None:
        self.blood.setCurrentIndex(max(0, self.blood.findData(inputs.blood_type)))
        self.medications.setPlainText(inputs.medications)

    def changed(self) -> bool:
        """Whether the inputs differ from what was read (False before the first read)."""
        if self._pending is not None:
            return True
        return self.loaded is not None and self.inputs() != MedicalInputs.of(self.loaded)

    def draft(self) -> MedicalInputs | None:
        """The inputs if they hold something not saved (a draft to keep), else None."""
        if self._pending is not None:
            return self._pending
        return self.inputs() if self.changed() else None

    def restore(self, inputs: MedicalInputs) -> None:
        """Put a draft back: now if the profile was read, else as soon as it is."""
        if self.loaded is None:
            self._pending = inputs
        else:
            self.set_inputs(inputs)

    # --- loading -------------------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        """Read the profile again; inputs the person changed keep what they hold."""
        self.save_button.setEnabled(False)  # a save now would carry the version being replaced
        self.ctx.runner.run(
            partial(self.ctx.services.profile.get, self.ctx.token, patient_id=self.patient_id),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, profile: ProfileDTO) -> None:
        keep = self.changed()
        self.loaded = profile
        if self._pending is not None:
            self.set_inputs(self._pending)
            self._pending = None
        elif not keep:
            self.set_inputs(MedicalInputs.of(profile))
        self.save_button.setEnabled(True)

    def follow_version(self, version: int) -> None:
        """The row moved on through a save of this page that touched none of the profile's fields."""
        if self.loaded is not None:
            self.loaded = replace(self.loaded, version=version)

    # --- saving --------------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        profile = self.loaded
        if not self.editable or profile is None or self.ctx.runner.is_running("medical-save"):
            return
        inputs = self.inputs()
        update = ProfileUpdate(
            name=profile.name,
            age=profile.age,
            phone=profile.phone,
            emergency_contact=profile.emergency_contact,
            blood_type=inputs.blood_type,
            allergies=profile.allergies,
            medications=inputs.medications,
        )
        self.message.clear()
        self.save_button.setEnabled(False)
        self.ctx.runner.run(
            partial(
                self.ctx.services.profile.update,
                self.ctx.token,
                update,
                profile.version,
                patient_id=self.patient_id,
            ),
            key="medical-save",
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, profile: ProfileDTO) -> None:
        self.loaded = profile
        self.set_inputs(MedicalInputs.of(profile))
        self.save_button.setEnabled(True)
        self.message.setText("Saved.")
        self.saved.emit(profile)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(self.loaded is not None)
        if isinstance(error, ConflictError):
            self.message.setText(
                "Not saved: this patient's profile was changed on another desk after you opened it."
            )
            if prompts.confirm(self, CONFLICT, yes_label="Load current values"):
                self.loaded = None  # the reload replaces the inputs
                self._pending = None
                self.reload()
            return
        if isinstance(error, ValidationError) and error.fields:
            self.message.setText(" ".join(error.fields.values()))
            return
        self.message.setText(user_message(error, already_logged=True))
