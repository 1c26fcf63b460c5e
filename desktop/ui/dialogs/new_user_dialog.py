"""Admin: create an account with an initial password, told to the person, who must choose their own
at the first sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from desktop.domain.dto import UserAccount
from desktop.domain.enums import Role
from desktop.domain.errors import ValidationError
from desktop.ui.dialogs.edit_dialog import EditDialog

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


#: The roles an administrator gives, the clinic's staff first (a patient's portal account is usually
#: given from the patient's chart, but may be made here too).
ROLE_CHOICES = (Role.CLINICIAN, Role.RECEPTION, Role.ADMIN, Role.PATIENT)
ROLE_HINTS = {
    Role.CLINICIAN: "Clinician (opens any chart, writes medical data, runs predictions)",
    Role.RECEPTION: "Reception (registers patients, edits contact details; no medical data)",
    Role.ADMIN: "Administrator (manages accounts, the audit log and the database)",
    Role.PATIENT: "Patient (sees only their own chart)",
}


@dataclass(frozen=True)
class NewAccount:
    """What the form holds; the users service checks it (e-mail, password rules) when it is saved."""

    email: str
    name: str
    password: str
    role: Role


class NewUserDialog(EditDialog[UserAccount, NewAccount]):
    noun = "account"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, None, parent)
        self.name = QLineEdit()
        self.email = QLineEdit()
        self.password = QLineEdit()
        self.password.setPlaceholderText("at least 10 characters")
        self.role = QComboBox()
        for role in ROLE_CHOICES:
            self.role.addItem(ROLE_HINTS[role], role)
        self.add_field("name", "&Name:", self.name)
        self.add_field("email", "&E-mail:", self.email)
        self.add_field("password", "Initial &password:", self.password)
        self.add_field("role", "&Role:", self.role)
        self.name.setFocus()

    def draft(self) -> NewAccount:
        if not self.name.text().strip():
            raise ValidationError("Enter the person's name.", {"name": "Enter the person's name."})
        role = Role(self.role.currentData())
        return NewAccount(self.email.text(), self.name.text(), self.password.text(), role)

    def create_row(self, token: str, draft: NewAccount) -> UserAccount:
        users = self.ctx.services.users
        return users.create_user(token, draft.email, draft.name, draft.password, draft.role)
