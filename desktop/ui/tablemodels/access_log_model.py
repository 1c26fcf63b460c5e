"""Rows of the chart access log (who opened or read whose chart, when), newest first: the ordered ids
from the service, entries fetched as they are shown.

One design serves both views: the administrators' log (filtered by patient or by person through
``PatientService.access_log_ids``/``access_log_rows``) and a signed-in patient's "Who opened my chart"
(``PatientService.my_chart_access_ids``/``my_chart_access_rows``, which return only their own entries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTableView

from desktop.domain.enums import Role
from desktop.domain.patient_dto import AccessLogEntry, AccessLogQuery
from desktop.ui.tablemodels.id_list_model import Column, IdListTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

ALL_COLUMNS: tuple[Column, ...] = (
    ("When", "created_at", None),
    ("Who", "user_name", None),
    ("Role", "user_role", None),
    ("Patient", "patient_name", None),
    ("What", "action", None),
    ("Detail", "detail", None),
)

#: Typical values, not the longest: at 1024 pixels every column stays in view and the detail keeps
#: the rest; a longer name is cut and its tooltip shows it in full.
TYPICAL_VALUES = {
    "created_at": "2026-12-31 23:59",
    "user_name": "Dr Cleo Okafor",
    "user_role": "Administrator",
    "patient_name": "GARCÍA LÓPEZ, María",
    "action": "Read contact details",
}

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


def size_columns(view: QTableView, model: AccessLogModel) -> None:
    """Give each column of ``view`` (over ``model``) the width of a typical value; the last one
    stretches."""
    metrics = view.fontMetrics()
    for column, (_, attribute, _) in enumerate(model.COLUMNS[:-1]):
        sample = TYPICAL_VALUES.get(attribute, "M" * 12)
        view.horizontalHeader().resizeSection(column, metrics.horizontalAdvance(sample) + 24)


class AccessLogModel(IdListTableModel[AccessLogEntry]):
    """Administrators: the whole log, or one patient's chart, or one person's look-ups."""

    COLUMNS: ClassVar[Sequence[Column]] = ALL_COLUMNS

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.query = AccessLogQuery()

    def fetch_ids(self) -> Sequence[int]:
        return self.ctx.services.patients.access_log_ids(self.ctx.token, self.query)

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[AccessLogEntry]:
        return self.ctx.services.patients.access_log_rows(self.ctx.token, ids)

    def set_order(self, key: str, descending: bool) -> None:
        """The log is always newest first."""

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

    def fetch_ids(self) -> Sequence[int]:
        return self.ctx.services.patients.my_chart_access_ids(self.ctx.token)

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[AccessLogEntry]:
        return self.ctx.services.patients.my_chart_access_rows(self.ctx.token, ids)
