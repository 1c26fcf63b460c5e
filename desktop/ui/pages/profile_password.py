"""The "Change password" group of a signed-in patient's Profile page.

The current password is required; the new one's rules are the service's
(``AuthService.change_password`` raises ValidationError), and its messages appear under the inputs
like the rest of the page's (the page registers the inputs as its own fields).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QPushButton, QWidget

from desktop.domain.errors import ValidationError
from desktop.ui.dialogs import prompts
from desktop.ui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

KEYS = ("current_password", "new_password", "new_password2")


class FieldHost(Protocol):
    """The page the group sits on: its inputs with their error labels, and its message line."""

    errors: dict[str, FieldError]

    def field_row(self, key: str, widget: QWidget, accessible: str) -> QWidget: ...
    def show_field_errors(self, fields: dict[str, str]) -> None: ...
    def show_failure(self, error: BaseException) -> None: ...


class PasswordBox(QGroupBox):
    def __init__(self, ctx: UiContext, host: FieldHost, parent: QWidget | None = None) -> None:
        super().__init__("Change password", parent)
        self.ctx = ctx
        self.host = host
        self.current_password = QLineEdit()
        self.new_password = QLineEdit()
        self.new_password2 = QLineEdit()
        form = QFormLayout(self)
        for label, edit, key in (
            ("C&urrent password:", self.current_password, "current_password"),
            ("Ne&w password:", self.new_password, "new_password"),
            ("&Repeat new password:", self.new_password2, "new_password2"),
        ):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow(label, host.field_row(key, edit, label.replace("&", "").rstrip(":")))
        self.button = QPushButton("&Change password")
        self.button.setAccessibleName("Change password")
        self.button.clicked.connect(self.change_password)
        form.addRow("", self.button)

    @Slot()
    def change_password(self) -> None:
        for key in KEYS:
            self.host.errors[key].clear_error()
        if self.new_password.text() != self.new_password2.text():
            self.host.show_field_errors({"new_password2": "The two new passwords differ."})
            return
        self.button.setEnabled(False)
        self.ctx.runner.run(
            partial(
                self.ctx.services.auth.change_password,
                self.ctx.token,
                self.current_password.text(),
                self.new_password.text(),
            ),
            key="password",
            on_done=self._changed,
            on_error=self._failed,
        )

    def _changed(self, _result: object) -> None:
        self.button.setEnabled(True)
        for edit in (self.current_password, self.new_password, self.new_password2):
            edit.clear()
        prompts.info(self, "Your password was changed.")

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        if isinstance(error, ValidationError):
            fields = dict(error.fields) or {"new_password": error.message}
            if "password" in fields:
                fields["new_password"] = fields.pop("password")
            self.host.show_field_errors(fields)
            return
        self.host.show_failure(error)
