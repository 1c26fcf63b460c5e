"""The patient list's rows: the ids of every patient matching the search box, rows read as shown.

The page searches off the GUI thread (a keystroke must never wait for the database): a worker reads
the ids and the first batch of rows (:func:`read_answer`), and the page hands the answer to
:meth:`PatientsModel.show` on the GUI thread. Rows further down are read a batch at a time
as the view shows them, like every id-list table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from desktop.domain.patient_dto import PatientSummary
from desktop.ui import patient_format as fmt
from desktop.ui.tablemodels.id_list_model import IdListTableModel

if TYPE_CHECKING:
    from desktop.services.patients import PatientService
    from desktop.ui.context import UiContext


@dataclass(frozen=True)
class PatientSearch:
    """What the list shows: the text typed and whether deactivated patients are included."""

    text: str = ""
    include_inactive: bool = False


@dataclass(frozen=True)
class SearchAnswer:
    """Every matching id in the list's order, and the rows of the first batch of them."""

    search: PatientSearch
    ids: tuple[str, ...]
    first_rows: tuple[PatientSummary, ...]


def read_answer(patients: PatientService, token: str, search: PatientSearch, batch: int) -> SearchAnswer:
    """The ids matching ``search`` and the rows of the first ``batch`` of them (what the view shows at
    once). Plain service calls, for a worker thread: it touches no Qt object."""
    ids = patients.search_ids(token, search.text, include_inactive=search.include_inactive)
    return SearchAnswer(search, ids, patients.rows(token, ids[:batch]))


class PatientsModel(IdListTableModel[PatientSummary]):
    # The list's order is the search's ranking (recent first, or name order): no column sorts.
    COLUMNS = (
        ("Name", "name", None),
        ("Born", "date_of_birth", None),
        ("Gender", "sex", None),
        ("MRN", "mrn", None),
        ("Phone", "phone", None),
    )

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = PatientSearch()
        self.today = dt.date.today()

    # --- reading -------------------------------------------------------------------------------------

    def read(self, search: PatientSearch) -> SearchAnswer:
        """Read ``search``'s answer here, on the GUI thread (the page reads it on a worker with
        :func:`read_answer`)."""
        return read_answer(self.ctx.services.patients, self.ctx.token, search, self.BATCH)

    def fetch_ids(self) -> Sequence[str]:
        return self.ctx.services.patients.search_ids(
            self.ctx.token, self.search.text, include_inactive=self.search.include_inactive
        )

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[PatientSummary]:
        return self.ctx.services.patients.rows(self.ctx.token, ids)

    # --- the query -----------------------------------------------------------------------------------

    def set_order(self, key: str, descending: bool) -> None:
        """The search decides the order."""

    def set_filter(self, text: str = "", include_inactive: bool = False) -> None:
        """Search on the GUI thread (the page searches on a worker and calls :meth:`show`)."""
        self.show(self.read(PatientSearch(text, include_inactive)))

    def show(self, answer: SearchAnswer) -> None:
        """Show an answer read by :meth:`read`: its ids, with the first rows already in the cache."""
        self.search = answer.search
        self.today = dt.date.today()
        self.beginResetModel()
        self._ids = answer.ids
        self._forget()
        self._store(answer.first_rows)
        self.endResetModel()
        self.reloaded.emit(len(answer.ids))

    def reload(self) -> bool:
        self.today = dt.date.today()
        return super().reload()

    # --- cells ---------------------------------------------------------------------------------------

    def display(self, dto: PatientSummary, column: int) -> str:
        if column == 0:
            return fmt.display_name(dto) + ("" if dto.is_active else " (deactivated)")
        if column == 1:
            return fmt.born(dto.date_of_birth, self.today)
        if column == 2:
            return dto.sex.label
        if column == 3:
            return fmt.mrn(dto.mrn)
        return dto.phone

    def cell(self, dto: PatientSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not dto.is_active:
            return Qt.GlobalColor.gray
        return None
