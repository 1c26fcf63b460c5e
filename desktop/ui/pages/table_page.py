"""The pattern shared by the medical records and family history pages.

A search box (filtered in SQL by the service, 300 ms after the last key), buttons New / Edit / Delete /
History / Export CSV, and a table over an IdListTableModel (the ordered ids, rows fetched as shown).
Subclasses name the DTO of their rows (``TablePage[RecordDTO]``) and provide the model, the edit
dialog, and the service calls for delete and history; the export reads every matching row through
the model's ids, a batch at a time (csv_export.py). Shortcuts from the main window arrive as
``new_item()`` and ``focus_search()``.

The page's unsaved input is the add/edit dialog open on it (``Drafting``, drafts.py): as a draft it
keeps that dialog's typed values, and restoring reopens the dialog with them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dto import AuditEntryDTO
from desktop.domain.errors import ConflictError, NotFoundError, SessionExpiredError
from desktop.domain.patient_dto import PatientDTO
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.edit_dialog import EditableRow, EditDialog, FormDraft
from desktop.ui.dialogs.history_dialog import HistoryDialog
from desktop.ui.errors import user_message
from desktop.ui.formatting import count_text
from desktop.ui.pages.csv_export import ListExport
from desktop.ui.tablemodels.id_list_model import IdListTableModel, reload_keeping_place
from desktop.ui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 300

DtoT = TypeVar("DtoT", bound=EditableRow)


class TablePage(QWidget, Generic[DtoT]):
    title = ""
    noun = "entry"
    plural = ""  # defaults to noun + "s"
    search_hint = "Search"

    def __init__(
        self, ctx: UiContext, patient: PatientDTO | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        #: The chart's patient: every service call names them (None: the signed-in patient's own).
        self.patient = patient
        self.patient_id = patient.id if patient is not None else None
        self._form: EditDialog[DtoT, Any] | None = None  # the add/edit dialog open now
        self.model: IdListTableModel[DtoT] = self.make_model()
        self.model.fetch_failed.connect(self._fetch_failed)
        self.model.reloaded.connect(self._update_count)

        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.search_hint)
        self.search.setAccessibleName(f"Search {self.title.lower()}")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filter)

        self.new_button = self._button("&New...", f"New {self.noun}", self.new_item)
        self.edit_button = self._button("&Edit...", f"Edit the selected {self.noun}", self.edit_selected)
        self.delete_button = self._button("&Delete", f"Delete the selected {self.noun}", self.delete_selected)
        self.history_button = self._button(
            "&History...", f"History of the selected {self.noun}", self.show_history
        )
        self.export = ListExport(
            self, ctx, self.title.lower(), self.model.COLUMNS, self.model.all_rows, self._nouns,
            self._action_failed,
        )  # fmt: skip
        self.export_button = self.export.button

        self.view = RowTable(self.model, self.title)
        # activated = double-click or Enter; listening to doubleClicked too opened two dialogs
        self.view.activated.connect(lambda _i: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        self.count_label.setAccessibleName("Number of entries")

        self.filters = QHBoxLayout()
        self.filters.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button, self.history_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(self.filters)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        self.setup_extra()
        self.setup_sorting()
        self._update_buttons()

    def _button(self, text: str, accessible: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    # --- hooks ---------------------------------------------------------------------------------------

    def make_model(self) -> IdListTableModel[DtoT]:
        raise NotImplementedError

    def make_dialog(self, dto: DtoT | None) -> EditDialog[DtoT, Any]:
        """The add (``dto`` None) or edit dialog; its draft type is its own business."""
        raise NotImplementedError

    def delete_call(self, token: str, dto: DtoT) -> None:
        raise NotImplementedError

    def history_call(self, token: str, dto: DtoT) -> Sequence[AuditEntryDTO]:
        raise NotImplementedError

    def describe(self, dto: DtoT) -> str:
        return f"this {self.noun}"

    def setup_extra(self) -> None:
        """Add filters or delegates (called once before the first load)."""

    def setup_sorting(self) -> None:
        """Show the service's default order in the header; clicking a header sorts in SQL."""
        self.view.horizontalHeader().setSortIndicator(self.default_sort_column, self.default_sort_order)
        self.view.setSortingEnabled(True)  # Qt calls model.sort() now: that is the first load

    default_sort_column = 0
    default_sort_order = Qt.SortOrder.DescendingOrder

    def filter_args(self) -> dict[str, Any]:
        return {"text": self.search.text()}

    # --- actions -------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Read the list again (changes from other desktops show), keeping the selected row and the
        scroll position."""
        reload_keeping_place(self.view, self.model)
        self._update_buttons()

    @Slot()
    def apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(**self.filter_args())
        self._update_buttons()

    @Slot()
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def selected(self) -> DtoT | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return self.model.dto(rows[0].row()) if rows else None

    def select_id(self, ident: Hashable) -> bool:
        row = self.model.row_of(ident)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)
        return True

    @Slot()
    def new_item(self) -> None:
        self._open_form(None)

    @Slot()
    def edit_selected(self) -> None:
        dto = self.selected()
        if dto is not None:
            self._open_form(dto)

    def _open_form(self, dto: DtoT | None) -> EditDialog[DtoT, Any]:
        dialog = self.make_dialog(dto)
        dialog.saved.connect(self._created if dto is None else self._edited)
        dialog.finished.connect(self._form_finished)
        self._form = dialog
        self.open_dialog(dialog)
        return dialog

    @Slot(int)
    def _form_finished(self, _result: int) -> None:
        if self.sender() is self._form:  # not a dialog opened after it
            self._form = None

    # --- input not yet saved (drafts.py) -------------------------------------------------------------

    def unsaved_changes(self) -> str:
        return self._form.unsaved_changes() if self._form is not None else ""

    def take_draft(self) -> FormDraft | None:
        return self._form.form_draft() if self._form is not None else None

    def restore_draft(self, draft: object) -> None:
        """Reopen the add/edit dialog with the values typed into it before."""
        if isinstance(draft, FormDraft):
            self._open_form(cast("DtoT | None", draft.row)).restore_values(draft.values)

    def open_dialog(self, dialog: QDialog) -> None:
        """Open modally; tests replace this to drive the dialog without a nested event loop."""
        dialog.setModal(True)
        dialog.open()
        self._dialog = dialog

    def _created(self, dto: DtoT) -> None:
        reload_keeping_place(self.view, self.model)
        self.select_id(dto.id)

    def _edited(self, dto: DtoT) -> None:
        """Repaint the saved row where it is (its place in the order changes on the next refresh)."""
        self.model.refresh_id(dto.id)
        self._update_buttons()

    @Slot()
    def delete_selected(self) -> None:
        dto = self.selected()
        if dto is None or self.ctx.runner.is_running("delete"):
            return
        question = (
            f"Delete {self.describe(dto)}?\n\nIt disappears from this list; its last values "
            "are kept in the audit log."
        )
        if not prompts.confirm(self, question, f"Delete {self.noun}", yes_label="Delete", destructive=True):
            return
        self.ctx.runner.run(
            partial(self.delete_call, self.ctx.token, dto),
            key="delete",
            on_done=lambda _r: self._deleted(),
            on_error=self._action_failed,
        )

    def _deleted(self) -> None:
        reload_keeping_place(self.view, self.model)
        self._update_buttons()

    @Slot()
    def show_history(self) -> None:
        dto = self.selected()
        if dto is None:
            return
        self.ctx.runner.run(
            partial(self.history_call, self.ctx.token, dto),
            on_error=self._action_failed,
            on_done=lambda entries: self._show_history(dto, entries),
        )

    def _show_history(self, dto: DtoT, entries: Sequence[AuditEntryDTO]) -> None:
        dialog = HistoryDialog(entries, f"History of {self.describe(dto)}", self)
        self.open_dialog(dialog)

    @Slot()
    def export_csv(self) -> None:
        self.export.run()

    def _action_failed(self, error: BaseException) -> None:
        if isinstance(error, ConflictError | NotFoundError):
            reload_keeping_place(self.view, self.model)
        prompts.error(self, user_message(error, already_logged=True))

    def _fetch_failed(self, error: BaseException) -> None:
        self.count_label.setText(user_message(error))
        if isinstance(error, SessionExpiredError):  # fetched on the GUI thread, not via the runner
            self.ctx.runner.session_expired.emit()

    def _update_count(self, *_args: object) -> None:
        filtered = any(value for value in self.filter_args().values())
        nouns = (self.noun, self.plural or f"{self.noun}s")
        self.count_label.setText(count_text(self.model.total, self.model.rowCount(), nouns, filtered))

    def _nouns(self, count: int) -> str:
        return self.noun if count == 1 else (self.plural or f"{self.noun}s")

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for button in (self.edit_button, self.delete_button, self.history_button):
            button.setEnabled(has)
