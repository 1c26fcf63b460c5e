"""Right after signing in with a password an administrator set (a new account or a reset): the person
chooses their own before anything else opens. Cancelling signs out.

The service (``AuthService.set_required_password``) checks the rules; this dialog only compares the
two entries.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.errors import user_message

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class NewPasswordDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("ClinicDesk - Choose your password")
        name = ctx.user.name if ctx.user else ""
        intro = QLabel(
            f"Welcome, {name}. Your password was set by an administrator: choose your own before you "
            "continue. At least 10 characters; only you should know it."
        )
        intro.setWordWrap(True)
        self.password = self._line("New password")
        self.password2 = self._line("Repeat the new password")
        self.password2.returnPressed.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Password message")
        form = QFormLayout()
        form.addRow("&New password:", self.password)
        form.addRow("&Repeat it:", self.password2)
        self.ok_button = QPushButton("&Set password and continue")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Sign &out")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 32)
        self.password.setFocus()

    @staticmethod
    def _line(name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        return edit

    @Slot()
    def submit(self) -> None:
        if self.ctx.runner.is_running("new-password"):
            return
        password = self.password.text()
        if password != self.password2.text():
            self.message.setText("The two passwords differ.")
            self.password2.setFocus()
            return
        self.ok_button.setEnabled(False)
        self.message.setText("Saving...")
        self.ctx.runner.run(
            partial(self.ctx.services.auth.set_required_password, self.ctx.token, password),
            key="new-password",
            on_done=lambda _r: self.accept(),
            on_error=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.password.clear()
        self.password2.clear()
        self.message.setText(user_message(error, already_logged=True))
        self.password.setFocus()
