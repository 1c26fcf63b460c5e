"""The main window's menu bar: File, Edit, Go, Tools (admins), Help, and the texts of Help and About.

Every action carries its shortcut (window-wide) and an object name, so tests and screen readers find
it. ``lockable`` lists what the lock screen disables: anything that would show or change data.

Delete, Ctrl+Enter and Ctrl+S reach the current page (``delete_selected``, ``predict``, ``save``).
Delete is a window shortcut, yet it never takes the key from a text field: Qt first offers a key to
the focused widget as a ShortcutOverride, and line and text edits claim Delete there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from desktop import __version__
from desktop.ui.page_registry import PageSpec

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


class MenuHost(Protocol):
    """What the menus call on the main window."""

    def print_current(self) -> None: ...
    def lock(self) -> None: ...
    def sign_out(self, reason: str = "") -> None: ...
    def quit(self) -> None: ...
    def new_item(self) -> None: ...
    def focus_search(self) -> None: ...
    def delete_selected(self) -> None: ...
    def predict(self) -> None: ...
    def save_current(self) -> None: ...
    def open_preferences(self) -> None: ...
    def go_to_row(self, row: int) -> None: ...
    def close_chart(self) -> None: ...
    def open_database_tools(self) -> None: ...
    def open_server_settings(self) -> None: ...
    def show_help(self) -> None: ...
    def show_about(self) -> None: ...


class MainMenus:
    """Builds the menu bar of ``window`` for the pages ``specs``; the Tools menu only for admins."""

    def __init__(
        self,
        window: QMainWindow,
        host: MenuHost,
        specs: Sequence[PageSpec],
        is_admin: bool,
        *,
        chart_closable: bool = False,
    ) -> None:
        self._window = window
        bar = window.menuBar()
        keys = QKeySequence.StandardKey

        file_menu = bar.addMenu("&File")
        self.save_action = self._action("&Save", host.save_current, keys.Save, "save")
        self.print_action = self._action("&Print...", host.print_current, keys.Print, "print")
        self.lock_action = self._action("&Lock screen", host.lock, "Ctrl+L", "lock")
        self.sign_out_action = self._action("Sign &out", lambda: host.sign_out(""), None, "sign_out")
        self.quit_action = self._action("&Quit", host.quit, keys.Quit, "quit")
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.print_action)
        self.close_chart_action: QAction | None = None
        if chart_closable:  # staff; a signed-in patient's own chart stays open
            self.close_chart_action = self._action(
                "&Close chart", host.close_chart, keys.Close, "close_chart"
            )
            file_menu.addAction(self.close_chart_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        self.new_action = self._action("&New record...", host.new_item, keys.New, "new")
        self.find_action = self._action("&Search", host.focus_search, keys.Find, "find")
        self.delete_action = self._action("&Delete selected...", host.delete_selected, keys.Delete, "delete")
        self.predict_action = self._action("&Predict", host.predict, "Ctrl+Return", "predict")
        # Ctrl+Enter on the keypad is another key than Ctrl+Return (the main Enter key)
        self.predict_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.preferences_action = self._action(
            "Pre&ferences...", host.open_preferences, keys.Preferences, "preferences"
        )
        edit_menu.addAction(self.new_action)
        edit_menu.addAction(self.find_action)
        edit_menu.addAction(self.delete_action)
        edit_menu.addAction(self.predict_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.preferences_action)

        go_menu = bar.addMenu("&Go")
        for row, spec in enumerate(specs):
            go_menu.addAction(
                self._action(
                    spec.title,
                    partial(host.go_to_row, row),
                    spec.shortcut or None,
                    f"go_{spec.key}",
                )
            )

        self.tools_menu: QMenu | None = None
        if is_admin:
            self.tools_menu = bar.addMenu("&Tools")
            self.tools_menu.addAction(
                self._action("&Database tools...", host.open_database_tools, None, "database_tools")
            )
            self.tools_menu.addAction(
                self._action("Database &connection...", host.open_server_settings, None, "server_settings")
            )

        help_menu = bar.addMenu("&Help")
        self.help_action = self._action("&Manual and shortcuts", host.show_help, keys.HelpContents, "help")
        help_menu.addAction(self.help_action)
        help_menu.addAction(self._action("&About ClinicDesk", host.show_about, None, "about"))

        self.lockable: list[QAction] = [
            self.save_action,
            self.print_action,
            self.new_action,
            self.find_action,
            self.delete_action,
            self.predict_action,
            self.preferences_action,
            self.lock_action,
            *go_menu.actions(),
        ]
        if self.tools_menu is not None:
            self.lockable.extend(self.tools_menu.actions())
        if self.close_chart_action is not None:
            self.lockable.append(self.close_chart_action)

    def _action(self, text: str, slot: Callable[[], object], shortcut: Shortcut, name: str) -> QAction:
        action = QAction(text, self._window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        action.setObjectName(name)
        return action

    def set_enabled(self, enabled: bool) -> None:
        """Enable or disable everything that would show or change data (the lock screen)."""
        for action in self.lockable:
            action.setEnabled(enabled)


def shortcuts(specs: Sequence[PageSpec]) -> list[tuple[str, str]]:
    """The keyboard shortcuts as (keys, what they do), for the manual's last section."""
    return [
        ("Ctrl+N", "New medical record (or a new entry on the current page)"),
        ("Ctrl+F", "Search on the current page"),
        ("Delete", "Delete the selected row (asks first; Alt+D confirms)"),
        ("Ctrl+Enter", "Predict (New prediction page)"),
        ("Ctrl+S", "Save (New prediction and Profile pages)"),
        ("Ctrl+P", "Print the current page's report"),
        ("Ctrl+L", "Lock the screen"),
        *((spec.shortcut, spec.title) for spec in specs if spec.shortcut),
        ("F1", "This manual"),
    ]


def about_text(database_label: str, log_file: object) -> str:
    return (
        f"ClinicDesk {__version__}\n\nOffline patient records and breast-cancer decision support.\n"
        "Predictions are decision support, not a diagnosis.\n\n"
        f"Database: {database_label}\n\n"
        f"Log file (send it to support when something goes wrong):\n{log_file}"
    )
