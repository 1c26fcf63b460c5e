"""A saved prediction opened from the history: its 30 inputs, its result, notes to edit, print, delete.

The stored row has no explanation, so the dialog asks the model again with the stored inputs (off the
GUI thread) and shows the chart only when the current model is the one that made the prediction;
otherwise it says why the chart is missing rather than showing another model's reasoning.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.chart_dto import PredictionReport
from desktop.domain.dto import SavedPrediction
from desktop.domain.features import BASE_MEASUREMENTS, GROUPS
from desktop.domain.patient_dto import PatientDTO
from desktop.domain.prediction import PredictionResult, outside_training_range
from desktop.ui import report
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.errors import user_message
from desktop.ui.formatting import delete_prediction_question
from desktop.ui.model_card import ModelCard, contributions_of, report_data_for
from desktop.ui.report_files import save_as_pdf
from desktop.ui.widgets.feature_form import format_value
from desktop.ui.widgets.result_panel import ResultPanel
from desktop.ui.widgets.risk_badge import text_colour


class PredictionDetailDialog(QDialog):
    #: Emitted after the notes were saved or the prediction deleted (the history reloads).
    changed = Signal()

    def __init__(
        self,
        ctx: UiContext,
        prediction: SavedPrediction,
        card: ModelCard | None = None,
        parent: QWidget | None = None,
        *,
        patient: PatientDTO | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._patient = patient  # whose chart (None: the signed-in patient's own)
        self._patient_id = patient.id if patient is not None else None
        self.clinician = ""  # who ran it, once the service has said (the report names them)
        self._prediction = prediction
        self._card = card
        self._contributions: dict[str, float] = {}  # filled once the installed model explains it
        self.deleted = False
        when = prediction.created_at.astimezone() if prediction.created_at.tzinfo else prediction.created_at
        self.setWindowTitle(f"Prediction #{prediction.id} of {when:%Y-%m-%d %H:%M}")

        self.result_panel = ResultPanel()
        out = self._out_of_range()
        self.result_panel.set_result(
            prediction.prediction,
            prediction.confidence,
            prediction.probability,
            prediction.risk_level,
            out,
            None,
            probability_derived=prediction.probability_derived,
        )
        self.explain_label = QLabel("Computing which measurements pushed the result…")
        self.explain_label.setWordWrap(True)

        self.inputs = QTableWidget(len(BASE_MEASUREMENTS), len(GROUPS))
        self.inputs.setHorizontalHeaderLabels([label for _, label in GROUPS])
        self.inputs.setVerticalHeaderLabels([label for _, label, _ in BASE_MEASUREMENTS])
        self.inputs.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Rows as tall as the text needs (the style's default is roomier), so the whole dialog fits
        # a 768-pixel laptop screen.
        self.inputs.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.inputs.setAccessibleName("The 30 measurements of this prediction")
        for row, (base, _, _) in enumerate(BASE_MEASUREMENTS):
            for column, (group, _) in enumerate(GROUPS):
                name = f"{base}_{group}"
                item = QTableWidgetItem(format_value(prediction.features[name]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if name in out:
                    item.setToolTip("Outside the training range: the result is not reliable")
                    item.setForeground(Qt.GlobalColor.darkYellow)
                self.inputs.setItem(row, column, item)
        self.inputs.resizeColumnsToContents()

        self.notes_edit = QPlainTextEdit(prediction.notes)
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setTabChangesFocus(True)  # Tab leaves the box (no keyboard trap)
        self.save_notes_button = QPushButton("Save notes")
        self.save_notes_button.clicked.connect(self.save_notes)
        self.print_button = QPushButton("Print…")
        self.print_button.clicked.connect(self.print_report)
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.delete)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        model = prediction.model_version or "the web version (model not recorded)"
        header = QLabel(f"Made with model {model}.")
        result_box = QGroupBox("Result")
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(header)
        result_layout.addWidget(self.result_panel)
        result_layout.addWidget(self.explain_label)
        notes_box = QGroupBox("Notes")
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.addWidget(self.notes_edit)
        notes_row = QHBoxLayout()
        notes_row.addWidget(self.status_label, 1)
        notes_row.addWidget(self.save_notes_button)
        notes_layout.addLayout(notes_row)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.pdf_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        # All ten rows of inputs visible without scrolling: they are what the result is about.
        frame = 2 * self.inputs.frameWidth() + 2
        self.inputs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inputs.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inputs.setFixedHeight(
            self.inputs.verticalHeader().length() + self.inputs.horizontalHeader().sizeHint().height() + frame
        )
        self.inputs.setFixedWidth(
            self.inputs.verticalHeader().sizeHint().width() + self.inputs.horizontalHeader().length() + frame
        )
        bottom = QHBoxLayout()
        bottom.addWidget(self.inputs)
        bottom.addWidget(notes_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(result_box, 1)
        layout.addLayout(bottom)
        layout.addWidget(buttons)
        self._fit_to_screen(parent)
        self._explain()
        self._load_clinician()

    def _fit_to_screen(self, parent: QWidget | None) -> None:
        """1000x800 where the screen has room, else the screen's free area (less a margin for the
        window frame): a dialog taller than the screen hides its buttons."""
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        margin = 48
        self.resize(min(1000, screen.width() - margin), min(800, screen.height() - margin))

    @property
    def prediction(self) -> SavedPrediction:
        return self._prediction

    def _out_of_range(self) -> tuple[str, ...]:
        return outside_training_range(self._prediction.features, self._card.ranges if self._card else {})

    # --- explanation -------------------------------------------------------------------------------

    def _load_clinician(self) -> None:
        """Who ran the prediction, for the report (the service reads it from the chart)."""
        self._ctx.runner.run(
            partial(
                self._ctx.services.predictions.report,
                self._ctx.token,
                self._prediction.id,
                patient_id=self._patient_id,
            ),
            on_done=self._clinician_loaded,
            on_error=lambda _error: None,  # the report then says "Not known"
        )

    def _clinician_loaded(self, names: PredictionReport) -> None:
        self.clinician = names.clinician_name

    def _explain(self) -> None:
        self._ctx.runner.run(
            partial(
                self._ctx.services.predictions.make_prediction,
                self._ctx.token,
                dict(self._prediction.features),
                patient_id=self._patient_id,
            ),
            on_done=self._explained,
            on_error=self._explain_failed,
        )

    def _explained(self, result: PredictionResult) -> None:
        version = result.model_version
        if self._prediction.model_version and version == self._prediction.model_version:
            self._contributions = contributions_of(result)  # the report prints them too
            self.result_panel.show_contributions(self._contributions)
            self.explain_label.setText("")
            self.explain_label.setVisible(False)
        else:
            self.explain_label.setText(
                "No chart: this prediction was made with a different model version than the one installed, "
                "so the installed model cannot explain it."
            )

    def _explain_failed(self, error: BaseException) -> None:
        self.explain_label.setText("No chart: " + user_message(error, already_logged=True))

    # --- actions -----------------------------------------------------------------------------------

    @Slot()
    def save_notes(self) -> None:
        self.save_notes_button.setEnabled(False)
        self._ctx.runner.run(
            partial(
                self._ctx.services.predictions.annotate,
                self._ctx.token,
                self._prediction.id,
                self.notes_edit.toPlainText(),
                self._prediction.version,
                patient_id=self._patient_id,
            ),
            on_done=self._notes_saved,
            on_error=self._failed,
            key=f"notes-{self._prediction.id}",
        )

    def _notes_saved(self, updated: SavedPrediction) -> None:
        self._prediction = updated
        self.save_notes_button.setEnabled(True)
        self.status_label.setStyleSheet("")
        self.status_label.setText("Notes saved.")
        self.changed.emit()

    def _failed(self, error: BaseException) -> None:
        self.save_notes_button.setEnabled(True)
        self.delete_button.setEnabled(True)
        self.status_label.setStyleSheet(f"color: {text_colour('error')};")
        self.status_label.setText(user_message(error, already_logged=True))

    @Slot()
    def delete(self) -> None:
        p = self._prediction
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
                patient_id=self._patient_id,
            ),
            on_done=self._deleted,
            on_error=self._failed,
            key=f"delete-{p.id}",
        )

    def reject(self) -> None:
        """Close, Escape and the window's X: ask before dropping notes typed but not saved."""
        unsaved = self.notes_edit.toPlainText() != (self._prediction.notes or "")
        saving = self._ctx.runner.is_running(f"notes-{self._prediction.id}")
        if (
            unsaved
            and not saving
            and not self.deleted
            and not prompts.confirm(
                self,
                "The notes were changed but not saved. Close without saving them?",
                "Unsaved notes",
                yes_label="Close without saving",
                destructive=True,
            )
        ):
            return
        super().reject()

    def _deleted(self, _result: Any) -> None:
        self.deleted = True
        self.changed.emit()
        self.accept()

    def report_data(self) -> report.ReportData:
        p = self._prediction
        return report_data_for(
            self._card,
            patient=self._patient,
            clinician=self.clinician,
            created_at=p.created_at or dt.datetime.now(dt.UTC),
            features=p.features,
            prediction=p.prediction,
            confidence=p.confidence,
            probability=p.probability,
            risk_level=p.risk_level,
            notes=self.notes_edit.toPlainText(),
            out_of_range=self._out_of_range(),
            model_version=p.model_version,
            prediction_id=p.id,
            contributions=self._contributions,
        )

    @Slot()
    def print_report(self) -> None:
        report.print_with_dialog(self.report_data(), self)

    @Slot()
    def save_pdf(self) -> None:
        data = self.report_data()
        path = save_as_pdf(self, data, f"prediction-{data.prediction_id}.pdf")
        if not path:
            return
        self.status_label.setStyleSheet("")
        self.status_label.setText(f"Report saved to {path}.")
