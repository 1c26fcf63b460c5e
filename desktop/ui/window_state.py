"""The main window's size, position and each person's last page, remembered between sessions.

Kept in an INI file in the data folder (not the platform's registry), so tests and portable installs
stay isolated. The last page is kept per account: at a shared desk each person comes back to their own
page, not to the one the previous person left open. The geometry belongs to the screen, so it is shared.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QMainWindow

from desktop import paths

SETTINGS_FILE = "window.ini"
DEFAULT_SIZE = QSize(1100, 720)
DEFAULT_PAGE = "records"


def window_settings() -> QSettings:
    return QSettings(str(paths.data_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def restore_geometry(window: QMainWindow) -> None:
    geometry = window_settings().value("main/geometry")
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(DEFAULT_SIZE)


def _last_page_key(user_id: str) -> str:
    return f"last_page/{user_id}"


def last_page(keys: list[str], user_id: str) -> str:
    """The page this person had open when they last left, if they may still open it."""
    last = window_settings().value(_last_page_key(user_id), DEFAULT_PAGE)
    return last if last in keys else DEFAULT_PAGE


def save(window: QMainWindow, page_key: str | None, user_id: str | None) -> None:
    settings = window_settings()
    settings.setValue("main/geometry", window.saveGeometry())
    if page_key and user_id:
        settings.setValue(_last_page_key(user_id), page_key)
    settings.sync()
