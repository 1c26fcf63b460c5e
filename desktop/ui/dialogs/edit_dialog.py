"""The shared shape of the add/edit dialogs (records, family history): form, inline errors, save.

A subclass names its row and draft types (``EditDialog[RecordDTO, RecordDraft]``), builds its inputs,
registers them with ``add_field(key, label, widget)`` (the key is the service's field name, so
``ValidationError.fields`` land next to the right input), and implements ``draft()``, ``fill(dto)``,
``create_row(token, draft)``, ``update_row(token, row, draft)`` and ``fetch_row(token, row)``
(not ``create``/``update``: QWidget has methods of those names). Saving runs on the worker pool;
``saved(dto)`` is emitted and the dialog accepts.

Optimistic concurrency: the dialog keeps the ``version`` of the row it opened. If someone else saved
the row in between, the service raises ConflictError; the dialog says so and offers to reload the
current values (the person's own edits are then redone by hand, nothing is silently overwritten).

Input not yet saved (drafts.py): the inputs' values when the dialog is first shown (or reloaded) are
its saved state; ``unsaved_changes()`` names the entry when they differ, ``form_draft()`` keeps the
typed values with the row they were typed over (its version too, so a draft saved later over a row
changed meanwhile is refused as a conflict like any other save), and ``restore_values`` puts them
back into a new dialog for that row.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, cast

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class EditableRow(Protocol):
    """A row an edit dialog can save: its id, and the version it was read at (optimistic locking)."""

    @property
    def id(self) -> Hashable: ...
    @property
    def version(self) -> int: ...


DtoT = TypeVar("DtoT", bound=EditableRow)
DraftT = TypeVar("DraftT")

#: The inputs of a form as plain values, by field key (text, a number, a choice's index, an ISO date).
FormValues = dict[str, object]


@dataclass(frozen=True)
class FormDraft:
    """An add (``row`` None) or edit dialog's unsaved input, to reopen it with (drafts.py)."""

    row: object
    values: FormValues


CONFLICT_TEXT = (
    "This entry was changed by someone else after you opened it.\n\n"
    "Reload it to see the current values? Your changes in this window will be replaced; "
    "make them again after reloading."
)


class EditDialog(QDialog, Generic[DtoT, DraftT]):
    saved = Signal(object)  # the saved DtoT
    noun = "entry"

    def __init__(
        self,
        ctx: UiContext,
        dto: DtoT | None = None,
        parent: QWidget | None = None,
        *,
        patient_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        #: Whose chart this entry belongs to, fixed when the dialog opens (None: the signed-in
        #: patient's own): what is typed here can only be saved into that chart.
        self.patient_id = patient_id
        self.dto = dto
        self._shown_values: FormValues | None = None  # the saved state, once the dialog is shown
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setWindowTitle(f"Edit {self.noun}" if dto is not None else f"New {self.noun}")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)

    def add_field(self, key: str, label: str, widget: QWidget) -> None:
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        error = FieldError()
        self.fields[key] = widget
        self.errors[key] = error
        self.form.addRow(label, widget)
        self.form.addRow("", error)

    # --- to implement ------------------------------------------------------------------------------

    def draft(self) -> DraftT:
        """The values typed in; ValidationError (with ``fields``) when the form cannot be read."""
        raise NotImplementedError

    def fill(self, dto: DtoT) -> None:
        raise NotImplementedError

    def create_row(self, token: str, draft: DraftT) -> DtoT:
        raise NotImplementedError

    def update_row(self, token: str, row: DtoT, draft: DraftT) -> DtoT:
        """Save ``draft`` over ``row`` if it is still at ``row.version`` (else ConflictError)."""
        raise NotImplementedError

    def fetch_row(self, token: str, row: DtoT) -> DtoT:
        """The row's current values and version."""
        raise NotImplementedError

    # --- input not yet saved -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        if self._shown_values is None:  # the first showing; the lock screen hides and shows it again
            self._shown_values = self.input_values()
        super().showEvent(event)

    def input_values(self) -> FormValues:
        return {key: _value_of(widget) for key, widget in self.fields.items()}

    def restore_values(self, values: Mapping[str, object]) -> None:
        for key, value in values.items():
            if key in self.fields:
                _set_value(self.fields[key], value)

    def unsaved_changes(self) -> str:
        """Empty when nothing typed differs from what the dialog showed, else the entry named."""
        if self._shown_values is None or self.input_values() == self._shown_values:
            return ""
        return f"a new {self.noun}" if self.dto is None else f"changes to a {self.noun}"

    def form_draft(self) -> FormDraft:
        return FormDraft(self.dto, self.input_values())

    # --- saving ------------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for key, error in self.errors.items():
            error.clear_error()
            self._mark(self.fields[key], False)
        self.message.clear()

    def _mark(self, widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def show_field_errors(self, fields: dict[str, str]) -> None:
        first = None
        for key, text in fields.items():
            if key in self.errors:
                self.errors[key].set_error(text)
                self._mark(self.fields[key], True)
                first = first or self.fields[key]
        if first is not None:
            first.setFocus()

    @Slot()
    def save(self) -> None:
        if self.ctx.runner.is_running(f"save-{id(self)}"):
            return
        self.clear_errors()
        try:
            draft = self.draft()
        except ValidationError as error:  # a value the form itself could not read
            self.show_field_errors(error.fields)
            self.message.setText(error.message)
            return
        token = self.ctx.token
        call: Callable[[], DtoT]
        if self.dto is None:
            call = partial(self.create_row, token, draft)
        else:
            call = partial(self.update_row, token, self.dto, draft)
        self.save_button.setEnabled(False)
        self.ctx.runner.run(call, key=f"save-{id(self)}", on_done=self._saved, on_error=self._failed)

    def _saved(self, dto: DtoT) -> None:
        self.save_button.setEnabled(True)
        self.dto = dto
        self.saved.emit(dto)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_field_errors(error.fields)
            self.message.setText(error.message)
        elif isinstance(error, ConflictError):
            self.message.setText("Changed by someone else: not saved.")
            if prompts.confirm(self, CONFLICT_TEXT, "Changed by someone else", yes_label="Reload"):
                self.reload()
        elif isinstance(error, NotFoundError) and self.dto is not None:
            prompts.warn(self, f"This {self.noun} no longer exists (someone deleted it).")
            self.reject()
        else:
            self.message.setText(user_message(error, already_logged=True))

    @Slot()
    def reload(self) -> None:
        """Fetch the row's current values and version into the form."""
        if self.dto is None:
            return
        self.ctx.runner.run(
            partial(self.fetch_row, self.ctx.token, self.dto),
            on_done=self._reloaded,
            on_error=self._failed,
        )

    def _reloaded(self, dto: DtoT) -> None:
        self.dto = dto
        self.fill(dto)
        self._shown_values = self.input_values()
        self.clear_errors()
        self.message.setText("Reloaded: these are the current values.")


def _value_of(widget: QWidget) -> object:
    """An input's value as a plain value (what ``_set_value`` puts back)."""
    if isinstance(widget, QDateEdit):
        return widget.date().toString(Qt.DateFormat.ISODate)
    if isinstance(widget, QComboBox):
        return widget.currentText() if widget.isEditable() else widget.currentIndex()
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QAbstractButton):  # a check box
        return widget.isChecked()
    raise TypeError(f"no plain value for a {type(widget).__name__} input")


def _set_value(widget: QWidget, value: object) -> None:
    if isinstance(widget, QDateEdit):
        widget.setDate(QDate.fromString(str(value), Qt.DateFormat.ISODate))
    elif isinstance(widget, QComboBox):
        if widget.isEditable():
            widget.setCurrentText(str(value))
        else:
            widget.setCurrentIndex(cast(int, value))
    elif isinstance(widget, QSpinBox):
        widget.setValue(cast(int, value))
    elif isinstance(widget, QDoubleSpinBox):
        widget.setValue(cast(float, value))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(value))
    elif isinstance(widget, QAbstractButton):
        widget.setChecked(bool(value))
