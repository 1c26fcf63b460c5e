"""Light and dark themes that follow the system, readable at 100% and 200% scaling.

The Fusion style draws the same on every platform and honours the palette, so a light and a dark
QPalette plus a short stylesheet are the whole theme. Which one applies follows
``QGuiApplication.styleHints().colorScheme()`` (Qt 6.5+) and changes live with
``colorSchemeChanged``, unless the person chose one in Edit > Preferences (``set_preference``);
``CLINICDESK_THEME=light|dark`` forces one over both (screenshots, support).

Sizes in the stylesheet are in points or em-relative paddings, never pixels of text, so fonts scale
with the screen's device pixel ratio (QT_SCALE_FACTOR=2 renders a readable 200% window).
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from desktop.paths import resource_path

THEME_ENV = "CLINICDESK_THEME"
SIDEBAR_POINT_SIZE = 11

_LIGHT = {
    "window": "#f5f6f8",
    "base": "#ffffff",
    "alt": "#f0f2f5",
    "text": "#1f2328",
    "muted": "#57606a",
    "button": "#eef0f3",
    "highlight": "#2563eb",
    "hl_text": "#ffffff",
    "border": "#c9ced6",
    "sidebar": "#e8ebf0",
    "link": "#1d4ed8",
    "error": "#b91c1c",
    "tooltip": "#ffffe1",
}
_DARK = {
    "window": "#1e2227",
    "base": "#15181c",
    "alt": "#1b1f24",
    "text": "#e6e8eb",
    "muted": "#a3abb5",
    "button": "#2a2f36",
    "highlight": "#3b82f6",
    "hl_text": "#ffffff",
    "border": "#3d444d",
    "sidebar": "#171a1e",
    "link": "#7aa2ff",
    "error": "#f87171",
    "tooltip": "#2a2f36",
}


_preference = ""  # "light", "dark", or "" to follow the system (set_preference)


def set_preference(choice: str, app: QApplication | None = None) -> None:
    """Use the theme chosen in Preferences ("" follows the system) and apply it now."""
    global _preference
    _preference = choice if choice in ("light", "dark") else ""
    apply_theme(app)


def system_prefers_dark() -> bool:
    """True when the platform asks for a dark appearance (or the preference or CLINICDESK_THEME says
    dark)."""
    forced = os.environ.get(THEME_ENV, "").lower()
    if forced in ("light", "dark"):
        return forced == "dark"
    if _preference:
        return _preference == "dark"
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        return scheme() == Qt.ColorScheme.Dark
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def colours(dark: bool) -> dict[str, str]:
    """The named colours of one theme (pages use ``colours(is_dark())['error']`` for inline errors)."""
    return dict(_DARK if dark else _LIGHT)


_current_dark = False


def is_dark() -> bool:
    """Whether the dark theme is applied now."""
    return _current_dark


def _palette(c: dict[str, str]) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    for r, key in (
        (role.Window, "window"),
        (role.WindowText, "text"),
        (role.Base, "base"),
        (role.AlternateBase, "alt"),
        (role.Text, "text"),
        (role.Button, "button"),
        (role.ButtonText, "text"),
        (role.Highlight, "highlight"),
        (role.HighlightedText, "hl_text"),
        (role.ToolTipBase, "tooltip"),
        (role.ToolTipText, "text"),
        (role.Link, "link"),
        (role.PlaceholderText, "muted"),
        (role.BrightText, "error"),
    ):
        p.setColor(r, QColor(c[key]))
    muted = QColor(c["muted"])
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, muted)
    return p


def stylesheet(c: dict[str, str]) -> str:
    """Application stylesheet; object names used: Sidebar, PageTitle, FieldError, Muted, LockScreen."""
    return f"""
    QListWidget#Sidebar {{
        background: {c["sidebar"]}; border: none; padding: 0.4em 0; font-size: 11pt;
    }}
    QListWidget#Sidebar::item {{ padding: 0.55em 1em; border-radius: 4px; margin: 1px 6px; }}
    QListWidget#Sidebar::item:selected {{ background: {c["highlight"]}; color: {c["hl_text"]}; }}
    QLabel#PageTitle {{ font-size: 16pt; font-weight: 600; padding: 0.2em 0 0.4em 0; }}
    QLabel#FieldError {{ color: {c["error"]}; }}
    QLabel#Muted {{ color: {c["muted"]}; }}
    QWidget#LockScreen {{ background: {c["window"]}; }}
    QTableView {{ gridline-color: {c["border"]}; }}
    QHeaderView::section {{
        background: {c["button"]}; color: {c["text"]}; padding: 0.3em 0.5em;
        border: none; border-right: 1px solid {c["border"]}; border-bottom: 1px solid {c["border"]};
    }}
    QLineEdit, QPlainTextEdit {{
        border: 1px solid {c["border"]}; border-radius: 3px; padding: 2px 4px; background: {c["base"]};
    }}
    QLineEdit:focus, QPlainTextEdit:focus {{ border: 1px solid {c["highlight"]}; }}
    QLineEdit:read-only {{ background: {c["alt"]}; }}
    QLineEdit[invalid="true"], QSpinBox[invalid="true"], QComboBox[invalid="true"],
    QPlainTextEdit[invalid="true"] {{ border: 1px solid {c["error"]}; }}
    QPushButton {{ padding: 0.3em 1em; }}
    QGroupBox {{
        border: 1px solid {c["border"]}; border-radius: 4px;
        margin-top: 1.4em; padding: 0.8em 0.5em 0.4em 0.5em;
    }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 0.7em; padding: 0 0.3em; }}
    """


def apply_theme(app: QApplication | None = None, dark: bool | None = None) -> bool:
    """Apply the light or dark theme (system choice when ``dark`` is None); returns whether dark."""
    global _current_dark
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return False
    if dark is None:
        dark = system_prefers_dark()
    _current_dark = dark
    app.setStyle("Fusion")
    c = colours(dark)
    app.setPalette(_palette(c))
    app.setStyleSheet(stylesheet(c))
    return dark


def follow_system(app: QApplication) -> None:
    """Apply the theme now and again whenever the system switches between light and dark."""
    apply_theme(app)
    hints = QGuiApplication.styleHints()
    signal = getattr(hints, "colorSchemeChanged", None)
    if signal is not None and not os.environ.get(THEME_ENV):
        signal.connect(lambda _scheme: apply_theme(app))


def app_icon() -> QIcon:
    """The ClinicDesk icon at every size shipped in resources/icons (files load lazily, when drawn)."""
    icon = QIcon()
    for path in sorted(resource_path("resources", "icons").glob("clinicdesk-*.png")):
        icon.addFile(str(path))
    return icon
