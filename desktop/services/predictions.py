"""Breast-cancer predictions in a patient's chart: make, save (with all 30 inputs), list, report,
annotate, delete, and file a batch screening's results into the charts its MRNs name.

The predictor itself belongs to the ML part (desktop/ml, loaded through the PredictorProvider). A
prediction is saved from its 30 measurements: this service runs the model on them itself and stores
the result with those inputs, the model's version and the sha256 of its file, the patient and the
person who ran it, so a stored prediction can never disagree with the measurements stored beside it
and can be traced later. Every method takes ``patient_id`` as the other chart services do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select

from desktop.db.models import BreastCancerPrediction, User
from desktop.domain import validation as v
from desktop.domain.chart_dto import FilingPlan, FilingResult, PredictionReport
from desktop.domain.dto import Page, PredictionQuery, SavedPrediction
from desktop.domain.entry_rules import prediction_notes
from desktop.domain.enums import RiskLevel
from desktop.domain.errors import UnreliableInputError, ValidationError
from desktop.domain.prediction import ModelInfo, PredictionResult, not_reliable_text
from desktop.services import screening_filing
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.context import ServiceContext
from desktop.services.owned_rows import OwnedRows
from desktop.services.patient_records import to_dto as patient_dto
from desktop.services.prediction_rows import (
    ENTITY,
    LABEL,
    NOUN,
    checked_inputs,
    describe,
    result_columns,
    to_dto,
)
from desktop.services.predictor_provider import PredictorProvider
from desktop.services.rows import owned
from desktop.services.screening_filing import FilingRow
from desktop.services.sessions import authenticate

NOT_KNOWN = "Not known"


def _notes_only(row: BreastCancerPrediction) -> dict[str, Any]:
    return {"notes": row.notes or ""}


def _conditions(query: PredictionQuery) -> Callable[[str], list[Any]]:
    """The SQL filter of ``query`` for one patient (checked before any SQL runs)."""
    risk = query.risk_level
    if risk and risk not in {r.value for r in RiskLevel}:
        raise ValidationError("The risk level must be Low, Medium or High.")

    def conditions(patient_id: str) -> list[Any]:
        where: list[Any] = [BreastCancerPrediction.user_id == patient_id]
        if risk:
            where.append(BreastCancerPrediction.risk_level == risk)
        return where

    return conditions


@policed
class PredictionService:
    def __init__(self, ctx: ServiceContext, provider: PredictorProvider) -> None:
        """``provider`` is the application's one PredictorProvider (the model loads on first use)."""
        self._ctx = ctx
        self._provider = provider
        self._rows = OwnedRows(
            ctx,
            BreastCancerPrediction,
            entity=ENTITY,
            label=LABEL,
            noun=NOUN,
            describe=describe,
            to_dto=to_dto,
        )

    def _check_run(self, token: str, patient_id: str | None) -> None:
        """Refuse before the model runs: a person who may not run it for this patient does not get to."""
        with self._ctx.unit_of_work() as s:
            self._rows.open(s, token, Action.PREDICTIONS_RUN, patient_id)

    @policy_action(Action.PREDICTIONS_RUN)
    def make_prediction(
        self, token: str, features: Mapping[str, object], *, patient_id: str | None = None
    ) -> PredictionResult:
        """Run the model on 30 measurements for the patient (nothing is saved).

        ValidationError (one message per field) for bad inputs, ModelError when the model is missing
        or altered. Slow on first use (loads the model): call it off the GUI thread.
        """
        self._check_run(token, patient_id)
        return self._provider.get().predict(features)

    @policy_action(Action.REFERENCE_READ)
    def model_info(self) -> ModelInfo:
        """The installed model's card (version, CV metrics, feature ranges, risk bands). Loads the
        model on first use: call it off the GUI thread."""
        return self._provider.model_info()

    @policy_action(Action.PREDICTIONS_RUN)
    def save(
        self,
        token: str,
        features: Mapping[str, object],
        notes: str = "",
        *,
        patient_id: str | None = None,
        confirm_out_of_range: bool = False,
    ) -> SavedPrediction:
        """Run the model on the 30 ``features`` and store its result with them in the patient's chart.
        ValidationError (one message per field) for bad measurements or notes, ModelError when the
        model cannot run; nothing is stored then.

        A result from measurements outside the training range is not reliable: it is stored only with
        ``confirm_out_of_range=True`` (the person saving has been told), UnreliableInputError naming
        the measurements otherwise."""
        values, note = checked_inputs(features, notes)
        self._check_run(token, patient_id)
        predictor = self._provider.get()
        result = predictor.predict(values)
        if result.out_of_range and not confirm_out_of_range:
            raise UnreliableInputError(not_reliable_text(result.out_of_range), result.out_of_range)
        stored = result_columns(predictor, result)
        return self._rows.create(
            token,
            {**values, **stored, "notes": note},
            patient_id,
            action=Action.PREDICTIONS_RUN,
            verb="saved",
            snapshot=None,
        )

    @policy_action(Action.CHART_READ_MEDICAL)
    def list(
        self, token: str, query: PredictionQuery | None = None, *, patient_id: str | None = None
    ) -> Page[SavedPrediction]:
        """One page of the patient's saved predictions, newest first by default, plus the total."""
        query = query or PredictionQuery()
        offset, limit = v.page(query.offset, query.limit)
        where = _conditions(query)
        with self._ctx.unit_of_work() as s:
            _, patient = self._rows.open(s, token, Action.CHART_READ_MEDICAL, patient_id, "prediction list")
            conditions = where(patient.id)
            total = s.scalar(select(func.count()).select_from(BreastCancerPrediction).where(*conditions)) or 0
            cols = (BreastCancerPrediction.created_at, BreastCancerPrediction.id)
            order = tuple(c.desc() for c in cols) if query.descending else tuple(c.asc() for c in cols)
            rows = s.scalars(
                select(BreastCancerPrediction).where(*conditions).order_by(*order).offset(offset).limit(limit)
            )
            return Page(rows=tuple(to_dto(r) for r in rows), total=int(total))

    @policy_action(Action.CHART_READ_MEDICAL)
    def ids(
        self, token: str, query: PredictionQuery | None = None, *, patient_id: str | None = None
    ) -> tuple[int, ...]:
        """The ids of the patient's saved predictions matching ``query``'s filter, newest first unless
        ``descending`` is False (paging fields ignored)."""
        query = query or PredictionQuery()
        return self._rows.ids(token, "created_at", query.descending, _conditions(query), patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def rows(
        self, token: str, ids: Sequence[int], *, patient_id: str | None = None
    ) -> tuple[SavedPrediction, ...]:
        """The patient's saved predictions ``ids`` (at most 1000) in that order; deleted ones are left
        out."""
        return self._rows.rows(token, ids, patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def get(self, token: str, prediction_id: int, *, patient_id: str | None = None) -> SavedPrediction:
        """One saved prediction of the patient's chart; NotFoundError otherwise."""
        return self._rows.get(token, prediction_id, patient_id)

    @policy_action(Action.CHART_READ_MEDICAL)
    def report(self, token: str, prediction_id: int, *, patient_id: str | None = None) -> PredictionReport:
        """What the printed report of a saved prediction names: the patient, the clinician who ran
        it, the model's version and hash, and that it is decision support, not a diagnosis."""
        with self._ctx.unit_of_work() as s:
            _, patient = self._rows.open(
                s, token, Action.CHART_READ_MEDICAL, patient_id, f"prediction {prediction_id} report"
            )
            row = owned(s, BreastCancerPrediction, prediction_id, patient.id, LABEL)
            author = s.get(User, row.created_by) if row.created_by else None
            return PredictionReport(
                prediction=to_dto(row),
                patient=patient_dto(patient),
                clinician_name=author.name if author is not None else NOT_KNOWN,
                model_version=row.model_version or NOT_KNOWN,
                model_sha256=row.model_sha256 or "",
            )

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def annotate(
        self,
        token: str,
        prediction_id: int,
        notes: str,
        expected_version: int,
        *,
        patient_id: str | None = None,
    ) -> SavedPrediction:
        """Replace the notes of a saved prediction (ConflictError if it changed since
        ``expected_version``); the previous notes go to the audit log."""
        note = prediction_notes(notes)
        return self._rows.update(
            token,
            prediction_id,
            {"notes": note},
            expected_version,
            patient_id,
            summary="Prediction notes changed",
            snapshot=_notes_only,
        )

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def delete(
        self,
        token: str,
        prediction_id: int,
        expected_version: int | None = None,
        *,
        patient_id: str | None = None,
    ) -> None:
        """Delete a saved prediction; its values (inputs included) stay in the audit log."""
        self._rows.delete(token, prediction_id, expected_version, patient_id)

    @policy_action(Action.SCREENING_FILE)
    def plan_filing(self, token: str, rows: Iterable[FilingRow]) -> FilingPlan:
        """What :meth:`file_screening` would do with these (MRN, 30 measurements) rows: how many go
        to which number of patients, and every row that would not be filed with the reason (an MRN
        matching no patient is listed, never guessed). Nothing is written."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return screening_filing.plan(s, self._ctx, user, rows)

    @policy_action(Action.SCREENING_FILE)
    def file_screening(self, token: str, rows: Iterable[FilingRow], *, notes: str = "") -> FilingResult:
        """File each row's result into the chart of the patient its MRN names, all in one
        transaction, as the signed-in clinician (the confirmed step after :meth:`plan_filing`). Rows
        whose MRN matches no patient, or whose measurements are invalid, are listed, not filed."""
        note = prediction_notes(notes)
        predictor = self._provider.get()
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            result = screening_filing.file(s, self._ctx, user, rows, predictor, note)
            s.commit()
            return result
