"""How a screening's predictions agree with the diagnoses its file carries: accuracy, sensitivity,
specificity and the confusion matrix. Hidden for a file without diagnoses."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QWidget

from desktop.domain.screening import Agreement

TITLE = "Agreement with the diagnoses in the file"


def observed_share(value: float | None) -> str:
    """An observed proportion (e.g. 6 of 6 = 100.0%), unlike a model probability (formatting.percent)."""
    return "-" if value is None else f"{value:.1%}"


class AgreementBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        grid = QGridLayout(self)
        self.accuracy_label, self.sensitivity_label, self.specificity_label = QLabel(), QLabel(), QLabel()
        grid.addWidget(QLabel("Accuracy:"), 0, 0)
        grid.addWidget(self.accuracy_label, 0, 1)
        grid.addWidget(QLabel("Sensitivity (malignant found):"), 1, 0)
        grid.addWidget(self.sensitivity_label, 1, 1)
        grid.addWidget(QLabel("Specificity (benign found):"), 2, 0)
        grid.addWidget(self.specificity_label, 2, 1)
        self.matrix_labels = [[QLabel(), QLabel()], [QLabel(), QLabel()]]
        grid.addWidget(QLabel("<b>Confusion matrix</b>"), 0, 3)
        grid.addWidget(QLabel("predicted Malignant"), 0, 4)
        grid.addWidget(QLabel("predicted Benign"), 0, 5)
        for r, caption in enumerate(("actual Malignant", "actual Benign")):
            grid.addWidget(QLabel(caption), r + 1, 3)
            for c in range(2):
                label = self.matrix_labels[r][c]
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(label, r + 1, 4 + c)
        grid.setColumnMinimumWidth(2, 30)
        grid.setColumnStretch(6, 1)
        self.setVisible(False)

    def show_agreement(self, agreement: Agreement | None) -> None:
        """Show ``agreement`` (None: the file has no diagnoses, and the box is hidden)."""
        self.setVisible(agreement is not None)
        if agreement is None:
            return
        self.setTitle(f"{TITLE} ({agreement.total:,} rows)")
        self.accuracy_label.setText(observed_share(agreement.accuracy))
        self.sensitivity_label.setText(observed_share(agreement.sensitivity))
        self.specificity_label.setText(observed_share(agreement.specificity))
        for r, row in enumerate(agreement.confusion_matrix):
            for c, value in enumerate(row):
                self.matrix_labels[r][c].setText(f"{value:,}")
