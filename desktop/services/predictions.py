"""Breast-cancer predictions of the signed-in user: make, save (with all 30 inputs), list, annotate,
delete.

The predictor itself belongs to the ML part (desktop/ml, loaded through the provider module); this
service only checks who is asking and stores results. A saved prediction keeps the 30 measurements
it was made from and the model version, so it can be re-examined later.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from desktop.db.models import BreastCancerPrediction
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, Page, PredictionQuery, SavedPrediction
from desktop.domain.enums import Diagnosis, RiskLevel
from desktop.domain.errors import ModelError, ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.prediction import validate_features
from desktop.services import audit
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version, owned, readable_owner
from desktop.services.sessions import authenticate

ENTITY = "breastcancerprediction"
LABEL = "prediction"
NOTES_MAX = 2000
PROVIDER_MODULE = "desktop.services.predictor_provider"


def to_dto(row: BreastCancerPrediction) -> SavedPrediction:
    return SavedPrediction(
        id=row.id,
        features={name: float(getattr(row, name)) for name in FEATURE_NAMES},
        prediction=row.prediction,
        confidence=float(row.confidence),
        probability=float(row.probability) if row.probability is not None else None,
        risk_level=row.risk_level,
        notes=row.notes or "",
        created_at=row.created_at,
        model_version=row.model_version,
        version=row.version_id,
    )


def result_values(result: Any) -> dict[str, Any]:
    """The storable part of a PredictionResult (duck-typed: prediction, confidence, probability,
    risk_level, model_version), checked so a bad value never reaches the database."""
    errors = v.FieldErrors()
    prediction = getattr(result, "prediction", None)
    risk = getattr(result, "risk_level", None)
    prediction = str(getattr(prediction, "value", prediction))
    risk = str(getattr(risk, "value", risk))
    if prediction not in {d.value for d in Diagnosis}:
        errors.add("prediction", "The prediction must be Benign or Malignant.")
    if risk not in {r.value for r in RiskLevel}:
        errors.add("risk_level", "The risk level must be Low, Medium or High.")
    values: dict[str, Any] = {"prediction": prediction, "risk_level": risk}
    for key, label in (("confidence", "Confidence"), ("probability", "Probability of malignancy")):
        number = getattr(result, key, None)
        if key == "probability" and number is None:  # PredictionResult names it probability_malignant
            number = getattr(result, "probability_malignant", None)
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
            or not 0.0 <= float(number) <= 1.0
        ):
            errors.add(key, f"{label} must be a number between 0 and 1.")
        else:
            values[key] = float(number)
    version = getattr(result, "model_version", None)
    values["model_version"] = (
        errors.check("model_version", v.text, version, "Model version", max_length=64) or None
    )
    errors.raise_if_any()
    return values


class PredictionService:
    def __init__(self, ctx: ServiceContext, provider: Any | None = None) -> None:
        """``provider`` is the application's PredictorProvider (desktop.services.predictor_provider);
        None means the shared one, loaded on first use."""
        self._ctx = ctx
        self._provider = provider

    def make_prediction(self, token: str, features: Mapping[str, object]) -> Any:
        """Run the model on 30 measurements for a signed-in user (nothing is saved).

        Returns a ``desktop.domain.prediction.PredictionResult``; ValidationError (one message per
        field) for bad inputs, ModelError when the model is missing or altered. Slow on first use
        (loads the model): call it off the GUI thread.
        """
        with self._ctx.unit_of_work() as s:
            authenticate(s, self._ctx, token)
        return self._predictor_provider().get().predict(features)

    def model_info(self) -> Any:
        """The installed model's ``desktop.domain.prediction.ModelInfo`` (version, CV metrics, feature
        ranges, risk bands). Loads the model on first use: call it off the GUI thread."""
        return self._predictor_provider().model_info()

    def _predictor_provider(self) -> Any:
        if self._provider is None:
            try:
                module = importlib.import_module(PROVIDER_MODULE)
            except ModuleNotFoundError as error:
                if error.name != PROVIDER_MODULE:
                    raise
                message = "The prediction model is not installed with this copy of ClinicDesk."
                raise ModelError(message) from error
            self._provider = module.shared_provider()
        return self._provider

    def save(
        self, token: str, result: Any, features: Mapping[str, float], notes: str = ""
    ) -> SavedPrediction:
        """Store ``result`` with the 30 ``features`` it came from, for the signed-in user only."""
        errors = v.FieldErrors()
        values = None
        try:
            values = dict(zip(FEATURE_NAMES, validate_features(features), strict=True))
        except ValidationError as error:
            errors.add("features", error.message)
            for name, message in error.fields.items():
                errors.add(name, message)
        except (TypeError, AttributeError):  # not a mapping at all
            errors.add("features", "The 30 measurements are missing.")
        stored = errors.check("result", result_values, result)
        note = errors.check("notes", v.text, notes, "Notes", max_length=NOTES_MAX, multiline=True)
        errors.raise_if_any()
        assert values is not None and stored is not None
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = BreastCancerPrediction(
                user_id=user.id, created_at=self._ctx.now(), notes=note, **values, **stored
            )
            s.add(row)
            s.flush()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.CREATE,
                user=user,
                entity=ENTITY,
                entity_id=row.id,
                summary=f"Prediction saved: {row.prediction}, {row.risk_level} risk",
            )
            s.commit()
            return to_dto(row)

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
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            owner = readable_owner(self._ctx, user, owner_id)
            return to_dto(owned(s, BreastCancerPrediction, prediction_id, owner, LABEL))

    def annotate(self, token: str, prediction_id: int, notes: str, expected_version: int) -> SavedPrediction:
        """Replace the notes of a saved prediction (ConflictError if it changed since
        ``expected_version``); the previous notes go to the audit log."""
        note = v.text(notes, "Notes", max_length=NOTES_MAX, multiline=True)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            row = owned(s, BreastCancerPrediction, prediction_id, user.id, LABEL)
            check_version(row, expected_version)
            before = {"notes": row.notes or ""}
            row.notes = note
            s.flush()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.UPDATE,
                user=user,
                entity=ENTITY,
                entity_id=row.id,
                summary="Prediction notes changed",
                before=before,
                after={"notes": note},
            )
            s.commit()
            return to_dto(row)

    def delete(self, token: str, prediction_id: int, expected_version: int | None = None) -> None:
        """Delete a saved prediction; its values (inputs included) stay in the audit log."""
        audit.delete_owned(
            self._ctx,
            token,
            BreastCancerPrediction,
            prediction_id,
            label=LABEL,
            entity=ENTITY,
            summary=lambda row: f"Prediction deleted: {row.prediction}, {row.risk_level} risk",
            expected_version=expected_version,
        )
