"""Rows of the chart access log (who opened or read whose chart, when), newest first, paged.

One model serves both views: the administrators' log (filtered by patient or by person through
``PatientService.access_log``) and a signed-in patient's "Who opened my chart"
(``PatientService.who_opened_my_chart``); the page passes the fetch it may use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from PySide6.QtCore import QObject

from desktop.domain.dto import Page
from desktop.domain.enums import Role
from desktop.domain.patient_dto import AccessLogEntry, AccessLogQuery
from desktop.ui.tablemodels.paged_model import PagedTableModel

#: (query with offset and limit set) -> one page of the log
FetchLog = Callable[[AccessLogQuery], Page[AccessLogEntry]]

ALL_COLUMNS = (
    ("When", "created_at", None),
    ("Who", "user_name", None),
    ("Role", "user_role", None),
    ("Patient", "patient_name", None),
    ("What", "action", None),
    ("Detail", "detail", None),
)


#: The access-log actions in words (the stored value is the policy action's name).
ACTION_WORDS = {
    "chart.open": "Opened the chart",
    "chart.read_medical": "Read medical data",
    "patients.read": "Read contact details",
}


def role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


class AccessLogModel(PagedTableModel[AccessLogEntry]):
    COLUMNS: ClassVar[Sequence[tuple[str, str, str | None]]] = ALL_COLUMNS

    def __init__(self, fetch: FetchLog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self.query = AccessLogQuery(limit=self.PAGE_SIZE)

    def fetch_page(self, offset: int, limit: int, after: str | None = None) -> Page[AccessLogEntry]:
        return self._fetch(replace(self.query, offset=offset, limit=limit))

    def display(self, dto: AccessLogEntry, column: int) -> str:
        attribute = self.COLUMNS[column][1]
        if attribute == "created_at":
            return dto.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if attribute == "user_role":
            return role_label(dto.user_role)
        if attribute == "action":
            return ACTION_WORDS.get(dto.action, dto.action)
        return super().display(dto, column)

    def set_filter(self, *, patient_id: str | None = None, user_id: str | None = None, **_: Any) -> None:
        """Only one patient's chart, only one person's look-ups, both, or (None, None) everything."""
        self.query = replace(self.query, patient_id=patient_id, user_id=user_id)
        self.reload()


class OwnAccessLogModel(AccessLogModel):
    """A patient's own log: every row is about them, so no patient column."""

    COLUMNS = tuple(column for column in ALL_COLUMNS if column[1] != "patient_name")
