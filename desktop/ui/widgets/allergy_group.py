"""The allergies of a chart's Profile page, for clinicians: the banner's allergy zone in one of its
three states ("not recorded", "no known allergies" dated as checked today, or the list).

Saved through ``PatientService.set_allergies`` with the version that was read, so a change made
meanwhile on another desk is refused rather than overwritten. Reading the allergies again keeps what
the person has typed (``changed``): only untouched inputs take the values read.
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
    QVBoxLayout,
)

from desktop.domain.enums import AllergyStatus
from desktop.domain.patient_dto import AllergyInfo
from desktop.ui.errors import user_message

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop.ui.context import UiContext

ALLERGY_CHOICES = (
    ("Not recorded", AllergyStatus.NOT_RECORDED),
    ("No known allergies", AllergyStatus.NONE_KNOWN),
    ("Allergies listed below", AllergyStatus.RECORDED),
)

#: The inputs: (status value, the list as typed)
AllergyInputs = tuple[str, str]


class AllergyGroup(QGroupBox):
    saved = Signal(object)  # the saved AllergyInfo (its version is the patient row's new version)

    def __init__(self, ctx: UiContext, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__("Allergies", parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.info: AllergyInfo | None = None
        self._pending: AllergyInputs | None = None  # a draft waiting for the first read
        self.status = QComboBox()
        self.status.setAccessibleName("Allergy status")
        for label, status in ALLERGY_CHOICES:
            self.status.addItem(label, status.value)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Allergies")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.button = QPushButton("Save a&llergies")
        self.button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        box = QVBoxLayout(self)
        box.addWidget(self.status)
        box.addWidget(self.text)
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addWidget(self.message, 1)
        box.addLayout(row)

    # --- inputs --------------------------------------------------------------------------------------

    def inputs(self) -> AllergyInputs:
        return str(self.status.currentData()), self.text.toPlainText()

    def set_inputs(self, inputs: AllergyInputs) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(inputs[0])))
        self.text.setPlainText(inputs[1])

    def draft(self) -> AllergyInputs | None:
        """The inputs if they hold something not saved, else None."""
        if self._pending is not None:
            return self._pending
        if self.info is None:
            return None
        inputs = self.inputs()
        return None if inputs == (self.info.status.value, self.info.allergies) else inputs

    def restore(self, inputs: AllergyInputs) -> None:
        """Put a draft back: now if the allergies were read, else as soon as they are."""
        if self.info is None:
            self._pending = inputs
        else:
            self.set_inputs(inputs)

    def follow_version(self, version: int) -> None:
        """The patient row moved on through another save of the page (not touching the allergies)."""
        if self.info is not None:
            self.info = replace(self.info, version=version)

    # --- reading and saving --------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        self.ctx.runner.run(
            partial(self.ctx.services.patients.allergies, self.ctx.token, self.patient_id),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, info: AllergyInfo) -> None:
        keep = self.draft()
        self.info = info
        self._pending = None
        self.set_inputs(keep or (info.status.value, info.allergies))

    @Slot()
    def save(self) -> None:
        if self.info is None or self.ctx.runner.is_running("allergies-save"):
            return
        self.button.setEnabled(False)
        self.message.clear()
        status, listed = self.inputs()
        self.ctx.runner.run(
            partial(
                self.ctx.services.patients.set_allergies,
                self.ctx.token,
                self.patient_id,
                status,
                listed,
                self.info.version,
            ),
            key="allergies-save",
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, info: AllergyInfo) -> None:
        self.button.setEnabled(True)
        self.info = info
        self.set_inputs((info.status.value, info.allergies))
        self.message.setText("Saved.")
        self.saved.emit(info)

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.message.setText(user_message(error, already_logged=True))
