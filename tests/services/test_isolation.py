"""User B can neither read, change nor delete user A's data through ANY service function.

Every public method of every per-user service is listed below; a completeness test fails when a new
method is added without an isolation case.
"""

from __future__ import annotations

import contextlib
import inspect

import pytest

from desktop.domain.dto import FamilyDraft, PredictionQuery, ProfileUpdate, RecordDraft, RecordQuery
from desktop.domain.errors import ModelError, NotFoundError, PermissionDeniedError
from desktop.services.family import FamilyService
from desktop.services.predictions import PredictionService
from desktop.services.profile import ProfileService
from desktop.services.records import RecordService
from tests.services.test_predictions import FEATURES

RECORD = RecordDraft(date="2024-05-01", type="Mammogram", result="BI-RADS 4", doctor="Dr A", notes="secret")
FAMILY = FamilyDraft(relation="Mother", age=60, condition="Breast cancer")


@pytest.fixture
def a_rows(services, alice):
    """Alice's rows (ids and versions) that Bob will try to reach."""
    record = services.records.create(alice.token, RECORD)
    record = services.records.update(alice.token, record.id, RECORD, record.version)  # gives it history
    family = services.family.create(alice.token, FAMILY)
    prediction = services.predictions.save(alice.token, FEATURES, "alice only")
    return {"record": record, "family": family, "prediction": prediction}


# Calls that name one of A's rows by id: B must get NotFoundError, exactly as for a missing id.
BY_ID = {
    "records.get": lambda s, t, r: s.records.get(t, r["record"].id),
    "records.update": lambda s, t, r: s.records.update(t, r["record"].id, RECORD, r["record"].version),
    "records.delete": lambda s, t, r: s.records.delete(t, r["record"].id, r["record"].version),
    "records.history": lambda s, t, r: s.records.history(t, r["record"].id),
    "family.get": lambda s, t, r: s.family.get(t, r["family"].id),
    "family.update": lambda s, t, r: s.family.update(t, r["family"].id, FAMILY, r["family"].version),
    "family.delete": lambda s, t, r: s.family.delete(t, r["family"].id),
    "family.history": lambda s, t, r: s.family.history(t, r["family"].id),
    "predictions.get": lambda s, t, r: s.predictions.get(t, r["prediction"].id),
    "predictions.report": lambda s, t, r: s.predictions.report(t, r["prediction"].id),
    "predictions.annotate": lambda s, t, r: s.predictions.annotate(t, r["prediction"].id, "x", 1),
    "predictions.delete": lambda s, t, r: s.predictions.delete(t, r["prediction"].id),
}

# Calls without an id: they must act on / return only B's own data.
OWN_DATA = {
    "records.list": lambda s, t, r: s.records.list(t, RecordQuery()).total == 0,
    "records.count": lambda s, t, r: s.records.count(t) == 0,
    "records.create": lambda s, t, r: (
        s.records.create(t, RECORD).id != r["record"].id and s.records.count(t) == 1
    ),
    "records.ids": lambda s, t, r: s.records.ids(t) == (),
    "records.rows": lambda s, t, r: s.records.rows(t, [r["record"].id]) == (),
    "family.list": lambda s, t, r: s.family.list(t).total == 0,
    "family.ids": lambda s, t, r: s.family.ids(t) == (),
    "family.rows": lambda s, t, r: s.family.rows(t, [r["family"].id]) == (),
    "predictions.ids": lambda s, t, r: s.predictions.ids(t) == (),
    "predictions.rows": lambda s, t, r: s.predictions.rows(t, [r["prediction"].id]) == (),
    "family.create": lambda s, t, r: (
        s.family.create(t, FAMILY).id != r["family"].id and s.family.list(t).total == 1
    ),
    "predictions.list": lambda s, t, r: s.predictions.list(t, PredictionQuery()).total == 0,
    "predictions.save": lambda s, t, r: (
        s.predictions.save(t, FEATURES).id != r["prediction"].id and s.predictions.list(t).total == 1
    ),
    # Reads no stored data at all: it only needs B's session to be valid.
    "predictions.make_prediction": lambda s, t, r: _predict_or_no_model(s, t),
    "profile.get": lambda s, t, r: s.profile.get(t).email == "bob@clinic.example",
    "profile.update": lambda s, t, r: (
        s.profile.update(t, ProfileUpdate(name="Bob", age=40), s.profile.get(t).version).email
        == "bob@clinic.example"
    ),
}

# Naming another patient's chart: "not found" for a patient (ids reveal nothing), refused to an admin
# unless the clinic's setting allows it.
BY_OWNER = {
    "records.list": lambda s, t, r, a: s.records.list(t, patient_id=a),
    "records.count": lambda s, t, r, a: s.records.count(t, patient_id=a),
    "records.get": lambda s, t, r, a: s.records.get(t, r["record"].id, patient_id=a),
    "records.ids": lambda s, t, r, a: s.records.ids(t, patient_id=a),
    "records.rows": lambda s, t, r, a: s.records.rows(t, [r["record"].id], patient_id=a),
    "family.list": lambda s, t, r, a: s.family.list(t, patient_id=a),
    "family.get": lambda s, t, r, a: s.family.get(t, r["family"].id, patient_id=a),
    "family.ids": lambda s, t, r, a: s.family.ids(t, patient_id=a),
    "family.rows": lambda s, t, r, a: s.family.rows(t, [r["family"].id], patient_id=a),
    "predictions.list": lambda s, t, r, a: s.predictions.list(t, patient_id=a),
    "predictions.get": lambda s, t, r, a: s.predictions.get(t, r["prediction"].id, patient_id=a),
    "predictions.ids": lambda s, t, r, a: s.predictions.ids(t, patient_id=a),
    "predictions.rows": lambda s, t, r, a: s.predictions.rows(t, [r["prediction"].id], patient_id=a),
}


def _predict_or_no_model(services, token) -> bool:
    with contextlib.suppress(ModelError):  # the model may not be installed in this checkout
        services.predictions.make_prediction(token, FEATURES)
    return True


SERVICES = {
    "records": RecordService,
    "family": FamilyService,
    "predictions": PredictionService,
    "profile": ProfileService,
}


def snapshot(services, alice, rows):
    return (
        services.records.list(alice.token).rows,
        services.family.list(alice.token).rows,
        services.predictions.list(alice.token).rows,
        services.profile.get(alice.token),
        services.records.history(alice.token, rows["record"].id),
    )


#: Public methods that read no per-user data (so they take no session token) and need no case.
NO_USER_DATA = {"predictions.model_info"}  # the installed model's card: the same for everyone

#: Staff-only methods: a patient is refused outright.
STAFF_ONLY = {
    "predictions.plan_filing": lambda s, t, r: s.predictions.plan_filing(t, [("000001", FEATURES)]),
    "predictions.file_screening": lambda s, t, r: s.predictions.file_screening(t, [("000001", FEATURES)]),
}


def test_every_per_user_service_method_has_an_isolation_case():
    public = {
        f"{prefix}.{name}"
        for prefix, cls in SERVICES.items()
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }
    assert public == set(BY_ID) | set(OWN_DATA) | NO_USER_DATA | set(STAFF_ONLY)


@pytest.mark.parametrize("name", sorted(STAFF_ONLY))
def test_patients_cannot_use_staff_only_methods(services, alice, bob, a_rows, name):
    before = snapshot(services, alice, a_rows)
    with pytest.raises(PermissionDeniedError):
        STAFF_ONLY[name](services, bob.token, a_rows)
    assert snapshot(services, alice, a_rows) == before


@pytest.mark.parametrize("name", sorted(BY_ID))
def test_b_cannot_reach_a_row_by_id(services, alice, bob, a_rows, name):
    before = snapshot(services, alice, a_rows)
    with pytest.raises(NotFoundError):
        BY_ID[name](services, bob.token, a_rows)
    assert snapshot(services, alice, a_rows) == before


@pytest.mark.parametrize("name", sorted(OWN_DATA))
def test_calls_without_an_id_see_only_own_data(services, alice, bob, a_rows, name):
    before = snapshot(services, alice, a_rows)
    assert OWN_DATA[name](services, bob.token, a_rows)
    assert snapshot(services, alice, a_rows) == before


@pytest.mark.parametrize("name", sorted(BY_OWNER))
def test_b_cannot_name_a_as_the_owner(services, alice, bob, admin, a_rows, name):
    with pytest.raises(NotFoundError):
        BY_OWNER[name](services, bob.token, a_rows, alice.user.id)
    with pytest.raises(PermissionDeniedError):  # admins neither, unless the setting allows it
        BY_OWNER[name](services, admin.token, a_rows, alice.user.id)


def test_missing_ids_and_foreign_ids_look_the_same(services, alice, bob, a_rows):
    with pytest.raises(NotFoundError) as foreign:
        services.records.get(bob.token, a_rows["record"].id)
    with pytest.raises(NotFoundError) as missing:
        services.records.get(bob.token, 10_000_000)
    assert foreign.value.message == missing.value.message
