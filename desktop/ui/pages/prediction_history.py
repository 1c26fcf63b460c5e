"""Prediction history page: a chart's saved predictions as a table and as a chart.

The table holds the ids of the patient's predictions (newest first) and fetches the rows it shows; the
chart plots the newest ones (one batch of rows), which for one patient's history is all of them in
practice. Opening a row shows the detail dialog, where notes are edited and a prediction printed or
deleted; Delete here does the same with a confirmation that names the prediction.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dto import SavedPrediction
from desktop.domain.enums import RiskLevel
from desktop.domain.errors import SessionExpiredError
from desktop.domain.patient_dto import PatientDTO
from desktop.ui import report
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.prediction_detail import PredictionDetailDialog
from desktop.ui.errors import user_message
from desktop.ui.formatting import delete_prediction_question
from desktop.ui.model_card import ModelCard, load_model_card, report_data_for
from desktop.ui.tablemodels.id_list_model import reload_keeping_place
from desktop.ui.tablemodels.predictions_model import (
    COL_NOTES,
    COL_PREDICTION,
    PredictionRole,
    PredictionsModel,
)
from desktop.ui.tablemodels.unreliable_marker import UnreliableMarker
from desktop.ui.widgets.probability_chart import ProbabilityChart, ProbabilityPoint

EMPTY_TEXT = "No saved predictions yet. Make one on the New prediction page."
FAILED_TEXT = "The saved predictions could not be loaded."
CARD_JOB = "history-model-card"  # not the New prediction page's key: each page must get its card
CHART_POINTS = PredictionsModel.BATCH


class PredictionHistoryPage(QWidget):
    title = "Prediction history"

    def __init__(
        self, ctx: UiContext, patient: PatientDTO | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.patient = patient  # whose chart (None: the signed-in patient's own)
        self.patient_id = patient.id if patient is not None else None
        self._card: ModelCard | None = None
        self._load_failed = False
        self.model = PredictionsModel(ctx, self.patient_id, self)
        self.model.modelReset.connect(self._update_chart)
        self.model.fetch_failed.connect(self._fetch_failed)

        self.risk_filter = QComboBox()
        self.risk_filter.setAccessibleName("Show risk level")
        self.risk_filter.addItem("All risk levels", None)
        for level in RiskLevel:
            self.risk_filter.addItem(f"{level.value} risk", level.value)
        self.risk_filter.currentIndexChanged.connect(self.refresh)
        self.open_button = QPushButton("Open…")
        self.open_button.setAccessibleName("Open the selected prediction")
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete the selected prediction")
        self.delete_button.clicked.connect(self.delete_selected)
        self.count_label = QLabel()

        self.marked = UnreliableMarker(COL_PREDICTION, PredictionRole, self)
        self.marked.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.marked)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(COL_NOTES, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Saved predictions")
        self.table.activated.connect(self._open_index)  # double-click or Enter
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.chart = ProbabilityChart()

        heading = QLabel(self.title)
        heading.setObjectName("PageTitle")
        bar = QHBoxLayout()
        bar.addWidget(self.risk_filter)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.delete_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        # An empty table over an empty chart says nothing; this says what to do instead.
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("Muted")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName("No saved predictions")
        self.content = QStackedWidget()
        self.content.addWidget(splitter)
        self.content.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(bar)
        layout.addWidget(self.content, 1)
        self._update_buttons()
        self.refresh()  # the main window calls refresh() only when a page is shown again

    # --- loading -----------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload from the service (on show, after a save on the New prediction page, after changes)."""
        if self._card is None and not self._ctx.runner.is_running(CARD_JOB):
            self._ctx.runner.run(
                partial(load_model_card, self._ctx.services),
                on_done=self._card_loaded,
                on_error=lambda _e: None,
                key=CARD_JOB,
            )
        risk = self.risk_filter.currentData()
        self._load_failed = False
        if self.model.query.risk_level != risk:
            self.model.set_filter(risk)  # a new list: from its top
        else:
            reload_keeping_place(self.table, self.model)
        if self._load_failed:  # a message, never a traceback (details are logged)
            self._update_chart()
            prompts.error(self, FAILED_TEXT + "\n\n" + self.count_label.text())
        self._update_buttons()

    def _fetch_failed(self, error: BaseException) -> None:
        """The ids or a batch of rows could not be read (also while painting: no dialog here)."""
        self._load_failed = True
        self.count_label.setText(user_message(error))
        if isinstance(error, SessionExpiredError):  # read on the GUI thread, not via the runner
            self._ctx.runner.session_expired.emit()

    def _card_loaded(self, card: ModelCard) -> None:
        self._card = card
        self.marked.set_ranges(card.ranges)
        self._update_chart()

    @Slot()
    def _update_chart(self) -> None:
        rows = self.model.first_rows(CHART_POINTS)
        points = [
            ProbabilityPoint(p.created_at, p.probability, p.risk_level)
            for p in rows
            if p.probability is not None
        ]
        self.chart.set_points(points, threshold=self._card.threshold if self._card else 0.5)
        total = self.model.total
        if not self._load_failed:
            self.count_label.setText(f"{total} saved prediction{'s' if total != 1 else ''}")
        self._show_empty_state(total == 0)

    def _show_empty_state(self, empty: bool) -> None:
        risk = self.risk_filter.currentData()
        if self._load_failed:
            text = FAILED_TEXT
        elif risk is not None:
            text = f"No saved predictions with {str(risk).lower()} risk."
        else:
            text = EMPTY_TEXT
        self.empty_label.setText(text)
        self.content.setCurrentWidget(self.empty_label if empty else self.splitter)

    # --- actions -----------------------------------------------------------------------------------

    def selected(self) -> SavedPrediction | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.dto(rows[0].row()) if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.open_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    @Slot(QModelIndex)
    def _open_index(self, index: QModelIndex) -> None:
        prediction = self.model.dto(index.row()) if index.isValid() else None
        if prediction is not None:
            self.open_prediction(prediction)

    @Slot()
    def open_selected(self) -> None:
        prediction = self.selected()
        if prediction is not None:
            self.open_prediction(prediction)

    def open_prediction(self, prediction: SavedPrediction) -> PredictionDetailDialog:
        """Open the detail dialog (modeless, so tests and keyboard users can keep working)."""
        dialog = PredictionDetailDialog(self._ctx, prediction, self._card, self, patient=self.patient)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.refresh)
        dialog.show()
        return dialog

    @Slot()
    def print_current(self) -> None:
        """Ctrl+P: print the selected prediction's report."""
        prediction = self.selected()
        if prediction is None:
            prompts.info(self, "Select a prediction to print.")
            return
        self._ctx.runner.run(  # the service names who ran it
            partial(
                self._ctx.services.predictions.report,
                self._ctx.token,
                prediction.id,
                patient_id=self.patient_id,
            ),
            on_done=lambda names: self._print(prediction, names.clinician_name),
            on_error=self._failed,
        )

    def _print(self, p: SavedPrediction, clinician: str) -> None:
        report.print_with_dialog(
            report_data_for(
                self._card,
                patient=self.patient,
                clinician=clinician,
                created_at=p.created_at,
                features=p.features,
                prediction=p.prediction,
                confidence=p.confidence,
                probability=p.probability,
                risk_level=p.risk_level,
                notes=p.notes,
                model_version=p.model_version,
                prediction_id=p.id,
            ),
            self,
        )

    @Slot()
    def delete_selected(self) -> None:
        p = self.selected()
        if p is None:
            return
        if not prompts.confirm(
            self, delete_prediction_question(p), "Delete prediction", yes_label="Delete", destructive=True
        ):
            return
        self.delete_button.setEnabled(False)
        self._ctx.runner.run(
            partial(
                self._ctx.services.predictions.delete,
                self._ctx.token,
                p.id,
                p.version,
                patient_id=self.patient_id,
            ),
            on_done=lambda _r: self.refresh(),
            on_error=self._failed,
            key="delete-prediction",
        )

    def _failed(self, error: BaseException) -> None:
        prompts.error(self, user_message(error, already_logged=True))
        self.refresh()
