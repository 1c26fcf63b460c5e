"""The result of one prediction: label, probability, confidence, risk badge, warnings and the chart.

Shared by the New prediction page and the past-prediction dialog so both read the same way. Takes
plain values rather than a service type: a saved prediction from the web version has no probability
and no explanation, and the panel must still show what there is.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.domain.prediction import not_reliable_text
from desktop.ui.formatting import percent
from desktop.ui.widgets.contributions_chart import ContributionsChart
from desktop.ui.widgets.risk_badge import RiskBadge, risk_colour, text_colour

STALE_TEXT = "The measurements changed after this result was computed: press Predict again."


class ResultPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, *, with_chart: bool = True) -> None:
        super().__init__(parent)
        self.prediction_label = QLabel("-")
        self.prediction_label.setObjectName("predictionLabel")
        font = self.prediction_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.prediction_label.setFont(font)
        self.prediction_label.setWordWrap(True)  # "Malignant (not reliable)" on two lines if need be
        self.probability_label = QLabel("-")
        self.confidence_label = QLabel("-")
        self.confidence_label.setWordWrap(True)  # beside the chart at 1024 px it needs two lines
        self.probability_label.setWordWrap(True)
        self.badge = RiskBadge()
        self.warning_label = QLabel()
        self.warning_label.setObjectName("outOfRangeWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(
            "QLabel { background: #fef3c7; color: #78350f; border: 1px solid #b45309; padding: 6px; }"
        )
        self.warning_label.setVisible(False)
        self.stale_label = QLabel(STALE_TEXT)
        self.stale_label.setWordWrap(True)
        self.stale_label.setStyleSheet(f"QLabel {{ color: {text_colour('warning')}; font-style: italic; }}")
        self.stale_label.setVisible(False)
        self.placeholder = QLabel("Enter the 30 measurements (or load a sample case) and press Predict.")
        self.placeholder.setWordWrap(True)

        facts = QFormLayout()
        facts.addRow("Prediction:", self.prediction_label)
        facts.addRow("Probability of malignancy:", self.probability_label)
        facts.addRow("Confidence:", self.confidence_label)
        badge_row = QHBoxLayout()
        badge_row.addWidget(self.badge)
        badge_row.addStretch(1)
        facts.addRow("Risk level:", badge_row)

        left = QVBoxLayout()
        left.addWidget(self.placeholder)
        left.addLayout(facts)
        left.addWidget(self.warning_label)
        left.addWidget(self.stale_label)
        left.addStretch(1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 2)
        self.chart: ContributionsChart | None = None
        if with_chart:
            self.chart = ContributionsChart()
            layout.addWidget(self.chart, 3)
        self.clear()

    def clear(self) -> None:
        self.placeholder.setVisible(True)
        self.prediction_label.setText("-")
        self.prediction_label.setStyleSheet("")
        self.probability_label.setText("-")
        self.confidence_label.setText("-")
        self.badge.set_level(None)
        self.warning_label.setVisible(False)
        self.warning_label.clear()
        self.stale_label.setVisible(False)
        if self.chart is not None:
            self.chart.clear()
            self.chart.setVisible(False)  # an empty chart is a big white box: show it with a result

    def set_result(
        self,
        prediction: str,
        confidence: float,
        probability: float | None,
        risk_level: str,
        out_of_range: Sequence[str] = (),
        contributions: Mapping[str, float] | None = None,
        *,
        probability_derived: bool = False,
    ) -> None:
        """``probability_derived``: the probability was worked out from the stored label and
        confidence (a prediction saved by the web version), which the label says."""
        self.placeholder.setVisible(False)
        self.prediction_label.setText(prediction)
        colour = text_colour("error") if prediction == "Malignant" else risk_colour("Low")
        self.prediction_label.setStyleSheet(f"QLabel {{ color: {colour}; }}")
        self.prediction_label.setAccessibleName(f"Prediction: {prediction}")
        shown = percent(probability, "not recorded")
        if probability is not None and probability_derived:
            shown += " (worked out from the stored confidence)"
        self.probability_label.setText(shown)
        self.confidence_label.setText(f"{percent(confidence)} (probability of the predicted class)")
        self.badge.set_level(risk_level)
        self.set_out_of_range(out_of_range)
        self.stale_label.setVisible(False)
        if self.chart is not None:
            self.show_contributions(contributions)

    def show_contributions(self, contributions: Mapping[str, float] | None) -> None:
        """Draw the chart (hidden when there is nothing to explain)."""
        if self.chart is not None:
            self.chart.set_contributions(contributions)
            self.chart.setVisible(bool(self.chart.shown))

    def set_out_of_range(self, names: Sequence[str]) -> None:
        if not names:
            self.warning_label.setVisible(False)
            self.warning_label.clear()
            return
        # A number from values the model never saw looks as certain as any other: the warning says
        # plainly that it is not, and the prediction itself is greyed so it does not read as a finding.
        self.warning_label.setText(
            f"<b>{html.escape(not_reliable_text(names))}</b> The model has not seen values like "
            f"{'this' if len(names) == 1 else 'these'}; check the measurements and their units."
        )
        self.warning_label.setTextFormat(Qt.TextFormat.RichText)
        self.warning_label.setVisible(True)
        self.prediction_label.setStyleSheet(f"QLabel {{ color: {text_colour('warning')}; }}")
        self.prediction_label.setText(f"{self.prediction_label.text()} (not reliable)")

    def set_stale(self, stale: bool) -> None:
        self.stale_label.setVisible(stale)

    @property
    def warning_text(self) -> str:
        return self.warning_label.text() if self.warning_label.isVisibleTo(self) else ""
