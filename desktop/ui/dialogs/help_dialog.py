"""Help > Help (F1): the manual shipped in resources/help/manual.html, followed by the keyboard
shortcuts of this person's pages and where the log file is.

A QTextBrowser shows it: plain HTML, searchable with the keyboard, links inside the page work, and
nothing needs a web engine.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from desktop.paths import resource_path

MANUAL = ("resources", "help", "manual.html")


def manual_html() -> str:
    return resource_path(*MANUAL).read_text(encoding="utf-8")


def shortcuts_html(shortcuts: Sequence[tuple[str, str]], idle_lock_minutes: int, log_file: Path) -> str:
    rows = "".join(
        f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(what)}</td></tr>"
        for keys, what in shortcuts
    )
    return (
        '<h2><a name="shortcuts"></a>Keyboard shortcuts</h2>'
        f'<table cellpadding="3">{rows}</table>'
        f"<p>The screen locks itself after {idle_lock_minutes} minutes without activity.</p>"
        f"<p>Log file: <code>{html.escape(str(log_file))}</code></p>"
    )


class HelpDialog(QDialog):
    def __init__(
        self,
        shortcuts: Sequence[tuple[str, str]],
        idle_lock_minutes: int,
        log_file: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("ClinicDesk help")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Manual")
        self.browser.setOpenExternalLinks(False)
        extra = shortcuts_html(shortcuts, idle_lock_minutes, log_file)
        self.browser.setHtml(manual_html().replace("</body>", extra + "</body>"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(em * 72, 600)  # fits a 1024x700 window and a 768-pixel-high laptop screen
