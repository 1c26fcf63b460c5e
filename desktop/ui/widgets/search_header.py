"""The top of a list page: its title, and below it a row with the search box (when the page searches)
and the page's own controls (filters, buttons).

The search box waits for a pause in typing (``pause_ms``) before it says the text changed
(``search_changed``), so a list is searched once per pause rather than once per key;
:meth:`SearchHeader.search_now` says it at once (Enter, a cleared filter).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

#: A pause in typing long enough to mean "search this" (a fast typist's keys come 80-150 ms apart).
DEFAULT_PAUSE_MS = 300


class SearchHeader(QWidget):
    #: The search text, after a pause in typing or at once through ``search_now``.
    search_changed = Signal(str)

    def __init__(
        self,
        title: str,
        *,
        search_hint: str | None = None,
        search_name: str = "",
        pause_ms: int = DEFAULT_PAUSE_MS,
        parent: QWidget | None = None,
    ) -> None:
        """``search_hint`` (the placeholder text) gives the header a search box; ``search_name`` is
        its accessible name (a screen reader reads it instead of the placeholder)."""
        super().__init__(parent)
        self.heading = QLabel(title)
        self.heading.setObjectName("PageTitle")
        self.row = QHBoxLayout()
        self.search: QLineEdit | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(pause_ms)
        self._timer.timeout.connect(self.search_now)
        if search_hint is not None:
            self.search = QLineEdit()
            self.search.setPlaceholderText(search_hint)
            self.search.setAccessibleName(search_name or search_hint)
            self.search.setClearButtonEnabled(True)
            self.search.textChanged.connect(lambda _text: self._timer.start())
            self.row.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(self.row)

    def add(self, *widgets: QWidget) -> None:
        """Put ``widgets`` on the row, after the search box and what was added before."""
        for widget in widgets:
            self.row.addWidget(widget)

    def add_stretch(self) -> None:
        """Push what is added next to the right end of the row."""
        self.row.addStretch(1)

    def text(self) -> str:
        return self.search.text() if self.search is not None else ""

    @Slot()
    def search_now(self) -> None:
        """Say the search text now (a pending pause is cancelled)."""
        self._timer.stop()
        self.search_changed.emit(self.text())

    def cancel_pending(self) -> None:
        """Forget a pause in progress (the page searched by other means)."""
        self._timer.stop()

    @Slot()
    def focus_search(self) -> None:
        if self.search is not None:
            self.search.setFocus()
            self.search.selectAll()
