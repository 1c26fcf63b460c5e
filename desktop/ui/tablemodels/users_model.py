"""Accounts for the admin Users page: a small in-memory list (a clinic has tens of accounts, not 100k)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, Qt

from desktop.ui.tablemodels.paged_model import ROOT, DtoRole, Index

COLUMNS = ("Name", "E-mail", "Role", "Status", "Created")


class UsersModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._accounts: list[Any] = []

    def set_accounts(self, accounts: Sequence[Any]) -> None:
        self.beginResetModel()
        self._accounts = list(accounts)
        self.endResetModel()

    def account(self, row: int) -> Any:
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def row_of(self, user_id: str) -> int:
        return next((r for r, a in enumerate(self._accounts) if a.id == user_id), -1)

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._accounts)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._accounts):
            return None
        account = self._accounts[index.row()]
        if role == DtoRole:
            return account
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return account.name
        if column == 1:
            return account.email
        if column == 2:
            return account.role.label
        if column == 3:
            return "Active" if account.is_active else "Deactivated"
        return account.created_at.astimezone().strftime("%Y-%m-%d")

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
