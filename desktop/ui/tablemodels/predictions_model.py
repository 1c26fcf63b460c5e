"""A chart's saved predictions: ids from PredictionService.ids (newest first, optionally
one risk level), rows fetched as they are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from desktop.domain.dto import PredictionQuery, SavedPrediction
from desktop.ui.formatting import percent
from desktop.ui.tablemodels.id_list_model import DtoRole, IdListTableModel
from desktop.ui.widgets.risk_badge import risk_colour

if TYPE_CHECKING:
    from desktop.ui.context import UiContext

COL_DATE, COL_PREDICTION, COL_PROBABILITY, COL_CONFIDENCE, COL_RISK, COL_MODEL, COL_NOTES = range(7)

#: Custom role returning the row's SavedPrediction.
PredictionRole = DtoRole


class PredictionsModel(IdListTableModel[SavedPrediction]):
    COLUMNS = (
        ("Date", "created_at", None),
        ("Prediction", "prediction", None),
        ("Probability", "probability", None),
        ("Confidence", "confidence", None),
        ("Risk level", "risk_level", None),
        ("Model", "model_version", None),
        ("Notes", "notes", None),
    )

    def __init__(self, ctx: UiContext, patient_id: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id  # whose chart (None: the signed-in patient's own)
        self.query = PredictionQuery()

    def fetch_ids(self) -> Sequence[int]:
        return self.ctx.services.predictions.ids(self.ctx.token, self.query, patient_id=self.patient_id)

    def fetch_rows(self, ids: Sequence[Any]) -> Sequence[SavedPrediction]:
        return self.ctx.services.predictions.rows(self.ctx.token, ids, patient_id=self.patient_id)

    def set_order(self, key: str, descending: bool) -> None:
        self.query = replace(self.query, descending=descending)  # the time is the only order

    def set_filter(self, risk_level: str | None = None) -> None:
        """Show one risk level (None: all) and reload."""
        self.query = replace(self.query, risk_level=risk_level or None)
        self.reload()

    def first_rows(self, count: int) -> list[SavedPrediction]:
        """The first ``count`` rows in the current order (at most one batch): what the chart plots."""
        return [dto for row in range(min(count, self.rowCount())) if (dto := self.dto(row)) is not None]

    def display(self, dto: SavedPrediction, column: int) -> str:
        if column == COL_DATE:
            when = dto.created_at.astimezone() if dto.created_at.tzinfo else dto.created_at
            return when.strftime("%Y-%m-%d %H:%M")
        if column == COL_PROBABILITY:
            return percent(dto.probability)
        if column == COL_CONFIDENCE:
            return percent(dto.confidence)
        if column == COL_MODEL:
            return dto.model_version or "web version"
        if column == COL_NOTES:
            return dto.notes.splitlines()[0] if dto.notes else ""
        return super().display(dto, column)

    def cell(self, dto: SavedPrediction, column: int, role: int) -> Any:
        if column == COL_RISK and role == Qt.ItemDataRole.BackgroundRole:
            return QColor(risk_colour(dto.risk_level))
        if column == COL_RISK and role == Qt.ItemDataRole.ForegroundRole:
            return QColor("white")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_PROBABILITY, COL_CONFIDENCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NOTES:
            return dto.notes or None
        return None
