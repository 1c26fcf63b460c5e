"""The 30-measurement input form of the New prediction page, grouped Mean / Standard error / Worst.

Each measurement is a QLineEdit (a QDoubleSpinBox cannot be empty, and an empty field must read as
"missing", not as 0). The training range from the model card is the placeholder and the tooltip, so
the person typing sees what the model has seen. Validation runs as they type and calls the domain's
rules for a measurement (the ones the predictor and the prediction service apply), so the form shows
the very messages a save would give; a value outside the training range is not an error but is marked
amber, because the model will still predict it and the result page warns about it.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError
from desktop.domain.features import BASE_MEASUREMENTS, FEATURE_NAMES, GROUPS
from desktop.domain.prediction import feature_value, validate_features
from desktop.ui.widgets.risk_badge import text_colour


def format_value(value: float) -> str:
    """Up to six significant digits, no exponent for the magnitudes this data has."""
    return f"{value:.6g}"


def typed_number(text: str) -> str:
    """The text of a field as the measurement rules read it: trimmed, a decimal comma (as typed
    where the locale writes one) read as a point."""
    return text.strip().replace(",", ".")


def read_value(name: str, text: str) -> tuple[float | None, str]:
    """(value, "") for acceptable text, else (None, the domain's message for measurement ``name``)."""
    try:
        return feature_value(name, typed_number(text)), ""
    except ValidationError as error:
        return None, error.message


class FeatureForm(QWidget):
    """Emits ``changed`` whenever a value is edited (the page clears a stale result then).

    The "Load from CSV row" button only emits ``csv_row_requested``: choosing the file goes through
    the prompts module and reading it through the screening service, which the page owns.
    """

    changed = Signal()
    csv_row_requested = Signal()
    sample_loaded = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edits: dict[str, QLineEdit] = {}
        self._messages: dict[str, QLabel] = {}
        self._ranges: dict[str, tuple[float, float]] = {}
        self._meanings = {base: meaning for base, _, meaning in BASE_MEASUREMENTS}
        self._units: dict[str, str] = {}
        self._samples: dict[str, dict[str, float]] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.sample_button = QPushButton("Load sample case")
        self.sample_button.setAccessibleName("Load a sample case")
        self.sample_menu = QMenu(self.sample_button)
        self.sample_button.setMenu(self.sample_menu)
        self.sample_button.setEnabled(False)
        self.csv_button = QPushButton("Load from CSV row…")
        self.csv_button.setAccessibleName("Load the measurements from a row of a CSV file")
        self.csv_button.clicked.connect(self.csv_row_requested)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear all measurements")
        self.clear_button.clicked.connect(self.clear)
        for button in (self.sample_button, self.csv_button, self.clear_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        layout = QHBoxLayout()
        outer.addLayout(layout)
        for group, group_label in GROUPS:
            box = QGroupBox(group_label)
            grid = QGridLayout(box)
            grid.setVerticalSpacing(2)
            grid.setColumnStretch(1, 1)
            for row, (base, label, _) in enumerate(BASE_MEASUREMENTS):
                name = f"{base}_{group}"
                caption = QLabel(f"{label}:")
                edit = QLineEdit()
                edit.setObjectName(f"feature_{name}")
                edit.setAccessibleName(f"{label} ({group_label.lower()})")
                edit.setMinimumWidth(80)
                edit.textEdited.connect(self._on_edited)
                caption.setBuddy(edit)
                message = QLabel()
                message.setObjectName(f"message_{name}")
                message.setWordWrap(True)
                message.setVisible(False)
                grid.addWidget(caption, row * 2, 0)
                grid.addWidget(edit, row * 2, 1)
                grid.addWidget(message, row * 2 + 1, 0, 1, 2)
                self._edits[name] = edit
                self._messages[name] = message
            layout.addWidget(box)
        self._refresh_hints()

    # --- configuration -----------------------------------------------------------------------------

    def set_ranges(
        self, ranges: Mapping[str, tuple[float, float]], units: Mapping[str, str] | None = None
    ) -> None:
        """Training min/max per feature (and optional unit text) from the model card."""
        self._ranges = {name: (float(lo), float(hi)) for name, (lo, hi) in ranges.items()}
        self._units = dict(units or {})
        self._refresh_hints()
        for name in FEATURE_NAMES:
            if self._edits[name].text():
                self._check(name)

    def set_samples(self, samples: Mapping[str, Mapping[str, float]]) -> None:
        """Named example cases (e.g. "Benign example") offered by the "Load sample case" menu."""
        self._samples = {label: dict(values) for label, values in samples.items()}
        self.sample_menu.clear()
        for label in self._samples:
            action = self.sample_menu.addAction(label)
            action.triggered.connect(lambda _checked=False, key=label: self.load_sample(key))
        self.sample_button.setEnabled(bool(self._samples))

    @property
    def sample_names(self) -> list[str]:
        return list(self._samples)

    def load_sample(self, label: str) -> None:
        self.set_values(self._samples[label])
        self.sample_loaded.emit(label)

    def _refresh_hints(self) -> None:
        for name, edit in self._edits.items():
            base = name.rsplit("_", 1)[0]
            tip = [edit.accessibleName(), self._meanings.get(base, "")]
            if self._units.get(name):
                tip.append(f"Unit: {self._units[name]}")
            if name in self._ranges:
                lo, hi = self._ranges[name]
                edit.setPlaceholderText(f"{format_value(lo)} – {format_value(hi)}")
                tip.append(f"Training range: {format_value(lo)} to {format_value(hi)}")
            edit.setToolTip("\n".join(t for t in tip if t))

    # --- values ------------------------------------------------------------------------------------

    def edit_for(self, name: str) -> QLineEdit:
        return self._edits[name]

    def message_for(self, name: str) -> str:
        """The message currently shown under ``name`` ("" when none)."""
        return self._messages[name].text()

    def set_values(self, values: Mapping[str, float]) -> None:
        """Fill the fields (missing names are left empty) and validate them."""
        for name in FEATURE_NAMES:
            value = values.get(name)
            self._edits[name].setText("" if value is None else format_value(float(value)))
            self._check(name)
        self.changed.emit()

    def texts(self) -> dict[str, str]:
        """What is typed in each field, as typed (a draft keeps it; it may not be a number yet)."""
        return {name: self._edits[name].text() for name in FEATURE_NAMES}

    def set_texts(self, texts: Mapping[str, str]) -> None:
        """Put typed texts back (``texts()``'s), checking them as if they had been typed."""
        for name in FEATURE_NAMES:
            self._edits[name].setText(texts.get(name, ""))
            self._check(name)
        self.changed.emit()

    def clear(self) -> None:
        for name in FEATURE_NAMES:
            self._edits[name].clear()
            self._show(name, "", error=False)
        self.changed.emit()

    def values(self) -> dict[str, float]:
        """All 30 values, or the domain's ValidationError with a message per bad field (all of them
        shown under their fields)."""
        for name in FEATURE_NAMES:
            self._check(name)
        try:
            checked = validate_features(
                {name: typed_number(self._edits[name].text()) for name in FEATURE_NAMES}
            )
        except ValidationError as error:
            first = next(name for name in FEATURE_NAMES if name in error.fields)
            self._edits[first].setFocus()
            raise
        return dict(zip(FEATURE_NAMES, checked, strict=True))

    def out_of_range(self) -> list[str]:
        """Names of the filled-in features outside the training range."""
        names = []
        for name in FEATURE_NAMES:
            value, message = read_value(name, self._edits[name].text())
            if not message and value is not None and self._outside(name, value):
                names.append(name)
        return names

    def show_errors(self, fields: Mapping[str, str]) -> None:
        """Show messages from the service (e.g. its own validation) under the named fields."""
        for name, message in fields.items():
            if name in self._edits:
                self._show(name, message, error=True)

    # --- validation --------------------------------------------------------------------------------

    @Slot()
    def _on_edited(self) -> None:
        edit = self.sender()
        for name, candidate in self._edits.items():
            if candidate is edit:
                self._check(name)
                break
        self.changed.emit()

    def _outside(self, name: str, value: float) -> bool:
        if name not in self._ranges:
            return False
        lo, hi = self._ranges[name]
        return value < lo or value > hi

    def _check(self, name: str) -> tuple[float | None, str]:
        value, message = read_value(name, self._edits[name].text())
        if message:
            self._show(name, message, error=True)
        elif value is not None and self._outside(name, value):
            lo, hi = self._ranges[name]
            self._show(
                name, f"Outside the training range ({format_value(lo)} – {format_value(hi)}).", error=False
            )
        else:
            self._show(name, "", error=False)
        return value, message

    def _show(self, name: str, message: str, *, error: bool) -> None:
        label = self._messages[name]
        label.setText(message)
        label.setVisible(bool(message))
        colour = text_colour("error" if error else "warning")
        label.setStyleSheet(f"color: {colour}; font-size: 9pt;")
        edit = self._edits[name]
        edit.setStyleSheet(f"QLineEdit {{ border: 2px solid {colour}; }}" if message else "")
        edit.setAccessibleDescription(message)
        invalid = bool(message and error)
        if edit.property("invalid") != invalid:
            edit.setProperty("invalid", invalid)
            # Style sheets read dynamic properties only when polished (Qt docs, "Using Dynamic Properties").
            edit.style().unpolish(edit)
            edit.style().polish(edit)
