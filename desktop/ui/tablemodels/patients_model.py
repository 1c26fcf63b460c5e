"""The patient list's rows: one search result page (at most a few dozen patients), in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, Qt

from desktop.domain.patient_dto import PatientSummary
from desktop.ui import patient_format as fmt
from desktop.ui.tablemodels.id_list_model import ROOT, DtoRole, Index

COLUMNS = ("Name", "Born", "Gender", "MRN", "Phone")


class PatientsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._patients: list[PatientSummary] = []
        self.today = dt.date.today()

    def set_patients(self, patients: Sequence[PatientSummary]) -> None:
        self.beginResetModel()
        self._patients = list(patients)
        self.today = dt.date.today()
        self.endResetModel()

    def patient(self, row: int) -> PatientSummary | None:
        return self._patients[row] if 0 <= row < len(self._patients) else None

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._patients)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._patients):
            return None
        patient = self._patients[index.row()]
        if role == DtoRole:
            return patient
        if role == Qt.ItemDataRole.ForegroundRole and not patient.is_active:
            return Qt.GlobalColor.gray
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return fmt.display_name(patient) + ("" if patient.is_active else " (deactivated)")
        if column == 1:
            return fmt.born(patient.date_of_birth, self.today)
        if column == 2:
            return patient.sex.label
        if column == 3:
            return fmt.mrn(patient.mrn)
        return patient.phone

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None
