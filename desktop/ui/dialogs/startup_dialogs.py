"""The two dialog kinds of the start-up flow: a plain choice and the upgrade progress.

``ChoiceDialog`` is a small message dialog with named choices (QMessageBox statics are reserved to
prompts.py, and these need their own buttons). ``UpgradeProgressDialog`` runs the backup + upgrade on
a worker thread, ticks off each revision as it is applied, and closes itself when done; it cannot be
closed while the upgrade runs, because stopping halfway is exactly what transactional migrations are
there to make harmless, not something to invite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.workers import Runner

_ICONS = {
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "critical": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}


class ChoiceDialog(QDialog):
    """A message with one button per choice; ``choice`` is the chosen key ("quit" if closed)."""

    def __init__(
        self,
        title: str,
        text: str,
        choices: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
        icon: str = "info",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.choice = "quit"
        self.text = text
        self.keys = [key for key, _ in choices]
        message = QLabel(text)
        message.setObjectName("choiceText")
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        message.setMinimumWidth(460)
        picture = QLabel()
        picture.setPixmap(self.style().standardIcon(_ICONS.get(icon, _ICONS["info"])).pixmap(48, 48))
        picture.setAlignment(Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout()
        row.addWidget(picture)
        row.addWidget(message, 1)
        buttons = QDialogButtonBox()
        self.buttons: dict[str, QPushButton] = {}
        for key, label in choices:
            button = buttons.addButton(label, QDialogButtonBox.ButtonRole.ActionRole)
            button.setObjectName(f"choice_{key}")
            button.clicked.connect(lambda _checked=False, k=key: self._choose(k))
            self.buttons[key] = button
        if choices:
            self.buttons[choices[0][0]].setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)

    def _choose(self, key: str) -> None:
        self.choice = key
        self.accept()


class UpgradeProgressDialog(QDialog):
    """Runs ``fn(url, progress=..., on_wait=...)`` (desktop.services.startup.run_startup_upgrade)."""

    def __init__(self, decision: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        creating = getattr(decision, "current", None) is None
        self.setWindowTitle("Creating the database" if creating else "Upgrading the database")
        self.setModal(True)
        self.error: BaseException | None = None
        self._running = False
        self._runner = Runner(self, max_threads=1)
        pending = list(getattr(decision, "pending", ()) or ())
        intro = (
            "ClinicDesk is creating its database."
            if creating
            else f"ClinicDesk is upgrading the database from {decision.current} to {decision.head}. "
            "A backup is made first; this can take a moment for a large database."
        )
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.status = QLabel("Making a backup of the database…" if not creating else "Preparing…")
        self.status.setObjectName("upgradeStatus")
        self.status.setWordWrap(True)
        self.steps = QListWidget()
        self.steps.setAccessibleName("Migration steps")
        self._items: dict[str, QListWidgetItem] = {}
        for rev in pending:
            item = QListWidgetItem(f"○  {rev.revision} – {rev.message}")
            self.steps.addItem(item)
            self._items[rev.revision] = item
        self.steps.setVisible(bool(pending))
        self.steps.setMaximumHeight(24 * max(3, len(pending)) + 8)
        self.bar = QProgressBar()
        self.bar.setRange(0, max(1, len(pending)))
        self.bar.setValue(0)
        self.bar.setFormat("%v of %m steps")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.steps)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        self.resize(520, 320)

    def start(self, fn: Callable[..., Any], url: str) -> None:
        def work(progress: Callable[[Any], None]) -> Any:
            return fn(url, progress=progress, on_wait=lambda text: progress(("wait", text)))

        self._running = True
        self._runner.run_with_progress(
            work, on_done=self._done, on_error=self._failed, on_progress=self._progress
        )

    @property
    def running(self) -> bool:
        return self._running

    @Slot(object)
    def _progress(self, value: Any) -> None:
        if isinstance(value, tuple) and value and value[0] == "wait":
            self.status.setText(f"Waiting: {value[1]}")
            return
        index, total = getattr(value, "index", 0), getattr(value, "total", 0)
        revision, message = getattr(value, "revision", ""), getattr(value, "message", "")
        done = bool(getattr(value, "done", False))
        self.bar.setRange(0, max(1, total))
        item = self._items.get(revision)
        if done:
            self.bar.setValue(index)
            if item is not None:
                item.setText(f"✓  {revision} – {message}")
        else:
            self.status.setText(f"Step {index} of {total}: applying {revision} – {message}")
            if item is not None:
                item.setText(f"▶  {revision} – {message}")
                self.steps.scrollToItem(item)

    def _done(self, _result: object) -> None:
        self._running = False
        self.status.setText("Done.")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._running = False
        self.error = error
        self.reject()

    def exec(self) -> int:
        if not self._running:  # finished before the dialog was even shown
            return int(QDialog.DialogCode.Accepted if self.error is None else QDialog.DialogCode.Rejected)
        return super().exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._running and event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)
