"""Saving predictions with their 30 inputs, listing, annotating, deleting."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from desktop.domain.dto import PredictionQuery
from desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from desktop.domain.features import FEATURE_NAMES


@dataclass(frozen=True)
class Result:
    """The fields the service stores from the ML part's PredictionResult."""

    prediction: str = "Malignant"
    confidence: float = 0.97
    probability: float = 0.97
    risk_level: str = "High"
    model_version: str = "test-model-1"


FEATURES = {name: 1.0 + i / 10 for i, name in enumerate(FEATURE_NAMES)}


def test_save_list_get_annotate_delete(services, alice, clock):
    saved = services.predictions.save(alice.token, Result(), FEATURES, notes="first look")
    assert saved.features == FEATURES and saved.prediction == "Malignant" and saved.notes == "first look"
    assert saved.model_version == "test-model-1" and saved.version == 1
    clock.advance(minutes=1)
    services.predictions.save(alice.token, Result("Benign", 0.9, 0.1, "Low"), FEATURES)
    page = services.predictions.list(alice.token)
    assert page.total == 2 and page.rows[0].prediction == "Benign"  # newest first
    assert services.predictions.list(alice.token, PredictionQuery(risk_level="High")).total == 1
    annotated = services.predictions.annotate(alice.token, saved.id, "biopsy booked", saved.version)
    assert annotated.notes == "biopsy booked" and annotated.version == 2
    with pytest.raises(ConflictError):
        services.predictions.annotate(alice.token, saved.id, "stale", saved.version)
    assert services.predictions.get(alice.token, saved.id) == annotated
    services.predictions.delete(alice.token, saved.id)
    with pytest.raises(NotFoundError):
        services.predictions.get(alice.token, saved.id)


def test_inputs_and_results_are_validated(services, alice):
    bad_features = dict(FEATURES, radius_mean=float("inf"))
    del bad_features["area_worst"]
    with pytest.raises(ValidationError) as info:
        services.predictions.save(alice.token, Result(prediction="Maybe", confidence=1.5), bad_features)
    assert {"features", "result"} <= set(info.value.fields)
    with pytest.raises(ValidationError):
        services.predictions.list(alice.token, PredictionQuery(risk_level="Extreme"))
    assert services.predictions.list(alice.token).total == 0


def test_deleted_prediction_keeps_its_inputs_in_the_audit_log(services, alice, admin):
    saved = services.predictions.save(alice.token, Result(), FEATURES)
    services.predictions.delete(alice.token, saved.id, saved.version)
    entry = services.audit.list(admin.token).rows[0]
    assert entry.action == "delete" and entry.before["radius_mean"] == FEATURES["radius_mean"]


def test_annotate_keeps_the_old_notes_in_the_audit_log(services, alice, admin):
    saved = services.predictions.save(alice.token, Result(), FEATURES, notes="first look")
    annotated = services.predictions.annotate(alice.token, saved.id, "biopsy booked", saved.version)
    services.predictions.annotate(alice.token, saved.id, "", annotated.version)
    updates = [e for e in services.audit.list(admin.token).rows if e.action == "update"]
    assert [(e.before, e.after) for e in updates] == [  # newest first
        ({"notes": "biopsy booked"}, {"notes": ""}),
        ({"notes": "first look"}, {"notes": "biopsy booked"}),
    ]
    assert all(e.entity_id == str(saved.id) for e in updates)


def test_make_and_save_a_real_prediction_with_the_bundled_model(services, alice, bob):
    """The real ONNX model through the shared provider: the PredictionResult is stored as it came."""
    info = services.predictions._predictor_provider().model_info()
    features = {f.name: f.mean for f in info.features}
    result = services.predictions.make_prediction(alice.token, features)
    saved = services.predictions.save(alice.token, result, features, notes="typical case")
    assert saved.prediction == result.prediction.value and saved.risk_level == result.risk_level.value
    assert saved.probability == pytest.approx(result.probability_malignant)
    assert saved.confidence == pytest.approx(result.confidence)
    assert saved.model_version == result.model_version
    assert saved.features == pytest.approx(features)
    assert services.predictions.list(bob.token).total == 0
    with pytest.raises(ValidationError) as info_error:
        services.predictions.make_prediction(alice.token, dict(features, radius_mean=-1.0))
    assert "radius_mean" in info_error.value.fields


def test_make_prediction_needs_a_valid_session(services, alice):
    from desktop.domain.errors import SessionExpiredError

    services.auth.sign_out(alice.token)
    with pytest.raises(SessionExpiredError):
        services.predictions.make_prediction(alice.token, FEATURES)
