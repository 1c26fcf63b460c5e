"""New prediction page: the 30-measurement form, Predict, the result, notes, Save and Print.

Everything slow goes through ``ctx.runner``: the model card is read and the ONNX model is loaded on a
worker thread the first time the page needs them, so opening the page never freezes the window. The
result shown belongs to the values it was computed from: editing any field afterwards marks it stale
and disables Save. Saving hands the service those values and the notes; the service runs the model
itself and stores what it computed, so a saved prediction always matches its stored inputs.

Input not yet saved (drafts.py): measurements or notes typed and not saved with a prediction. A fresh
page, one just saved (its notes cleared, its measurements those saved) or cleared has none
(prediction_draft.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError
from desktop.domain.patient_dto import PatientDTO
from desktop.domain.prediction import PredictionResult, not_reliable_text
from desktop.ui import report
from desktop.ui.context import UiContext
from desktop.ui.dialogs import prompts
from desktop.ui.dialogs.csv_row_dialog import choose_csv_row
from desktop.ui.errors import user_message
from desktop.ui.model_card import (
    ModelCard,
    clinician_name,
    contributions_of,
    load_model_card,
    report_data_for,
)
from desktop.ui.pages.prediction_draft import PredictionDraft, unsaved_text
from desktop.ui.sample_cases import SAMPLE_CASES
from desktop.ui.widgets.prediction_view import PredictionView
from desktop.ui.widgets.risk_badge import text_colour

log = logging.getLogger(__name__)


class NewPredictionPage(QWidget):
    title = "New prediction"

    #: Emitted with the saved prediction's id (the history page reloads on it).
    prediction_saved = Signal(int)

    def __init__(
        self, ctx: UiContext, patient: PatientDTO | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        #: The chart's patient, fixed for the page's life: a prediction made here is saved into
        #: this chart only (None: the signed-in patient's own).
        self.patient = patient
        self.patient_id = patient.id if patient is not None else None
        self._card: ModelCard | None = None
        self._result: PredictionResult | None = None
        self._inputs: dict[str, float] | None = None
        self._saved_id: int | None = None

        view = PredictionView(self.title)
        self.form, self.result_panel, self.notes_edit = view.form, view.result_panel, view.notes_edit
        self.predict_button, self.status_label = view.predict_button, view.status_label
        self.save_button, self.print_button, self.pdf_button = (
            view.save_button, view.print_button, view.pdf_button
        )  # fmt: skip
        self.result_box, self.scroll_area = view.result_box, view.scroll_area
        self.form.changed.connect(self._on_form_changed)
        self.form.csv_row_requested.connect(self._load_csv_row)
        self.form.clear_button.clicked.connect(self._clear_case)
        self.form.set_samples(SAMPLE_CASES)  # real wdbc cases; available before the model has loaded
        self.predict_button.clicked.connect(self.predict)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_current)
        self.pdf_button.clicked.connect(self.save_pdf)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(view)
        self._update_buttons()
        self.refresh()  # the main window calls refresh() only when a page is shown again

    # --- page protocol -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the model card (once, off the GUI thread) for ranges, units and sample cases."""
        if self._card is None:
            self._ctx.runner.run(
                partial(load_model_card, self._ctx.services),
                on_done=self._card_loaded,
                on_error=self._card_failed,
                key="model-card",
            )

    @Slot(object)
    def _card_loaded(self, card: ModelCard) -> None:
        self._card = card
        self.form.set_ranges(card.ranges, card.units)
        self.form.set_samples(card.samples)

    @Slot(object)
    def _card_failed(self, error: BaseException) -> None:
        self._set_status(user_message(error, already_logged=True), error=True)

    @property
    def result(self) -> Any:
        return self._result

    # --- predict -----------------------------------------------------------------------------------

    @Slot()
    def predict(self) -> None:
        try:
            values = self.form.values()
        except ValidationError as error:
            self._set_status(error.message, error=True)
            return
        self._set_status("Predicting… (the model loads on first use)")
        self.predict_button.setEnabled(False)
        job = self._ctx.runner.run(
            partial(
                self._ctx.services.predictions.make_prediction,
                self._ctx.token,
                values,
                patient_id=self.patient_id,
            ),
            on_done=partial(self._predicted, values=values),
            on_error=self._predict_failed,
            key="predict",
        )
        if job is None:
            self.predict_button.setEnabled(True)

    def _predicted(self, result: PredictionResult, values: dict[str, float]) -> None:
        self._result = result
        self._inputs = values
        self._saved_id = None
        self.result_panel.set_result(
            str(result.prediction),
            float(result.confidence),
            float(result.probability_malignant),
            str(result.risk_level),
            list(result.out_of_range),
            contributions_of(result),
        )
        self._set_status("")
        self._update_buttons()
        self.scroll_area.ensureWidgetVisible(self.result_box, 0, 0)  # the answer, not the form, in view

    @Slot(object)
    def _predict_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError) and error.fields:
            self.form.show_errors(error.fields)
        self._set_status(user_message(error, already_logged=True), error=True)
        self._update_buttons()

    @Slot()
    def _on_form_changed(self) -> None:
        if self._result is not None and self._inputs is not None:
            try:
                same = self.form.values() == self._inputs
            except ValidationError:
                same = False
            self.result_panel.set_stale(not same)
        self._update_buttons()

    def _is_current(self) -> bool:
        return self._result is not None and not self.result_panel.stale_label.isVisibleTo(self.result_panel)

    # --- input not yet saved -----------------------------------------------------------------------

    def unsaved_changes(self) -> str:
        just_saved = self._saved_id is not None and self._is_current()
        return unsaved_text(self.form.texts(), self.notes_edit.toPlainText(), just_saved=just_saved)

    def take_draft(self) -> PredictionDraft:
        return PredictionDraft(self.form.texts(), self.notes_edit.toPlainText())

    def restore_draft(self, draft: object) -> None:
        if isinstance(draft, PredictionDraft):
            self._clear_case()
            self.form.set_texts(draft.measurements)
            self.notes_edit.setPlainText(draft.notes)

    # --- save / print ------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        if not self._is_current() or self._saved_id is not None or self._inputs is None:
            return
        unreliable = self._result.out_of_range if self._result is not None else ()
        if unreliable and not prompts.confirm(
            self,
            f"{not_reliable_text(unreliable)}\n\nSave this result anyway? It will be marked as not "
            "reliable in the history and on the report.",
            "Save a result that is not reliable",
            yes_label="Save anyway",
            destructive=True,  # the safe answer is the default one
        ):
            return
        self.save_button.setEnabled(False)
        self._ctx.runner.run(
            partial(
                self._ctx.services.predictions.save,
                self._ctx.token,
                self._inputs,
                self.notes_edit.toPlainText(),
                patient_id=self.patient_id,
                confirm_out_of_range=bool(unreliable),
            ),
            on_done=self._saved,
            on_error=self._save_failed,
            key="save-prediction",
        )

    @Slot(object)
    def _saved(self, saved: Any) -> None:
        self._saved_id = saved.id
        # The note belonged to the case just saved: left in the box it would be saved with the next one.
        self.notes_edit.clear()
        self._set_status(f"Saved as prediction #{saved.id}. It is listed under Prediction history.")
        self._update_buttons()
        self.prediction_saved.emit(saved.id)

    @Slot(object)
    def _save_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.form.show_errors(error.fields)
            if "notes" in error.fields:
                self.notes_edit.setFocus()
        self._set_status(user_message(error, already_logged=True), error=True)
        self._update_buttons()

    def report_data(self) -> report.ReportData | None:
        """The printable report of the current result, or None without a current result."""
        result = self._result
        if not self._is_current() or self._inputs is None or result is None:
            return None
        return report_data_for(
            self._card,
            patient=self.patient,
            clinician=clinician_name(self._ctx.user),
            created_at=dt.datetime.now(dt.UTC),
            features=self._inputs,
            prediction=str(result.prediction),
            confidence=float(result.confidence),
            probability=float(result.probability_malignant),
            risk_level=str(result.risk_level),
            notes=self.notes_edit.toPlainText(),
            out_of_range=list(result.out_of_range),
            model_version=result.model_version,
            prediction_id=self._saved_id,
            contributions=contributions_of(result),
        )

    @Slot()
    def print_current(self) -> None:
        data = self.report_data()
        if data is None:
            prompts.info(self, "Make a prediction first: there is nothing to print yet.")
            return
        report.print_with_dialog(data, self)

    @Slot()
    def save_pdf(self) -> None:
        data = self.report_data()
        if data is None:
            prompts.info(self, "Make a prediction first: there is nothing to save yet.")
            return
        path = report.save_pdf_with_dialog(
            data, self, f"prediction-{data.created_at.astimezone():%Y%m%d-%H%M}.pdf"
        )
        if path:
            self._set_status(f"Report saved to {path}.")

    # --- CSV row -----------------------------------------------------------------------------------

    @Slot()
    def _load_csv_row(self) -> None:
        values = choose_csv_row(self._ctx, self)
        if values is not None:
            self.form.set_values(values)
            self._set_status("Values loaded from the CSV file. Press Predict.")

    @Slot()
    def _clear_case(self) -> None:
        """Clear starts a new case: its result and its note go with the measurements."""
        self.notes_edit.clear()
        self._result = None
        self._inputs = None
        self._saved_id = None
        self.result_panel.clear()
        self._set_status("")
        self._update_buttons()

    # --- helpers -----------------------------------------------------------------------------------

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {text_colour('error')};" if error else "")

    def _update_buttons(self) -> None:
        current = self._is_current()
        self.predict_button.setEnabled(not self._ctx.runner.is_running("predict"))
        self.save_button.setEnabled(current and self._saved_id is None)
        self.print_button.setEnabled(current)
        self.pdf_button.setEnabled(current)
