"""The patient banner: who this chart belongs to, the same at the top of every chart page.

Zone 1 holds the core identifiers in a fixed order (the name, then born, gender, MRN) and the
allergies have their own fixed place after them, so the eye finds them in the same spot on every
chart. Labels are plain, without colons, and quieter than the values (object name "Muted").
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.domain.patient_dto import AllergyInfo, PatientDTO
from desktop.ui import patient_format as fmt


class PatientBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PatientBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Patient banner")
        self.name = QLabel()
        self.name.setObjectName("BannerName")
        self.name.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.born = QLabel()
        self.gender = QLabel()
        self.mrn = QLabel()
        self.allergies = QLabel()
        self.allergies.setObjectName("BannerAllergies")
        self.allergies.setWordWrap(True)
        # The name on its own line, the other identifiers and the allergies under it: the banner
        # then fits a 1024-pixel-wide window beside the sidebar without cutting anything off.
        layout = QHBoxLayout()
        for caption, value in (("Born", self.born), ("Gender", self.gender)):
            layout.addWidget(self._label(caption))
            layout.addWidget(value)
            layout.addSpacing(16)
        layout.addWidget(self.mrn)
        layout.addSpacing(24)
        layout.addWidget(self._label("Allergies"))
        layout.addWidget(self.allergies, 1)
        column = QVBoxLayout(self)
        column.setSpacing(2)
        column.addWidget(self.name)
        column.addLayout(layout)
        self.clear()

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("Muted")
        return label

    def set_patient(
        self, patient: PatientDTO, allergies: AllergyInfo | None, today: dt.date | None = None
    ) -> None:
        """Show ``patient``; ``allergies`` None when the viewer may not read medical data."""
        today = today or dt.date.today()
        self.name.setText(fmt.display_name(patient))
        self.born.setText(fmt.born(patient.date_of_birth, today))
        self.gender.setText(patient.sex.label)
        self.mrn.setText(fmt.mrn(patient.mrn))
        self.allergies.setText(fmt.allergies(allergies))
        self.setAccessibleDescription(
            f"{self.name.text()}, born {self.born.text()}, {self.gender.text()}, {self.mrn.text()}, "
            f"allergies {self.allergies.text()}"
        )

    def clear(self) -> None:
        for label in (self.name, self.born, self.gender, self.mrn, self.allergies):
            label.setText("")
        self.name.setText("No patient selected")
