"""The main window's size, position and last page, remembered between sessions.

Kept in an INI file in the data folder (not the platform's registry), so tests and portable installs
stay isolated.
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


def last_page(keys: list[str]) -> str:
    """The page shown when the window was last closed, if this person may still open it."""
    last = window_settings().value("main/last_page", DEFAULT_PAGE)
    return last if last in keys else DEFAULT_PAGE


def save(window: QMainWindow, page_key: str | None) -> None:
    settings = window_settings()
    settings.setValue("main/geometry", window.saveGeometry())
    if page_key:
        settings.setValue("main/last_page", page_key)
    settings.sync()
