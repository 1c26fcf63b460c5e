"""A record's status shown with its colour: a filled dot before the status name.

The colour is the one stored with the record. A dot plus the word, not a
coloured background, keeps the text readable in the light and the dark theme and does not rely on
colour alone.

Why a decoration and not a Python ``paint()`` override: Qt's own C++ QStyledItemDelegate draws the
icon the model returns for ``DecorationRole`` (see RecordsModel.data), so painting 100k-row tables
never calls into Python per cell, and it avoids the PySide6 6.12 / Python 3.11 reference-count defect
that Python delegate overrides trigger (README, notes for maintainers). ``StatusDelegate`` only
sizes the dot to the font, so it stays proportionate at 200% scaling.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QTableView

_DOTS: dict[str, QIcon] = {}
_DOT_PIXELS = 32  # drawn large once; Qt scales it down to the view's icon size


def status_dot(colour: str) -> QIcon:
    """A round icon filled with ``colour`` (e.g. "#ef4444"), cached per colour."""
    icon = _DOTS.get(colour)
    if icon is None:
        fill = QColor(colour)
        pixmap = QPixmap(_DOT_PIXELS, _DOT_PIXELS)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(fill.darker(140))
        painter.setBrush(fill)
        painter.drawEllipse(3, 3, _DOT_PIXELS - 6, _DOT_PIXELS - 6)
        painter.end()
        icon = QIcon(pixmap)
        _DOTS[colour] = icon
    return icon


class StatusDelegate(QStyledItemDelegate):
    """The C++ delegate, used for the status column; sets the view's icon size from the font."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        size = max(10, view.fontMetrics().height() * 2 // 3)
        view.setIconSize(QSize(size, size))
