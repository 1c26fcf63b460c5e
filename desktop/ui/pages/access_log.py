"""The chart access log: who opened or read which patient's chart, and when.

Administrators see every entry and narrow it to one patient or to one person by choosing an entry
and pressing "Only this patient" / "Only this person" (the filter says whom it shows; "Show
everyone" lifts it). A signed-in patient gets the same table over their own chart only, titled
"Who opened my chart". The services decide who may read which log; these pages only show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.errors import SessionExpiredError
from desktop.domain.patient_dto import AccessLogEntry
from desktop.ui.errors import user_message
from desktop.ui.formatting import count_text
from desktop.ui.tablemodels.access_log_model import AccessLogModel, OwnAccessLogModel, size_columns
from desktop.ui.tablemodels.id_list_model import reload_keeping_place
from desktop.ui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class _LogPage(QWidget):
    title = ""
    intro = ""
    empty = "No entries."

    def __init__(self, ctx: UiContext, model: AccessLogModel, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        model.setParent(self)
        self.model.fetch_failed.connect(self._fetch_failed)
        self.model.reloaded.connect(lambda *_: self._update_count())
        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        intro = QLabel(self.intro)
        intro.setWordWrap(True)
        self.view = RowTable(self.model, self.title)
        self.view.horizontalHeader().setSortIndicatorShown(False)  # always newest first
        size_columns(self.view, self.model)
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        self.count_label.setAccessibleName("Number of entries")
        self.filters = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(self.filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

    @Slot()
    def refresh(self) -> None:
        """Read the log again (new entries show), keeping the selected entry and the scroll position."""
        reload_keeping_place(self.view, self.model)

    def selected(self) -> AccessLogEntry | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.dto(rows[0].row()) if rows else None

    def _fetch_failed(self, error: BaseException) -> None:
        self.count_label.setText(user_message(error))
        if isinstance(error, SessionExpiredError):
            self.ctx.runner.session_expired.emit()

    def _update_count(self) -> None:
        total = self.model.total
        text = count_text(total, self.model.rowCount(), ("entry", "entries"), False) if total else self.empty
        self.count_label.setText(text)


class AccessLogPage(_LogPage):
    """Administrators: the whole log, narrowed to one patient or one person."""

    title = "Access log"
    intro = "Every opening of a chart and every read of a patient's data by someone other than the patient."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, AccessLogModel(ctx), parent)
        self.filter_label = QLabel("Showing everyone")
        self.filter_label.setAccessibleName("Access log filter")
        self.patient_button = QPushButton("Only this &patient")
        self.patient_button.setAccessibleName("Show only the selected entry's patient")
        self.patient_button.clicked.connect(self.only_patient)
        self.user_button = QPushButton("Only this pe&rson")
        self.user_button.setAccessibleName("Show only what the selected entry's person looked at")
        self.user_button.clicked.connect(self.only_user)
        self.all_button = QPushButton("Show &everyone")
        self.all_button.setAccessibleName("Show every entry again")
        self.all_button.clicked.connect(self.show_all)
        self.filters.addWidget(self.filter_label, 1)
        for button in (self.patient_button, self.user_button, self.all_button):
            self.filters.addWidget(button)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()
        self.refresh()

    def filter_by(
        self, *, patient_id: str | None = None, user_id: str | None = None, label: str = ""
    ) -> None:
        self.model.set_filter(patient_id=patient_id, user_id=user_id)
        self.filter_label.setText(label or "Showing everyone")
        self._update_buttons()

    @Slot()
    def only_patient(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.filter_by(patient_id=entry.patient_id, label=f"Showing the chart of {entry.patient_name}")

    @Slot()
    def only_user(self) -> None:
        entry = self.selected()
        if entry is not None and entry.user_id:
            self.filter_by(user_id=entry.user_id, label=f"Showing what {entry.user_name} opened")

    @Slot()
    def show_all(self) -> None:
        self.filter_by()

    def _update_buttons(self) -> None:
        entry = self.selected()
        self.patient_button.setEnabled(entry is not None)
        self.user_button.setEnabled(entry is not None and bool(entry.user_id))
        query = self.model.query
        self.all_button.setEnabled(bool(query.patient_id or query.user_id))


class MyAccessLogPage(_LogPage):
    """A signed-in patient: who opened their chart, and when."""

    title = "Who opened my chart"
    intro = (
        "The clinic's staff open your chart to treat you. Every time someone does, it is written "
        "down here: who, when and what they looked at."
    )
    empty = "Nobody else has opened your chart yet."

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, OwnAccessLogModel(ctx), parent)
        self.refresh()
