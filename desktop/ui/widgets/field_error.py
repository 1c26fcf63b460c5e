"""The small red message shown under an input whose value was refused ("validation next to the field").

Hidden while empty so forms do not carry blank gaps; the text is exposed to screen readers through
the accessible description as well.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


class FieldError(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FieldError")
        self.setWordWrap(True)
        self.setVisible(False)

    def set_error(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))

    def clear_error(self) -> None:
        self.set_error("")

    def has_error(self) -> bool:
        return bool(self.text())
