"""Finds widgets a person cannot read in full: cut off by their parent or squeezed below the size
their style needs.

Checked for every visible widget under a window:
- its rectangle lies inside its parent's (a child sticking out of its parent is drawn cut off), except
  the content of a scroll area, which is meant to be larger than the viewport it scrolls in;
- buttons, labels, line edits, combo boxes and spin boxes are at least as large as their
  ``minimumSizeHint()`` (Qt's smallest size that shows the whole text or frame);
- a word-wrapping label is as tall as its text needs at its width (``heightForWidth``);
- a table's columns fit its width (a column past the right edge is only found by scrolling sideways);
- a scrolling page scrolls only up and down: a sideways scroll bar means its content is too wide.
Widgets inside item views (cell editors) and the internals of Qt's own composite widgets (a scroll
bar's arrows, a spin box's line edit) are Qt's concern and skipped.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTableView,
    QWidget,
)

#: Widgets that must never be smaller than their minimum size hint.
SIZED = (QAbstractButton, QLabel, QLineEdit, QComboBox, QAbstractSpinBox)
#: Composite Qt widgets whose children are laid out by Qt itself.
OPAQUE = (QAbstractItemView, QAbstractSpinBox, QComboBox)
TOLERANCE = 1  # pixels: rounding at fractional scale factors


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton | QLabel) else ""
    label = widget.objectName() or widget.accessibleName() or text[:40]
    return f"{type(widget).__name__}({label!r})"


def _scroll_content(widget: QWidget) -> bool:
    """The widget a scroll area scrolls (its viewport's child): larger than the viewport on purpose."""
    parent = widget.parentWidget()
    grand = parent.parentWidget() if parent is not None else None
    return isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent


def problems(window: QWidget) -> list[str]:
    """One line per clipped or squeezed widget under ``window`` (empty when everything fits)."""
    found: list[str] = []

    def visit(widget: QWidget) -> None:
        for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not child.isVisibleTo(window) or child.isWindow():
                continue
            check(child, widget)
            if not isinstance(child, OPAQUE):
                visit(child)

    def check(child: QWidget, parent: QWidget) -> None:
        inner = parent.rect().adjusted(-TOLERANCE, -TOLERANCE, TOLERANCE, TOLERANCE)
        if not _scroll_content(child) and not inner.contains(child.geometry()):
            found.append(
                f"{_name(child)} at {child.geometry().getRect()} sticks out of "
                f"{_name(parent)} of size {parent.width()}x{parent.height()}"
            )
        if isinstance(child, QTableView) and child.model() is not None and child.model().columnCount():
            header = child.horizontalHeader()
            if header.length() > child.viewport().width() + TOLERANCE:
                found.append(
                    f"{_name(child)}: its columns need {header.length()} px, it shows "
                    f"{child.viewport().width()}"
                )
        if isinstance(child, QScrollArea) and child.horizontalScrollBar().isVisible():
            found.append(
                f"{_name(child)} scrolls sideways: its content needs {child.widget().minimumSizeHint().width()} px, "
                f"it shows {child.viewport().width()}"
            )
        if isinstance(child, SIZED):
            hint = child.minimumSizeHint()
            if isinstance(child, QLabel) and child.wordWrap():
                needed_h = child.heightForWidth(child.width()) if child.hasHeightForWidth() else hint.height()
                if child.text() and child.height() + TOLERANCE < needed_h:
                    found.append(f"{_name(child)} is {child.height()} px tall, its text needs {needed_h}")
                return
            if child.width() + TOLERANCE < hint.width() or child.height() + TOLERANCE < hint.height():
                found.append(
                    f"{_name(child)} is {child.width()}x{child.height()}, "
                    f"smaller than its minimum {hint.width()}x{hint.height()}"
                )

    visit(window)
    return found
