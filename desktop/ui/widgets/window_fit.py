"""Keeping a window as tall as its word-wrapping labels need.

A top-level window's minimum size comes from its layout's minimum size, which leaves out how tall a
word-wrapping label is at the window's width (Qt computes that only from ``heightForWidth``). When a
message wraps onto more lines than the window was sized for, Qt squeezes the other rows below their
minimum instead of growing the window: line edits become slivers. ``keep_fitted`` grows the window
whenever its layout asks for new geometry (a label's text changed, a row appeared) and when shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


def grow_to_fit(window: QWidget) -> None:
    """Make ``window`` at least as tall as its layout needs at its current width (never shorter)."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth() else 0
    needed = max(needed, layout.totalMinimumSize().height())
    if needed > window.height():
        window.resize(window.width(), needed)


class _Fitter(QObject):
    _EVENTS = (QEvent.Type.LayoutRequest, QEvent.Type.Show)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._EVENTS and isinstance(watched, QWidget):
            grow_to_fit(watched)
        return False


def keep_fitted(window: QWidget) -> None:
    """Grow ``window`` (a dialog with wrapping messages) to its layout's height from now on."""
    window.installEventFilter(_Fitter(window))
