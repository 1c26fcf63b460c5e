"""A saved prediction's result shown again: the stored result, the model that made it, and the chart
of what pushed it, but only when the installed model is that same model.

The stored row has no explanation, so the dialog that shows it asks the installed model again with
the stored inputs and hands the answer to :meth:`SavedResultBox.explain`. Another model version would
chart another model's reasoning, so the box then says why the chart is missing instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from desktop.domain.dto import SavedPrediction
from desktop.domain.prediction import PredictionResult
from desktop.ui.model_card import contributions_of
from desktop.ui.widgets.result_panel import ResultPanel

OTHER_MODEL = (
    "No chart: this prediction was made with a different model version than the one installed, "
    "so the installed model cannot explain it."
)


class SavedResultBox(QGroupBox):
    def __init__(
        self, prediction: SavedPrediction, out_of_range: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__("Result", parent)
        self._model_version = prediction.model_version
        self.panel = ResultPanel()
        self.panel.set_result(
            prediction.prediction,
            prediction.confidence,
            prediction.probability,
            prediction.risk_level,
            out_of_range,
            None,
            probability_derived=prediction.probability_derived,
        )
        self.explain_label = QLabel("Computing which measurements pushed the result…")
        self.explain_label.setWordWrap(True)
        model = prediction.model_version or "the web version (model not recorded)"
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Made with model {model}."))
        layout.addWidget(self.panel)
        layout.addWidget(self.explain_label)

    def explain(self, result: PredictionResult) -> dict[str, float]:
        """Chart ``result`` (the installed model's answer for the stored inputs) when that model made
        the prediction; the contributions charted, empty when it did not."""
        if not self._model_version or result.model_version != self._model_version:
            self.explain_label.setText(OTHER_MODEL)
            return {}
        contributions = contributions_of(result)
        self.panel.show_contributions(contributions)
        self.explain_label.setText("")
        self.explain_label.setVisible(False)
        return contributions

    def cannot_explain(self, reason: str) -> None:
        """The installed model could not be asked (``reason`` in plain words)."""
        self.explain_label.setText("No chart: " + reason)
