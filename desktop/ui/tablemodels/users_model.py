"""Accounts for the admin Users page: the account ids by e-mail from UserAdminService, rows on demand
(the same table design as every other list, though a clinic has tens of accounts, not 100k)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.domain.dto import UserAccount
from desktop.ui.tablemodels.id_list_model import IdListTableModel

if TYPE_CHECKING:
    from desktop.ui.context import UiContext


def status_text(account: UserAccount) -> str:
    """ "Deactivated", "Locked until 18:08" (local time), "Active, new password due" or "Active"."""
    if not account.is_active:
        return "Deactivated"
    if account.locked_until is not None:
        return f"Locked until {account.locked_until.astimezone():%H:%M}"
    return "Active, new password due" if account.must_change_password else "Active"


class UsersModel(IdListTableModel[UserAccount]):
    COLUMNS = (
        ("Name", "name", None),
        ("E-mail", "email", None),
        ("Role", "role", None),
        ("Status", "is_active", None),
        ("Created", "created_at", None),
    )

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def fetch_ids(self) -> Sequence[str]:
        return self.ctx.services.users.account_ids(self.ctx.token)

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[UserAccount]:
        return self.ctx.services.users.accounts(self.ctx.token, ids)

    def set_order(self, key: str, descending: bool) -> None:
        """Accounts are always listed by e-mail."""

    def display(self, dto: UserAccount, column: int) -> str:
        if column == 2:
            return dto.role.label
        if column == 3:
            return status_text(dto)
        if column == 4:
            return dto.created_at.astimezone().strftime("%Y-%m-%d")
        return super().display(dto, column)
