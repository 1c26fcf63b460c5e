"""Add or edit one medical record (date, type, result, doctor, status, notes).

The inputs' lengths and the check before saving come from the domain's record rules, the ones the
records service applies, so the dialog shows the service's own messages without a round trip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from desktop.domain.dto import RecordDraft, RecordDTO
from desktop.domain.entry_rules import RECORD_TEXT_MAX, record_values
from desktop.domain.enums import RecordStatus, Role
from desktop.ui.dialogs.edit_dialog import EditDialog
from desktop.ui.widgets.date_edit import DateEdit

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class RecordDialog(EditDialog[RecordDTO, RecordDraft]):
    noun = "medical record"

    def __init__(
        self,
        ctx: UiContext,
        record: RecordDTO | None = None,
        parent: QWidget | None = None,
        *,
        patient_id: str | None = None,
    ) -> None:
        super().__init__(ctx, record, parent, patient_id=patient_id)
        self.date = DateEdit()
        self.date.setDate(QDate.currentDate())
        self.type_edit = QLineEdit()
        self.type_edit.setMaxLength(RECORD_TEXT_MAX)
        self.type_edit.setPlaceholderText("e.g. Blood test, Mammogram")
        self.result_edit = QLineEdit()
        self.result_edit.setMaxLength(RECORD_TEXT_MAX)
        self.doctor = QLineEdit()
        self.doctor.setMaxLength(RECORD_TEXT_MAX)
        self.status = QComboBox()
        for status in RecordStatus:
            self.status.addItem(status.label, status.value)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.add_field("date", "&Date:", self.date)
        self.add_field("type", "&Type:", self.type_edit)
        self.add_field("result", "&Result:", self.result_edit)
        self.add_field("doctor", "D&octor:", self.doctor)
        self.add_field("status", "&Status:", self.status)
        self.add_field("notes", "&Notes:", self.notes)
        user = ctx.user
        if record is not None:
            self.fill(record)
        elif user is not None and user.role is Role.CLINICIAN:  # the clinician writing it, by default
            self.doctor.setText(user.name)
        self.type_edit.setFocus()

    def draft(self) -> RecordDraft:
        """The typed-in record; ValidationError (per field) when the record rules refuse it."""
        draft = RecordDraft(
            date=self.date.date().toString("yyyy-MM-dd"),
            type=self.type_edit.text(),
            result=self.result_edit.text(),
            doctor=self.doctor.text(),
            notes=self.notes.toPlainText(),
            status=str(self.status.currentData()),
        )
        record_values(draft)
        return draft

    def fill(self, dto: RecordDTO) -> None:
        date = QDate.fromString(dto.date, "yyyy-MM-dd")
        if date.isValid():
            self.date.setDate(date)
        self.type_edit.setText(dto.type)
        self.result_edit.setText(dto.result)
        self.doctor.setText(dto.doctor)
        self.notes.setPlainText(dto.notes)
        index = self.status.findData(dto.status)
        self.status.setCurrentIndex(max(0, index))

    def create_row(self, token: str, draft: RecordDraft) -> RecordDTO:
        return self.ctx.services.records.create(token, draft, patient_id=self.patient_id)

    def update_row(self, token: str, row: RecordDTO, draft: RecordDraft) -> RecordDTO:
        return self.ctx.services.records.update(token, row.id, draft, row.version, patient_id=self.patient_id)

    def fetch_row(self, token: str, row: RecordDTO) -> RecordDTO:
        return self.ctx.services.records.get(token, row.id, patient_id=self.patient_id)
