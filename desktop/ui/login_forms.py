"""The two forms of the sign-in window: signing in, and creating an account (or the first admin).

Plain widgets wired to the callbacks they are given; the sign-in window (login.py) decides what the
buttons do and which form shows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.ui.widgets.field_error import FieldError


def _line(name: str, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _stack(page: QWidget, form: QFormLayout, buttons: QDialogButtonBox) -> None:
    box = QVBoxLayout(page)
    box.setContentsMargins(0, 0, 0, 0)
    box.addLayout(form)
    box.addWidget(buttons)


class SignInForm:
    """E-mail, password, Sign in and "Create an account..." (``page`` is the widget to show)."""

    def __init__(self, submit: Callable[[], None], create: Callable[[], None]) -> None:
        self.page = QWidget()
        self.email = _line("E-mail")
        self.email.setPlaceholderText("name@clinic.example")
        self.password = _line("Password", password=True)
        form = QFormLayout()
        form.addRow("&E-mail:", self.email)
        form.addRow("&Password:", self.password)
        self.sign_in_button = QPushButton("&Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(submit)
        self.create_link = QPushButton("&Create an account...")
        self.create_link.setAccessibleName("Create an account")
        self.create_link.setFlat(True)
        self.create_link.clicked.connect(create)
        buttons = QDialogButtonBox()
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.create_link, QDialogButtonBox.ButtonRole.ActionRole)
        self.password.returnPressed.connect(submit)
        self.email.returnPressed.connect(self.password.setFocus)
        _stack(self.page, form, buttons)


class CreateAccountForm:
    """Name, e-mail, password twice, with an inline error under each (``field_errors`` by field)."""

    def __init__(self, submit: Callable[[], None], back: Callable[[], None]) -> None:
        self.page = QWidget()
        self.new_name = _line("Full name")
        self.new_email = _line("E-mail for the new account")
        self.new_password = _line("New password", password=True)
        self.new_password.setPlaceholderText("at least 10 characters")
        self.new_password2 = _line("Repeat the new password", password=True)
        self.field_errors = {key: FieldError() for key in ("name", "email", "password", "password2")}
        form = QFormLayout()
        for label, edit, key in (
            ("Full &name:", self.new_name, "name"),
            ("E-&mail:", self.new_email, "email"),
            ("Pass&word:", self.new_password, "password"),
            ("&Repeat password:", self.new_password2, "password2"),
        ):
            form.addRow(label, edit)
            form.addRow("", self.field_errors[key])
        self.create_button = QPushButton("Create account and sign in")
        self.create_button.setAccessibleName("Create account and sign in")
        self.create_button.clicked.connect(submit)
        self.back_button = QPushButton("&Back to sign in")
        self.back_button.setAccessibleName("Back to sign in")
        self.back_button.clicked.connect(back)
        buttons = QDialogButtonBox()
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.new_password2.returnPressed.connect(submit)
        _stack(self.page, form, buttons)

    def widget_for(self, field: str) -> QWidget | None:
        """The input a service's ValidationError field names."""
        return {"name": self.new_name, "email": self.new_email, "password": self.new_password}.get(field)
