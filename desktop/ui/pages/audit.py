"""Admin page: the audit log, filterable by text, action and date range; an entry opens its values.

The service refuses non-admins (PermissionDeniedError); the page is only offered to admins anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import QComboBox, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.dto import AuditAction
from desktop.domain.errors import SessionExpiredError
from desktop.ui.dialogs.history_dialog import HistoryDialog
from desktop.ui.errors import user_message
from desktop.ui.formatting import action_label
from desktop.ui.tablemodels.audit_model import AuditModel
from desktop.ui.tablemodels.id_list_model import reload_keeping_place
from desktop.ui.widgets.date_edit import DateEdit
from desktop.ui.widgets.row_table import RowTable
from desktop.ui.widgets.search_header import SearchHeader

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

ANY_DATE = QDate(2000, 1, 1)


def _date_edit(accessible: str) -> DateEdit:
    edit = DateEdit()
    edit.setMinimumDate(ANY_DATE)
    edit.setSpecialValueText("Any")
    edit.setDate(ANY_DATE)
    edit.setAccessibleName(accessible)
    return edit


def _label_for(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (Alt+letter) moves the focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class AuditPage(QWidget):
    title = "Audit log"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = AuditModel(ctx, self)
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        self.count_label.setAccessibleName("Number of entries")
        self.model.fetch_failed.connect(self._fetch_failed)
        self.model.reloaded.connect(lambda *_: self._update_count())
        self.header = SearchHeader(
            self.title,
            search_hint="Search who, summary or id (Ctrl+F)",
            search_name="Search the audit log",
        )
        assert self.header.search is not None
        self.search = self.header.search
        self.header.search_changed.connect(lambda _text: self.apply_filter())
        self.action = QComboBox()
        self.action.setAccessibleName("Filter by action")
        self.action.addItem("All actions", "")  # "" means no filter
        for action in AuditAction:
            self.action.addItem(action_label(action.value), action.value)
        self.date_from = _date_edit("From date")
        self.date_to = _date_edit("To date")
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        self.action.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.date_from.dateChanged.connect(lambda _d: self.apply_filter())
        self.date_to.dateChanged.connect(lambda _d: self.apply_filter())
        self.header.add(
            self.action,
            _label_for("&From:", self.date_from),
            self.date_from,
            _label_for("&To:", self.date_to),
            self.date_to,
            self.clear_button,
        )

        self.view = RowTable(self.model, "Audit entries")
        header = self.view.horizontalHeader()
        metrics = self.fontMetrics()
        # Compact columns, so the summary (what happened) keeps most of the width at 1024 pixels;
        # longer e-mails and ids are cut, and an entry opens in full with Enter.
        for column, sample in enumerate(
            ("2026-12-31 23:59:59", "someone@clinic", "account created", "Family history", "12345")
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + metrics.height())
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.view.setSortingEnabled(True)
        # activated = double-click or Enter (doubleClicked as well would open the entry twice)
        self.view.activated.connect(lambda _i: self.open_selected())
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

    @Slot()
    def refresh(self) -> None:
        reload_keeping_place(self.view, self.model)

    @Slot()
    def focus_search(self) -> None:
        self.header.focus_search()

    @Slot()
    def apply_filter(self) -> None:
        self.header.cancel_pending()
        start, end = self.date_from.date(), self.date_to.date()
        self.model.set_filter(
            text=self.search.text().strip(),
            action=self.action.currentData() or None,
            date_from=None if start == ANY_DATE else start.toPython(),
            date_to=None if end == ANY_DATE else end.toPython(),
        )

    @Slot()
    def clear_filters(self) -> None:
        for widget in (self.search, self.action, self.date_from, self.date_to):
            widget.blockSignals(True)
        self.search.clear()
        self.action.setCurrentIndex(0)
        self.date_from.setDate(ANY_DATE)
        self.date_to.setDate(ANY_DATE)
        for widget in (self.search, self.action, self.date_from, self.date_to):
            widget.blockSignals(False)
        self.apply_filter()

    @Slot()
    def open_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        entry = self.model.dto(rows[0].row()) if rows else None
        if entry is None:
            return
        dialog = HistoryDialog([entry], f"Audit entry {entry.id}", self)
        dialog.setModal(True)
        dialog.open()
        self._dialog = dialog

    def _fetch_failed(self, error: BaseException) -> None:
        self.count_label.setText(user_message(error))
        if isinstance(error, SessionExpiredError):
            self.ctx.runner.session_expired.emit()

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(f"{total} entr{'y' if total == 1 else 'ies'}")
