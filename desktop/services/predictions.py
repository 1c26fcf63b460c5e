"""Breast-cancer predictions of the signed-in user: make, save (with all 30 inputs), list, annotate,
delete.

The predictor itself belongs to the ML part (desktop/ml, loaded through the PredictorProvider). A
prediction is saved from its 30 measurements: this service runs the model on them itself and stores
the result with those inputs and the model version, so a stored prediction can never disagree with
the measurements stored beside it, and it can be re-examined later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from desktop.db.models import BreastCancerPrediction
from desktop.domain import validation as v
from desktop.domain.dto import Page, PredictionQuery, SavedPrediction
from desktop.domain.entry_rules import prediction_notes
from desktop.domain.enums import RiskLevel
from desktop.domain.errors import ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.prediction import ModelInfo, PredictionResult, validate_features
from desktop.services.context import ServiceContext
from desktop.services.owned_rows import OwnedRows
from desktop.services.predictor_provider import PredictorProvider
from desktop.services.rows import readable_owner, to_dataclass
from desktop.services.sessions import authenticate

ENTITY = "breastcancerprediction"
NOUN = "Prediction"
LABEL = "prediction"


def to_dto(row: BreastCancerPrediction) -> SavedPrediction:
    return to_dataclass(
        SavedPrediction,
        row,
        features={name: float(getattr(row, name)) for name in FEATURE_NAMES},
        confidence=float(row.confidence),
        probability=float(row.probability) if row.probability is not None else None,
        notes=row.notes or "",
    )


def _describe(row: BreastCancerPrediction) -> str:
    return f"{row.prediction}, {row.risk_level} risk"


def _notes_only(row: BreastCancerPrediction) -> dict[str, Any]:
    return {"notes": row.notes or ""}


def _checked_inputs(features: object, notes: object) -> tuple[dict[str, float], str]:
    """The 30 measurements by name and the notes; ValidationError naming every offending field (each
    measurement under its own name, the overall message under "features")."""
    errors = v.FieldErrors()
    values: dict[str, float] = {}
    if isinstance(features, Mapping):
        try:
            values = dict(zip(FEATURE_NAMES, validate_features(features), strict=True))
        except ValidationError as error:
            errors.add("features", error.message)
            for name, message in error.fields.items():
                errors.add(name, message)
    else:
        errors.add("features", "The 30 measurements are missing.")
    note = errors.check("notes", prediction_notes, notes)
    errors.raise_if_any()
    return values, note


def _stored_result(result: PredictionResult) -> dict[str, object]:
    return {
        "prediction": result.prediction.value,
        "confidence": float(result.confidence),
        "probability": float(result.probability_malignant),
        "risk_level": result.risk_level.value,
        "model_version": result.model_version,
    }


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
            describe=_describe,
            to_dto=to_dto,
        )

    def make_prediction(self, token: str, features: Mapping[str, object]) -> PredictionResult:
        """Run the model on 30 measurements for a signed-in user (nothing is saved).

        ValidationError (one message per field) for bad inputs, ModelError when the model is missing
        or altered. Slow on first use (loads the model): call it off the GUI thread.
        """
        with self._ctx.unit_of_work() as s:
            authenticate(s, self._ctx, token)
        return self._provider.get().predict(features)

    def model_info(self) -> ModelInfo:
        """The installed model's card (version, CV metrics, feature ranges, risk bands). Loads the
        model on first use: call it off the GUI thread."""
        return self._provider.model_info()

    def save(self, token: str, features: Mapping[str, object], notes: str = "") -> SavedPrediction:
        """Run the model on the 30 ``features`` and store its result with them, for the signed-in
        user only. ValidationError (one message per field) for bad measurements or notes, ModelError
        when the model cannot run; nothing is stored then."""
        values, note = _checked_inputs(features, notes)
        with self._ctx.unit_of_work() as s:  # a signed-out caller does not get to run the model
            authenticate(s, self._ctx, token)
        stored = _stored_result(self._provider.get().predict(values))
        return self._rows.create(token, {**values, **stored, "notes": note}, verb="saved", snapshot=None)

    def list(
        self, token: str, query: PredictionQuery | None = None, *, owner_id: str | None = None
    ) -> Page[SavedPrediction]:
        """One page of saved predictions, newest first by default, plus the total."""
        query = query or PredictionQuery()
        offset, limit = v.page(query.offset, query.limit)
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            conditions: list[Any] = [
                BreastCancerPrediction.user_id == readable_owner(self._ctx, user, owner_id)
            ]
            if query.risk_level:
                if query.risk_level not in {r.value for r in RiskLevel}:
                    raise ValidationError("The risk level must be Low, Medium or High.")
                conditions.append(BreastCancerPrediction.risk_level == query.risk_level)
            total = s.scalar(select(func.count()).select_from(BreastCancerPrediction).where(*conditions)) or 0
            cols = (BreastCancerPrediction.created_at, BreastCancerPrediction.id)
            order = tuple(c.desc() for c in cols) if query.descending else tuple(c.asc() for c in cols)
            rows = s.scalars(
                select(BreastCancerPrediction).where(*conditions).order_by(*order).offset(offset).limit(limit)
            )
            return Page(rows=tuple(to_dto(r) for r in rows), total=int(total))

    def get(self, token: str, prediction_id: int, *, owner_id: str | None = None) -> SavedPrediction:
        """One saved prediction of the signed-in user; NotFoundError otherwise."""
        return self._rows.get(token, prediction_id, owner_id)

    def annotate(self, token: str, prediction_id: int, notes: str, expected_version: int) -> SavedPrediction:
        """Replace the notes of a saved prediction (ConflictError if it changed since
        ``expected_version``); the previous notes go to the audit log."""
        note = prediction_notes(notes)
        return self._rows.update(
            token,
            prediction_id,
            {"notes": note},
            expected_version,
            summary="Prediction notes changed",
            snapshot=_notes_only,
        )

    def delete(self, token: str, prediction_id: int, expected_version: int | None = None) -> None:
        """Delete a saved prediction; its values (inputs included) stay in the audit log."""
        self._rows.delete(token, prediction_id, expected_version)
