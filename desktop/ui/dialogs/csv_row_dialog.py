""" "Load from CSV row": pick one case of a CSV file to fill the New prediction form.

The file is read by the screening service's reader (desktop.services.screening_csv), so it accepts
exactly what batch screening accepts (the UCI wdbc.data layout or a header naming the 30
measurements); rows it would refuse are listed with their reason and cannot be chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.features import FEATURE_NAMES
from desktop.services.screening_csv import Layout, read_rows
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message


@dataclass(frozen=True)
class CsvCase:
    line: int
    case_id: str
    diagnosis: str
    values: dict[str, float] | None  # None when the row cannot be used
    problem: str = ""


def read_cases(path: str) -> list[CsvCase]:
    """Every data row of ``path`` as a CsvCase; ScreeningFileError if the file cannot be read at all."""
    header, rows = read_rows(Path(path))
    layout = Layout(header)
    cases = []
    for row in rows:
        try:
            parsed = layout.parse(row)
        except ValueError as error:
            cases.append(CsvCase(row.line, row.cells[0] if row.cells else "", "", None, str(error)))
            continue
        diagnosis = parsed.diagnosis.value if parsed.diagnosis else ""
        values = dict(zip(FEATURE_NAMES, parsed.features, strict=True))
        cases.append(CsvCase(parsed.line, parsed.case_id, diagnosis, values))
    return cases


class CsvRowDialog(QDialog):
    def __init__(self, path: str, cases: Sequence[CsvCase], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Load a case from a CSV file")
        self.resize(640, 420)
        self._cases = list(cases)
        self.table = QTableWidget(len(cases), 4)
        self.table.setHorizontalHeaderLabels(["Line", "Case id", "Diagnosis in file", "Usable"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, case in enumerate(cases):
            usable = "yes" if case.values is not None else f"no: {case.problem}"
            for column, text in enumerate((str(case.line), case.case_id, case.diagnosis, usable)):
                item = QTableWidgetItem(text)
                if case.values is None:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable & ~Qt.ItemFlag.ItemIsEnabled)
                    item.setToolTip(case.problem)
                self.table.setItem(row, column, item)
        self.table.doubleClicked.connect(lambda _index: self.accept())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.itemSelectionChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{Path(path).name}: choose the case to load into the form."))
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        first = next((i for i, c in enumerate(cases) if c.values is not None), None)
        if first is not None:
            self.table.selectRow(first)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen() is not None)

    def chosen(self) -> CsvCase | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        case = self._cases[rows[0].row()]
        return case if case.values is not None else None


def choose_csv_row(ctx: UiContext, parent: QWidget | None = None) -> dict[str, float] | None:
    """Ask for a CSV file and a row in it; the row's 30 values, or None when cancelled."""
    path = prompts.open_file(
        parent, "Load a case from a CSV file", "CSV files (*.csv *.data *.txt);;All files (*)"
    )
    if not path:
        return None
    try:
        cases = read_cases(path)
    except Exception as error:
        prompts.error(parent, user_message(error))
        return None
    if not any(c.values is not None for c in cases):
        prompts.warn(parent, "No row of this file can be used: every row has a problem.")
        return None
    dialog = CsvRowDialog(path, cases, parent)
    if exec_dialog(dialog) != QDialog.DialogCode.Accepted:
        return None
    case = dialog.chosen()
    return dict(case.values) if case is not None and case.values is not None else None


def exec_dialog(dialog: QDialog) -> int:
    """Run ``dialog`` modally (tests replace this to choose without an event loop)."""
    return dialog.exec()
