"""Saving predictions from their 30 inputs (the service runs the real model), listing, annotating,
deleting."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from desktop.db.models import BreastCancerPrediction
from desktop.domain.dto import AuditQuery, PredictionQuery
from desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    SessionExpiredError,
    UnreliableInputError,
    ValidationError,
)
from desktop.domain.features import FEATURE_NAMES
from desktop.ml.predictor import Predictor
from desktop.ui.sample_cases import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE
from tests.services.conftest import make_services

#: A real malignant case of the training data (the model says Malignant, High risk).
FEATURES = dict(MALIGNANT_EXAMPLE)


def test_save_list_get_annotate_delete(services, alice, clock):
    saved = services.predictions.save(alice.token, FEATURES, notes="first look")
    assert saved.features == FEATURES and saved.prediction == "Malignant" and saved.notes == "first look"
    assert saved.risk_level == "High" and saved.version == 1
    assert saved.model_version == services.predictions.model_info().full_version
    clock.advance(minutes=1)
    services.predictions.save(alice.token, BENIGN_EXAMPLE)
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


@pytest.mark.parametrize(
    "case",
    [
        BENIGN_EXAMPLE,
        MALIGNANT_EXAMPLE,
        # half-way between the two examples (near the decision threshold), and far outside the
        # training range
        {name: (BENIGN_EXAMPLE[name] + MALIGNANT_EXAMPLE[name]) / 2 for name in FEATURE_NAMES},
        {name: value * 40 for name, value in BENIGN_EXAMPLE.items()},
    ],
    ids=["benign", "malignant", "between", "outside"],
)
def test_a_saved_prediction_is_the_models_output_for_its_stored_inputs(services, alice, case):
    """The stored result is what the real ONNX model, loaded on its own, says about the stored inputs."""
    saved = services.predictions.save(alice.token, case, confirm_out_of_range=True)
    stored = services.predictions.get(alice.token, saved.id)
    expected = Predictor().predict(stored.features)
    assert stored.features == pytest.approx(case)
    assert stored.prediction == expected.prediction.value
    assert stored.risk_level == expected.risk_level.value
    assert stored.probability == pytest.approx(expected.probability_malignant, abs=1e-12)
    assert stored.confidence == pytest.approx(expected.confidence, abs=1e-12)
    assert stored.model_version == expected.model_version


def test_save_refuses_invalid_measurements_with_a_message_per_field(services, alice, admin):
    bad = dict(FEATURES, radius_mean=float("inf"), texture_mean="abc", area_mean=-1.0, unknown=1.0)
    del bad["area_worst"]
    with pytest.raises(ValidationError) as info:
        services.predictions.save(alice.token, bad, notes="x\x00")
    fields = info.value.fields
    assert fields["radius_mean"] == "Radius (mean) must be a finite number."
    assert fields["texture_mean"] == "Texture (mean) must be a number (got 'abc')."
    assert fields["area_mean"] == "Area (mean) must not be negative."
    assert fields["area_worst"] == "Area (worst) is missing."
    assert fields["unknown"] == "'unknown' is not one of the 30 measurements."
    assert fields["features"].startswith("5 measurements need attention:")
    assert "notes" in fields
    with pytest.raises(ValidationError) as info:
        services.predictions.save(alice.token, "not a mapping")  # type: ignore[arg-type]
    assert info.value.fields == {"features": "The 30 measurements are missing."}
    assert services.predictions.list(alice.token).total == 0
    stored = services.audit.list(admin.token, AuditQuery(entity="breastcancerprediction"))
    assert stored.total == 0  # nothing was stored, not even half
    with pytest.raises(ValidationError):
        services.predictions.list(alice.token, PredictionQuery(risk_level="Extreme"))


def test_a_value_the_model_would_read_as_infinite_is_refused(services, alice):
    """Two values beyond single precision used to give a probability of NaN."""
    bad = dict(BENIGN_EXAMPLE, compactness_worst=1e39, fractal_dimension_worst=1e39)
    with pytest.raises(ValidationError) as info:
        services.predictions.save(alice.token, bad)
    assert info.value.fields["compactness_worst"] == "Compactness (worst) is too large."
    with pytest.raises(ValidationError):
        services.predictions.make_prediction(alice.token, bad)


def test_deleted_prediction_keeps_its_inputs_in_the_audit_log(services, alice, admin, db_url, clock):
    saved = services.predictions.save(alice.token, FEATURES, confirm_out_of_range=True)
    services.predictions.delete(alice.token, saved.id, saved.version)
    reading = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        entry = reading.audit.list(admin.token).rows[0]
    finally:
        reading.close()
    assert entry.action == "delete" and entry.before["radius_mean"] == FEATURES["radius_mean"]


def test_annotate_keeps_the_old_notes_in_the_audit_log(services, alice, admin, db_url, clock):
    saved = services.predictions.save(alice.token, FEATURES, notes="first look")
    annotated = services.predictions.annotate(alice.token, saved.id, "biopsy booked", saved.version)
    services.predictions.annotate(alice.token, saved.id, "", annotated.version)
    # Notes are medical data: an administrator reads them where the clinic's setting allows it.
    reading = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        updates = [e for e in reading.audit.list(admin.token).rows if e.action == "update"]
    finally:
        reading.close()
    assert [(e.before, e.after) for e in updates] == [  # newest first
        ({"notes": "biopsy booked"}, {"notes": ""}),
        ({"notes": "first look"}, {"notes": "biopsy booked"}),
    ]
    assert all(e.entity_id == str(saved.id) for e in updates)


def test_make_prediction_matches_what_save_stores(services, alice, bob):
    info = services.predictions.model_info()
    features = {f.name: f.mean for f in info.features}
    result = services.predictions.make_prediction(alice.token, features)
    saved = services.predictions.save(alice.token, features, notes="typical case")
    assert saved.prediction == result.prediction.value and saved.risk_level == result.risk_level.value
    assert saved.probability == pytest.approx(result.probability_malignant)
    assert saved.confidence == pytest.approx(result.confidence)
    assert saved.model_version == result.model_version
    assert saved.features == pytest.approx(features)
    assert services.predictions.list(bob.token).total == 0
    with pytest.raises(ValidationError) as info_error:
        services.predictions.make_prediction(alice.token, dict(features, radius_mean=-1.0))
    assert "radius_mean" in info_error.value.fields


def test_make_and_save_need_a_valid_session(services, alice, admin):
    services.auth.sign_out(alice.token)
    with pytest.raises(SessionExpiredError):
        services.predictions.make_prediction(alice.token, FEATURES)
    with pytest.raises(SessionExpiredError):
        services.predictions.save(alice.token, FEATURES)
    with services.database.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(BreastCancerPrediction)) == 0


def test_a_result_outside_the_training_range_is_saved_only_when_confirmed(services, alice):
    impossible = dict(BENIGN_EXAMPLE, radius_mean=50.0)  # training range 6.98-28.11
    with pytest.raises(UnreliableInputError) as info:
        services.predictions.save(alice.token, impossible, notes="typo?")
    assert info.value.names == ("radius_mean",)
    assert info.value.message == (
        "Outside what the model has seen: not reliable: Radius (mean) outside the training range."
    )
    assert services.predictions.list(alice.token).total == 0
    saved = services.predictions.save(alice.token, impossible, notes="checked", confirm_out_of_range=True)
    assert services.predictions.get(alice.token, saved.id).features["radius_mean"] == 50.0


def test_a_web_version_prediction_gets_the_probability_its_label_and_confidence_imply(services, alice):
    for prediction, confidence in (("Benign", 0.97), ("Malignant", 0.88)):
        saved = services.predictions.save(alice.token, BENIGN_EXAMPLE)
        with services.database.engine.begin() as conn:  # as the web version stored it: no probability
            conn.execute(
                update(BreastCancerPrediction)
                .where(BreastCancerPrediction.id == saved.id)
                .values(prediction=prediction, confidence=confidence, probability=None, model_version=None)
            )
        stored = services.predictions.get(alice.token, saved.id)
        assert stored.probability_derived
        assert stored.probability == pytest.approx(0.03 if prediction == "Benign" else 0.88)
    fresh = services.predictions.save(alice.token, BENIGN_EXAMPLE)
    assert not fresh.probability_derived
