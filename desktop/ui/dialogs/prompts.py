"""The ONLY module that calls QMessageBox / QFileDialog statics.

Everything else calls these functions through the module (``prompts.confirm(...)``, never
``from ...prompts import confirm``) so a test can ``monkeypatch.setattr(prompts, "confirm", ...)``
instead of facing a modal dialog that blocks the offscreen test run.

All texts are plain sentences a clinician understands; ``error`` never receives a traceback (use
desktop.ui.errors.user_message to turn an exception into text).

File dialogs start in the folder the person last used (remembered in window.ini, see window_state)
or else their documents folder: never in the program's working directory, which for an installed
program is its own folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from desktop.ui import window_state

APP_TITLE = "ClinicDesk"
LAST_FOLDER_KEY = "files/last_folder"


def info(parent: QWidget | None, text: str, title: str = APP_TITLE) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, text: str, title: str = APP_TITLE) -> None:
    QMessageBox.warning(parent, title, text)


def error(parent: QWidget | None, text: str, title: str = APP_TITLE) -> None:
    QMessageBox.critical(parent, title, text)


def confirm(
    parent: QWidget | None,
    text: str,
    title: str = APP_TITLE,
    *,
    yes_label: str = "Yes",
    no_label: str = "Cancel",
    destructive: bool = False,
) -> bool:
    """Ask a yes/no question; True only when the person chose ``yes_label``.

    The default button is the safe one ("Cancel") when ``destructive`` is set. Both buttons get an
    Alt+letter (``&Delete``: Alt+D) unless the label already names one.
    """
    box = QMessageBox(
        QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    yes_text = with_mnemonic(yes_label)
    no_text = with_mnemonic(no_label, taken=_mnemonic_of(yes_text))
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no if destructive else yes)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def ask_text(
    parent: QWidget | None, label: str, title: str = APP_TITLE, *, text: str = "", password: bool = False
) -> str | None:
    """One line of text, or None when cancelled. ``password`` hides what is typed."""
    mode = QLineEdit.EchoMode.Password if password else QLineEdit.EchoMode.Normal
    value, ok = QInputDialog.getText(parent, title, label, mode, text)
    return value if ok else None


def choose(
    parent: QWidget | None, label: str, choices: Sequence[str], current: int = 0, title: str = APP_TITLE
) -> int | None:
    """The index of one of ``choices``, or None when cancelled."""
    options = list(choices)
    value, ok = QInputDialog.getItem(parent, title, label, options, current, False)
    return options.index(value) if ok and value in options else None


def with_mnemonic(label: str, taken: str = "") -> str:
    """``label`` with an Alt+letter on its first letter not ``taken`` (unchanged if it has one)."""
    if "&" in label:
        return label
    for i, char in enumerate(label):
        if char.isalnum() and char.lower() != taken:
            return f"{label[:i]}&{label[i:]}"
    return label


def _mnemonic_of(label: str) -> str:
    i = label.find("&")
    return label[i + 1].lower() if 0 <= i < len(label) - 1 else ""


def start_folder() -> str:
    """Where a file dialog opens: the folder last used if it still exists, else the documents folder
    (the home folder where the platform names none)."""
    last = window_state.window_settings().value(LAST_FOLDER_KEY, "")
    if isinstance(last, str) and last and Path(last).is_dir():
        return last
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return documents
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation) or str(Path.home())


def remember_folder(path: str) -> None:
    """Remember the folder of a chosen file (or a chosen folder) for the next file dialog."""
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    settings = window_state.window_settings()
    settings.setValue(LAST_FOLDER_KEY, str(folder))
    settings.sync()


def open_file(parent: QWidget | None, caption: str, filter: str = "", directory: str = "") -> str | None:
    """A file chosen to open, or None when cancelled. ``filter`` e.g. "CSV files (*.csv)";
    ``directory`` for a dialog with a folder of its own (the backups), else ``start_folder()``."""
    path, _ = QFileDialog.getOpenFileName(parent, caption, directory or start_folder(), filter)
    if path and not directory:
        remember_folder(path)
    return path or None


def save_file(parent: QWidget | None, caption: str, filter: str = "", default_name: str = "") -> str | None:
    """A file name to save to, or None when cancelled (the dialog asks before overwriting).
    A bare ``default_name`` is proposed in ``start_folder()``."""
    proposed = default_name if Path(default_name).is_absolute() else str(Path(start_folder()) / default_name)
    path, _ = QFileDialog.getSaveFileName(parent, caption, proposed, filter)
    if path:
        remember_folder(path)
    return path or None


def choose_folder(parent: QWidget | None, caption: str, current: str = "") -> str | None:
    """A folder, or None when cancelled; opens at ``current`` when it exists, else ``start_folder()``."""
    start = current if current and Path(current).is_dir() else start_folder()
    path = QFileDialog.getExistingDirectory(parent, caption, start)
    return path or None
