"""The ONLY module that calls QMessageBox / QFileDialog statics.

Everything else calls these functions through the module (``prompts.confirm(...)``, never
``from ...prompts import confirm``) so a test can ``monkeypatch.setattr(prompts, "confirm", ...)``
instead of facing a modal dialog that blocks the offscreen test run.

All texts are plain sentences a clinician understands; ``error`` never receives a traceback (use
desktop.ui.errors.user_message to turn an exception into text).
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

APP_TITLE = "ClinicDesk"


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

    The default button is the safe one ("Cancel") when ``destructive`` is set.
    """
    box = QMessageBox(
        QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    yes = box.addButton(yes_label, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(no_label, QMessageBox.ButtonRole.RejectRole)
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


def open_file(parent: QWidget | None, caption: str, filter: str = "", directory: str = "") -> str | None:
    """A file chosen to open, or None when cancelled. ``filter`` e.g. "CSV files (*.csv)"."""
    path, _ = QFileDialog.getOpenFileName(parent, caption, directory, filter)
    return path or None


def save_file(parent: QWidget | None, caption: str, filter: str = "", default_name: str = "") -> str | None:
    """A file name to save to, or None when cancelled (the dialog asks before overwriting)."""
    path, _ = QFileDialog.getSaveFileName(parent, caption, default_name, filter)
    return path or None
