"""Progress and results of the database tools' long operations: a bar, the current step, and a log.

The bar runs as a busy indicator until the first step is known, then counts the migration steps the
service reports; the log keeps every finished step and every result, so the person can read back what
was done (and copy it into a support request).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QProgressBar, QVBoxLayout, QWidget

#: Lines kept in the log (older ones are dropped).
MAX_LOG_LINES = 2000


class StepReport(Protocol):
    """One migration step as the maintenance service reports it (before and after it ran)."""

    @property
    def index(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def revision(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def done(self) -> bool: ...
    @property
    def direction(self) -> str: ...


class OperationProgress(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setAccessibleName("Results of database operations")
        self.output.setMaximumBlockCount(MAX_LOG_LINES)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.output, 1)

    def begin(self, message: str) -> None:
        """An operation started: a busy indicator and what is being done."""
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)  # busy indicator until the first step is known
        self.progress_label.setText(message)

    def step(self, step: StepReport) -> None:
        self.progress.setRange(0, max(1, step.total))
        if step.done:
            self.progress.setValue(step.index)
            self.say(f"  ✓ {step.direction} {step.revision} – {step.message}")
        else:
            self.progress_label.setText(
                f"Step {step.index} of {step.total}: {step.direction} {step.revision} – {step.message}"
            )

    def end(self) -> None:
        self.progress.setVisible(False)
        self.progress_label.clear()

    def say(self, text: str) -> None:
        """Add a line to the log."""
        self.output.appendPlainText(text)
