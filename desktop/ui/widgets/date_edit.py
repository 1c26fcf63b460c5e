"""A date field where a whole date can be typed (2026-03-15 or 20260315) as well as picked from the
calendar popup.

QDateEdit edits one section at a time and moves on by itself once a section is full, so typing the
separator after a full year skipped the month; and with the whole text selected the first digit
went into whatever section the cursor was in. Here typing starts at the year whenever everything is
selected (or the field shows its special "Any" text), and a separator typed just after the field
moved on by itself is ignored.
"""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QWidget

DATE_FORMAT = "yyyy-MM-dd"  # ISO 8601: unambiguous whatever the clinic's locale
SEPARATOR = "-"


class DateEdit(QDateEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat(DATE_FORMAT)
        self.setToolTip("Type the date as year-month-day (2026-03-15), or pick it from the calendar.")

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.setSelectedSection(QDateTimeEdit.Section.YearSection)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        edit = self.lineEdit()
        typed = event.text()
        if typed.isdigit():
            if self.specialValueText() and self.text() == self.specialValueText():
                self.setDate(QDate.currentDate())  # "Any": start from a real date to type over
                self.setSelectedSection(QDateTimeEdit.Section.YearSection)
            elif edit.hasSelectedText() and edit.selectedText() == edit.text():
                self.setSelectedSection(QDateTimeEdit.Section.YearSection)
        start = edit.selectionStart() if edit.hasSelectedText() else edit.cursorPosition()
        if typed == SEPARATOR and start > 0 and edit.text()[start - 1] == SEPARATOR:
            event.accept()  # the field already moved on to the next part
            return
        super().keyPressEvent(event)
