"""The sign-in window: sign in, create an account, or create the first administrator.

It is the first window the app shows, *before* the database is opened (so it appears at once). The
e-mail and password can be typed at once while "Opening the database..." shows; pressing Sign in before
the services are ready queues the sign-in, which runs as soon as the app calls
``set_context(ctx, first_admin=...)``. bcrypt runs on the worker pool; the messages for a wrong
password, a locked or a deactivated account are the services' own (AuthenticationError /
AccountLockedError), shown in the dialog itself, next to the form, so nothing modal interrupts typing.

Emits ``signed_in(SessionInfo)`` and accepts when someone signed in. Creating an account (or the first
admin) signs in with it straight away.

Start-up cost: the "create an account" form is built the first time it is shown (its widgets are
reachable as attributes at any time, which builds it), so the first window appears sooner.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError
from desktop.ui.errors import user_message
from desktop.ui.login_forms import CreateAccountForm, SignInForm
from desktop.ui.widgets.field_error import FieldError
from desktop.ui.widgets.window_fit import keep_fitted

if TYPE_CHECKING:
    from desktop.domain.dto import SessionInfo
    from desktop.ui.context import UiContext


class LoginDialog(QDialog):
    signed_in = Signal(object)  # SessionInfo

    SIGN_IN, CREATE = 0, 1

    def __init__(self, ctx: UiContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx: UiContext | None = None
        self._first_admin = False
        self._queued_sign_in = False
        self._create: CreateAccountForm | None = None
        self.setWindowTitle("ClinicDesk - Sign in")
        self.setMinimumWidth(420)

        heading = QLabel("ClinicDesk")
        heading.setObjectName("PageTitle")
        self.subtitle = QLabel("Sign in to continue.")
        self.subtitle.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.stack = QStackedWidget()
        sign_in = SignInForm(self.submit_sign_in, lambda: self.show_create(first_admin=False))
        self.email, self.password = sign_in.email, sign_in.password
        self.sign_in_button, self.create_link = sign_in.sign_in_button, sign_in.create_link
        self.stack.addWidget(sign_in.page)  # the create form is added when first shown
        self.create_link.setVisible(False)  # only where self-registration is turned on (set_context)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.stack)
        layout.addWidget(self.message)
        self._switch(self.SIGN_IN)
        self._set_note("Opening the database...")
        keep_fitted(self)  # a message on two lines must not squeeze the fields above it
        self.email.setFocus()
        if ctx is not None:
            self.set_context(ctx)

    # --- construction ------------------------------------------------------------------------------

    def _create_form(self) -> CreateAccountForm:
        """The "create an account" form, built and added to the stack on first use."""
        if self._create is None:
            self._create = CreateAccountForm(self.submit_create, self.show_sign_in)
            self.stack.addWidget(self._create.page)
        return self._create

    @property
    def new_name(self) -> QLineEdit:
        return self._create_form().new_name

    @property
    def new_email(self) -> QLineEdit:
        return self._create_form().new_email

    @property
    def new_password(self) -> QLineEdit:
        return self._create_form().new_password

    @property
    def new_password2(self) -> QLineEdit:
        return self._create_form().new_password2

    @property
    def field_errors(self) -> dict[str, FieldError]:
        return self._create_form().field_errors

    @property
    def create_button(self) -> QPushButton:
        return self._create_form().create_button

    @property
    def back_button(self) -> QPushButton:
        return self._create_form().back_button

    # --- state -------------------------------------------------------------------------------------

    def set_context(self, ctx: UiContext, first_admin: bool = False) -> None:
        """Services are ready: enable the form (or the first-admin form when no account exists)."""
        self.ctx = ctx
        self._set_ready(True, "")
        self._show_create_link()
        if first_admin:
            self._queued_sign_in = False
            self.show_create(first_admin=True)
            return
        if self.stack.currentIndex() != self.SIGN_IN:
            self.show_sign_in()
        if self._queued_sign_in:
            self._queued_sign_in = False
            self.submit_sign_in()

    def can_type(self) -> bool:
        """True when the form accepts input (before the database is open, too)."""
        return self.stack.isEnabled()

    def is_ready(self) -> bool:
        """True once a sign-in can actually run (services are open)."""
        return self.ctx is not None and self.stack.isEnabled()

    def _set_note(self, text: str) -> None:
        """A neutral note under the form (not an error)."""
        self.message.setObjectName("Muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def _set_ready(self, ready: bool, message: str) -> None:
        self.stack.setEnabled(ready)
        self.message.setObjectName("Muted" if not ready else "FieldError")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(message)

    def show_message(self, text: str) -> None:
        """Show an error (or note) under the form."""
        self._set_ready(True, text)

    @Slot()
    def show_sign_in(self) -> None:
        self._first_admin = False
        self.setWindowTitle("ClinicDesk - Sign in")
        self.subtitle.setText("Sign in to continue.")
        self._switch(self.SIGN_IN)
        self.message.clear()
        self._show_create_link()
        (self.password if self.email.text() else self.email).setFocus()

    def show_create(self, first_admin: bool = False) -> None:
        self._first_admin = first_admin
        self.back_button.setVisible(not first_admin)
        if first_admin:
            self.setWindowTitle("ClinicDesk - First start")
            self.subtitle.setText(
                "Welcome. No account exists yet: create the administrator account for this clinic. "
                "You can add the other accounts after signing in."
            )
            self.create_button.setText("Create administrator and sign in")
        else:
            self.setWindowTitle("ClinicDesk - Create an account")
            self.subtitle.setText("Create your own account.")
            self.create_button.setText("Create account and sign in")
        for edit in (self.new_name, self.new_email, self.new_password, self.new_password2):
            edit.clear()  # never the previous person's name and e-mail
        for label in self.field_errors.values():
            label.clear_error()
        self._switch(self.CREATE)
        self.message.clear()
        self.new_name.setFocus()

    def _show_create_link(self) -> None:
        """ "Create an account" only where self-registration is on (the service refuses it otherwise)."""
        self.create_link.setVisible(self.ctx is not None and self.ctx.services.auth.registration_open())

    def _switch(self, index: int) -> None:
        """Show one form; the hidden one stops counting for the size, so no blank gap remains."""
        if index == self.CREATE:
            self._create_form()
        for i in range(self.stack.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            page = self.stack.widget(i)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.stack.setCurrentIndex(index)
        self.adjustSize()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape goes back from "create account" but never quits the program by reflex (QDialog's
        default rejects, which the app treats as quitting); closing the window still quits."""
        if event.key() == Qt.Key.Key_Escape:
            if self.stack.currentIndex() == self.CREATE and self.back_button.isVisible():
                self.show_sign_in()
            event.accept()
            return
        super().keyPressEvent(event)

    def _busy(self, text: str) -> None:
        """Disable the form while a worker signs in; the worker's callback re-enables it."""
        self._set_ready(False, text)

    # --- actions -----------------------------------------------------------------------------------

    @Slot()
    def submit_sign_in(self) -> None:
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self.show_message("Enter your e-mail and your password.")
            (self.email if not email else self.password).setFocus()
            return
        if self.ctx is None:
            self._queued_sign_in = True
            self._busy("Signing in as soon as the database is open...")
            return
        if self.ctx.runner.is_running("sign-in"):
            return
        self._busy("Signing in...")
        self.ctx.runner.run(
            partial(self.ctx.services.auth.sign_in, email, password),
            key="sign-in",
            on_done=self._signed_in,
            on_error=self._sign_in_failed,
        )

    @Slot()
    def submit_create(self) -> None:
        if self.ctx is None:
            self._set_note("Still opening the database; try again in a moment.")
            return
        if self.ctx.runner.is_running("sign-in"):
            return
        for label in self.field_errors.values():
            label.clear_error()
        self.message.clear()  # the previous attempt's message would read as this one's
        name, email = self.new_name.text().strip(), self.new_email.text().strip()
        password, again = self.new_password.text(), self.new_password2.text()
        if password != again:
            self.field_errors["password2"].set_error("The two passwords differ.")
            self.new_password2.setFocus()
            return
        auth = self.ctx.services.auth
        first = self._first_admin

        def create_and_sign_in() -> SessionInfo:
            if first:
                auth.create_first_admin(email, name, password)
            else:
                auth.register(email, name, password)
            return auth.sign_in(email, password)

        self._busy("Creating the account...")
        self.ctx.runner.run(
            create_and_sign_in, key="sign-in", on_done=self._signed_in, on_error=self._create_failed
        )

    def _signed_in(self, session: SessionInfo) -> None:
        self.password.clear()
        if self._create is not None:
            self._create.new_password.clear()
            self._create.new_password2.clear()
        self._set_ready(True, "")
        self.signed_in.emit(session)
        self.accept()

    def _sign_in_failed(self, error: BaseException) -> None:
        self.password.clear()
        self.show_message(user_message(error, already_logged=True))
        self.password.setFocus()

    def _create_failed(self, error: BaseException) -> None:
        self._set_ready(True, "")
        if isinstance(error, ValidationError) and error.fields:
            form = self._create_form()
            first_widget = None
            elsewhere = []  # messages no field of the form can show
            for key, text in error.fields.items():
                if key in form.field_errors:
                    form.field_errors[key].set_error(text)
                    first_widget = first_widget or form.widget_for(key)
                else:
                    elsewhere.append(text)
            # Each message once: under its field, and only the rest under the form.
            self.show_message(" ".join(elsewhere))
            if first_widget is not None:
                first_widget.setFocus()
            return
        self.show_message(user_message(error, already_logged=True))
