"""The 30 measurements of a saved prediction as a read-only 10 x 3 table (rows: measurement; columns:
mean, standard error, worst), sized so every row shows without scrolling: they are what the result
is about. Values outside the model's training range are marked, as on the report."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from desktop.domain.features import BASE_MEASUREMENTS, GROUPS
from desktop.ui.widgets.feature_form import format_value


class PredictionInputsTable(QTableWidget):
    def __init__(
        self,
        features: Mapping[str, float],
        out_of_range: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(len(BASE_MEASUREMENTS), len(GROUPS), parent)
        self.setHorizontalHeaderLabels([label for _, label in GROUPS])
        self.setVerticalHeaderLabels([label for _, label, _ in BASE_MEASUREMENTS])
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Rows as tall as the text needs (the style's default is roomier), so a dialog holding the
        # table fits a 768-pixel laptop screen.
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setAccessibleName("The 30 measurements of this prediction")
        for row, (base, _, _) in enumerate(BASE_MEASUREMENTS):
            for column, (group, _) in enumerate(GROUPS):
                name = f"{base}_{group}"
                item = QTableWidgetItem(format_value(features[name]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if name in out_of_range:
                    item.setToolTip("Outside the training range: the result is not reliable")
                    item.setForeground(Qt.GlobalColor.darkYellow)
                self.setItem(row, column, item)
        self.resizeColumnsToContents()
        self._fit_all_rows()

    def _fit_all_rows(self) -> None:
        """Exactly as large as all rows and columns: no scroll bars, nothing hidden."""
        frame = 2 * self.frameWidth() + 2
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(
            self.verticalHeader().length() + self.horizontalHeader().sizeHint().height() + frame
        )
        self.setFixedWidth(
            self.verticalHeader().sizeHint().width() + self.horizontalHeader().length() + frame
        )
