"""The screen shown instead of the pages after the idle lock or Ctrl+L.

It hides every page (medical data must not stay readable on an unattended screen), names who is
signed in, and offers three ways out: the password (checked by ``AuthService.verify_password`` on the
worker pool; wrong attempts count towards the lockout), signing out, or "Switch user" for the next
person at a shared desk (the main window ends this session without asking the next person about
someone else's input: what the owner left unsaved is kept for them as drafts, session_window.py).
Emits ``unlocked``, ``sign_out_requested`` or ``switch_user_requested``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.domain.errors import AccountLockedError, SessionExpiredError
from desktop.ui.errors import user_message

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class LockScreen(QWidget):
    unlocked = Signal()
    sign_out_requested = Signal(str)  # the reason to show at the sign-in window ("" for none)
    switch_user_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("LockScreen")
        self.setAutoFillBackground(True)
        title = QLabel("ClinicDesk is locked")
        title.setObjectName("PageTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who = QLabel()
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to unlock")
        self.password.returnPressed.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Unlock message")
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.sign_out_button = QPushButton("Sign &out")
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.clicked.connect(lambda: self.sign_out_requested.emit(""))
        self.switch_button = QPushButton("S&witch user")
        self.switch_button.setAccessibleName("Switch user")
        self.switch_button.setToolTip(
            "Sign this person out so someone else can sign in (their unsaved input is kept for them)"
        )
        self.switch_button.clicked.connect(self.switch_user_requested)

        form = QFormLayout()
        form.addRow("&Password:", self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.switch_button)
        box = QWidget()
        box.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(self.who)
        inner.addLayout(form)
        inner.addWidget(self.message)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.setTabOrder(self.password, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.sign_out_button)
        self.setTabOrder(self.sign_out_button, self.switch_button)

    def prepare(self) -> None:
        """Reset the form each time the screen is shown."""
        user = self.ctx.user
        self.who.setText(
            f"Signed in as {user.name} ({user.email}). Enter your password to continue." if user else ""
        )
        self.password.clear()
        self.message.clear()
        self.password.setEnabled(True)
        self.unlock_button.setEnabled(True)
        self.password.setFocus()

    @Slot()
    def submit(self) -> None:
        if self.ctx.runner.is_running("unlock"):
            return
        password = self.password.text()
        if not password:
            self.message.setText("Enter your password.")
            return
        self.unlock_button.setEnabled(False)
        self.message.setText("Checking...")
        self.ctx.runner.run(
            partial(self.ctx.services.auth.verify_password, self.ctx.token, password),
            key="unlock",
            on_done=self._ok,
            on_error=self._failed,
        )

    def _ok(self, _result: object) -> None:
        self.password.clear()
        self.message.clear()
        self.unlock_button.setEnabled(True)
        self.unlocked.emit()

    def _failed(self, error: BaseException) -> None:
        self.password.clear()
        self.unlock_button.setEnabled(True)
        text = user_message(error, already_logged=True)
        if isinstance(error, AccountLockedError | SessionExpiredError):
            self.sign_out_requested.emit(text)
            return
        self.message.setText(text)
        self.password.setFocus()
