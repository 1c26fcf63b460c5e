"""Admin page: accounts (create, deactivate / reactivate, unlock, reset password, make or remove admin).

The Status column says when a sign-in lock ends ("Locked until 18:08"); Unlock lifts it at once, and
so does a password reset. A person whose account was created or reset here chooses their own password
at the next sign-in.

Only admins see it, and the services refuse every one of these calls for anyone else
(PermissionDeniedError), so hiding the page is convenience, not the protection.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.new_user_dialog import ROLE_CHOICES, ROLE_HINTS, NewUserDialog
from desktop.ui.errors import user_message
from desktop.ui.tablemodels.id_list_model import reload_keeping_place
from desktop.ui.tablemodels.users_model import UsersModel
from desktop.ui.widgets.row_table import RowTable
from desktop.ui.widgets.search_header import SearchHeader

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


class UsersPage(QWidget):
    title = "Users"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = UsersModel(ctx, self)
        self.model.fetch_failed.connect(self._load_failed)
        self.view = RowTable(self.model, "Accounts")
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setSortIndicatorShown(False)  # always by e-mail
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.new_button = self._button("&New account...", "Create an account", self.new_item)
        self.active_button = self._button(
            "&Deactivate", "Deactivate or reactivate the selected account", self.toggle_active
        )
        self.unlock_button = self._button(
            "&Unlock", "Lift the sign-in lock of the selected account", self.unlock
        )
        self.reset_button = self._button(
            "&Reset password...", "Reset the selected account's password", self.reset_password
        )
        self.role_button = self._button(
            "Change r&ole...", "Change the selected account's role", self.change_role
        )
        self.refresh_button = self._button("Re&fresh", "Reload the accounts", self.refresh)
        self.header = SearchHeader(self.title)
        self.header.add(
            self.new_button, self.active_button, self.unlock_button, self.reset_button, self.role_button
        )
        self.header.add_stretch()
        self.header.add(self.refresh_button)
        note = QLabel("Accounts are never deleted: deactivate them instead (their history stays).")
        note.setObjectName("Muted")
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        self._update_buttons()
        self.refresh()

    def _button(self, text: str, accessible: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    def selected(self) -> Any:
        rows = self.view.selectionModel().selectedRows()
        return self.model.dto(rows[0].row()) if rows else None

    @Slot()
    def refresh(self) -> None:
        """Read the accounts again, keeping the selected one selected."""
        reload_keeping_place(self.view, self.model)
        self._update_buttons()

    def _update_buttons(self) -> None:
        account = self.selected()
        for button in (self.active_button, self.reset_button, self.role_button):
            button.setEnabled(account is not None)
        self.unlock_button.setEnabled(account is not None and account.locked_until is not None)
        if account is not None:
            self.active_button.setText("Reac&tivate" if not account.is_active else "&Deactivate")

    def _run(self, change: Callable[[str], object], done_text: str = "") -> None:
        """Run ``change(token)`` (an account change) on the worker pool, then reload the list."""

        def done(_result: object) -> None:
            self.refresh()
            if done_text:
                prompts.info(self, done_text)

        self.ctx.runner.run(partial(change, self.ctx.token), key="users", on_done=done, on_error=self._failed)

    @Slot()
    def new_item(self) -> None:
        dialog = NewUserDialog(self.ctx, self)
        dialog.saved.connect(lambda _a: self.refresh())
        dialog.setModal(True)
        dialog.open()
        self._dialog = dialog

    @Slot()
    def toggle_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        if account.is_active:
            if not prompts.confirm(
                self,
                f"Deactivate the account of {account.name} ({account.email})?\n\n"
                "They are signed out at once and cannot sign in until reactivated.",
                yes_label="Deactivate",
                destructive=True,
            ):
                return
            users = self.ctx.services.users
            self._run(lambda token: users.deactivate(token, account.id, account.version))
        else:
            users = self.ctx.services.users
            self._run(lambda token: users.reactivate(token, account.id, account.version))

    @Slot()
    def unlock(self) -> None:
        account = self.selected()
        if account is None or account.locked_until is None:
            return
        users = self.ctx.services.users
        self._run(
            lambda token: users.unlock(token, account.id),
            done_text=f"{account.email} can sign in again.",
        )

    @Slot()
    def reset_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        password = prompts.ask_text(
            self,
            f"New password for {account.name} ({account.email}).\n"
            "At least 10 characters; tell it to them in person. They choose their own at their "
            "next sign-in, and any sign-in lock is lifted.",
            "Reset password",
            password=True,
        )
        if password:
            users = self.ctx.services.users
            self._run(
                lambda token: users.reset_password(token, account.id, password),
                done_text=f"The password of {account.email} was reset. They choose their own at their "
                "next sign-in.",
            )

    @Slot()
    def change_role(self) -> None:
        account = self.selected()
        if account is None:
            return
        current = ROLE_CHOICES.index(account.role) if account.role in ROLE_CHOICES else 0
        chosen = prompts.choose(
            self,
            f"Role of {account.name} ({account.email}):",
            [ROLE_HINTS[role] for role in ROLE_CHOICES],
            current,
            title="Change role",
        )
        if chosen is None or ROLE_CHOICES[chosen] is account.role:
            return
        role = ROLE_CHOICES[chosen]
        self._run(
            lambda token: self.ctx.services.users.set_role(token, account.id, role),
            done_text=f"{account.name} is now: {role.label}.",
        )

    def _load_failed(self, error: BaseException) -> None:
        # Deferred: a batch of rows is read while the table paints, no place for a modal dialog.
        QTimer.singleShot(0, self, lambda: prompts.error(self, user_message(error)))

    def _failed(self, error: BaseException) -> None:
        """An action was refused (e.g. the last admin, or changed elsewhere): say why, show the truth."""
        prompts.error(self, user_message(error, already_logged=True))
        self.refresh()
