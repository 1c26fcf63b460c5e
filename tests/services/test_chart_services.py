"""The chart services (records, family history, predictions, profile) scoped to one patient: who may
read and write, who wrote what, the access log of every read by someone other than the patient, and
a signed-in patient seeing only their own chart (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from desktop.db.models import AccessLog, BreastCancerPrediction
from desktop.domain.chart_dto import DECISION_SUPPORT_NOTICE
from desktop.domain.dto import FamilyDraft, ProfileUpdate, RecordDraft
from desktop.domain.enums import AllergyStatus
from desktop.domain.errors import NotFoundError, PermissionDeniedError
from desktop.domain.patient_dto import PatientDraft
from desktop.ml.predictor import Predictor
from desktop.services.container import Services
from tests.services.conftest import make_services
from tests.services.patient_helpers import Clinic, make_clinic, register
from tests.services.test_predictions import FEATURES

RECORD = RecordDraft(date="2026-02-01", type="Mammogram", result="BI-RADS 2")
FAMILY = FamilyDraft(relation="Sister", age=51, condition="Breast cancer")


@pytest.fixture
def clinic(services: Services, admin) -> Clinic:
    return make_clinic(services, admin)


def _log(services: Services) -> list[tuple[str | None, str, str]]:
    with services.database.unit_of_work() as s:
        rows = s.execute(
            sa.select(AccessLog.user_id, AccessLog.patient_id, AccessLog.detail).order_by(AccessLog.id)
        )
        return [tuple(r) for r in rows]


def test_a_clinician_writes_into_the_patients_chart_and_is_its_author(
    services: Services, clinic: Clinic
) -> None:
    ann = register(services, clinic, "Ann", "Lee")
    doc = clinic.clinician
    record = services.records.create(doc.token, RECORD, patient_id=ann.id)
    assert record.created_by == doc.user.id and record.doctor == doc.user.name  # the clinician by default
    named = services.records.create(doc.token, RecordDraft(date="2026-02-02", type="Scan", doctor="Dr Other"),
                                    patient_id=ann.id)  # fmt: skip
    assert named.doctor == "Dr Other"
    entry = services.family.create(doc.token, FAMILY, patient_id=ann.id)
    assert entry.created_by == doc.user.id
    saved = services.predictions.save(doc.token, FEATURES, "for Ann", patient_id=ann.id)
    info = Predictor().info
    assert (saved.patient_id, saved.created_by) == (ann.id, doc.user.id)
    assert saved.model_sha256 == info.sha256 and len(info.sha256) == 64
    assert saved.model_version == info.full_version
    assert services.records.list(doc.token, patient_id=ann.id).total == 2
    assert services.records.count(doc.token, patient_id=ann.id) == 2
    assert services.family.list(doc.token, patient_id=ann.id).rows == (entry,)
    assert services.predictions.list(doc.token, patient_id=ann.id).rows == (saved,)

    report = services.predictions.report(doc.token, saved.id, patient_id=ann.id)
    assert report.patient.mrn == ann.mrn and report.patient.name == ann.name
    assert report.clinician_name == doc.user.name
    assert (report.model_version, report.model_sha256) == (info.full_version, info.sha256)
    assert "not a diagnosis" in report.notice and report.notice == DECISION_SUPPORT_NOTICE

    # The rows are in Ann's chart only: another patient's chart does not hold them.
    bob = register(services, clinic, "Bob", "Ray")
    with pytest.raises(NotFoundError):
        services.records.get(doc.token, record.id, patient_id=bob.id)
    with pytest.raises(NotFoundError):
        services.records.history(doc.token, record.id, patient_id=bob.id)
    assert services.records.list(doc.token, patient_id=bob.id).total == 0


def test_history_of_a_deleted_row_follows_its_chart(services: Services, clinic: Clinic) -> None:
    ann, bob = register(services, clinic, "Ann"), register(services, clinic, "Bob")
    doc = clinic.clinician.token
    record = services.records.create(doc, RECORD, patient_id=ann.id)
    changed = services.records.update(doc, record.id, RECORD, record.version, patient_id=ann.id)
    services.records.delete(doc, record.id, changed.version, patient_id=ann.id)
    history = services.records.history(doc, record.id, patient_id=ann.id)
    assert [h.action for h in history] == ["create", "update", "delete"]
    with pytest.raises(NotFoundError):
        services.records.history(doc, record.id, patient_id=bob.id)


def test_a_patient_who_signs_in_sees_only_their_own_chart(services: Services, clinic: Clinic) -> None:
    me, other = clinic.patient, register(services, clinic, "Other", "Person")
    doc = clinic.clinician.token
    mine = services.records.create(doc, RECORD, patient_id=me.user.id)
    theirs = services.records.create(doc, RECORD, patient_id=other.id)
    services.predictions.save(doc, FEATURES, patient_id=other.id)

    assert [r.id for r in services.records.list(me.token).rows] == [mine.id]  # own chart by default
    assert services.records.get(me.token, mine.id) == mine
    assert services.predictions.list(me.token).total == 0
    own = services.records.create(me.token, RECORD)  # the personal record keeps working
    assert own.created_by == me.user.id and own.doctor == ""
    for call in (
        lambda: services.records.get(me.token, theirs.id),
        lambda: services.records.list(me.token, patient_id=other.id),
        lambda: services.records.create(me.token, RECORD, patient_id=other.id),
        lambda: services.family.list(me.token, patient_id=other.id),
        lambda: services.predictions.list(me.token, patient_id=other.id),
        lambda: services.profile.get(me.token, patient_id=other.id),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert services.profile.get(me.token).id == me.user.id


def test_reception_and_admin_stay_out_of_medical_data(
    services: Services, clinic: Clinic, db_url, clock
) -> None:
    ann = register(services, clinic, "Ann", "Lee")
    desk, admin = clinic.reception.token, clinic.admin.token
    for token in (desk, admin):
        for call in (
            lambda token=token: services.records.list(token, patient_id=ann.id),
            lambda token=token: services.family.create(token, FAMILY, patient_id=ann.id),
            lambda token=token: services.predictions.save(token, FEATURES, patient_id=ann.id),
            lambda token=token: services.profile.get(token, patient_id=ann.id),
            lambda token=token: services.profile.update(
                token, ProfileUpdate(name="X", age=3), ann.version, patient_id=ann.id
            ),
        ):
            with pytest.raises(PermissionDeniedError):
                call()
    # Reception changes demographics and contact details through the patient service.
    changed = services.patients.update(desk, ann.id, PatientDraft(given_names="Ann", family_name="Lee",
                                                                  phone="0123 456"))  # fmt: skip
    assert changed.phone == "0123 456"
    permissive = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        assert permissive.records.list(admin, patient_id=ann.id).total == 0
        with pytest.raises(PermissionDeniedError):
            permissive.records.create(admin, RECORD, patient_id=ann.id)
    finally:
        permissive.close()


READS: dict[str, Callable[[Services, str, str, dict[str, int]], object]] = {
    "records.list": lambda s, t, p, ids: s.records.list(t, patient_id=p),
    "records.count": lambda s, t, p, ids: s.records.count(t, patient_id=p),
    "records.get": lambda s, t, p, ids: s.records.get(t, ids["record"], patient_id=p),
    "records.ids": lambda s, t, p, ids: s.records.ids(t, patient_id=p),
    "records.rows": lambda s, t, p, ids: s.records.rows(t, [ids["record"]], patient_id=p),
    "records.history": lambda s, t, p, ids: s.records.history(t, ids["record"], patient_id=p),
    "family.list": lambda s, t, p, ids: s.family.list(t, patient_id=p),
    "family.get": lambda s, t, p, ids: s.family.get(t, ids["family"], patient_id=p),
    "family.ids": lambda s, t, p, ids: s.family.ids(t, patient_id=p),
    "family.rows": lambda s, t, p, ids: s.family.rows(t, [ids["family"]], patient_id=p),
    "family.history": lambda s, t, p, ids: s.family.history(t, ids["family"], patient_id=p),
    "predictions.list": lambda s, t, p, ids: s.predictions.list(t, patient_id=p),
    "predictions.get": lambda s, t, p, ids: s.predictions.get(t, ids["prediction"], patient_id=p),
    "predictions.ids": lambda s, t, p, ids: s.predictions.ids(t, patient_id=p),
    "predictions.rows": lambda s, t, p, ids: s.predictions.rows(t, [ids["prediction"]], patient_id=p),
    "predictions.report": lambda s, t, p, ids: s.predictions.report(t, ids["prediction"], patient_id=p),
    "profile.get": lambda s, t, p, ids: s.profile.get(t, patient_id=p),
}


def test_every_chart_read_by_anyone_but_the_patient_is_logged(
    services: Services, clinic: Clinic, db_url, clock
) -> None:
    me = clinic.patient
    doc = clinic.clinician
    ids = {
        "record": services.records.create(doc.token, RECORD, patient_id=me.user.id).id,
        "family": services.family.create(doc.token, FAMILY, patient_id=me.user.id).id,
        "prediction": services.predictions.save(doc.token, FEATURES, patient_id=me.user.id).id,
    }
    assert _log(services) == []  # writing is in the audit log, not the access log
    permissive = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        for name, read in READS.items():
            before = len(_log(services))
            read(services, me.token, me.user.id, ids)  # the patient's own reads are not logged
            assert len(_log(services)) == before, name
            read(services, doc.token, me.user.id, ids)
            read(permissive, clinic.admin.token, me.user.id, ids)
            logged = _log(services)[before:]
            assert [(u, p) for u, p, _ in logged] == [
                (doc.user.id, me.user.id), (clinic.admin.user.id, me.user.id)
            ], name  # fmt: skip
            assert all(detail for _, _, detail in logged), name
    finally:
        permissive.close()
    seen = services.patients.who_opened_my_chart(me.token)
    assert seen.total == 2 * len(READS)
    assert {e.user_name for e in seen.rows} == {doc.user.name, clinic.admin.user.name}


def test_the_account_list_holds_staff_and_patients_who_can_sign_in(
    services: Services, clinic: Clinic
) -> None:
    register(services, clinic, "Never", "Signsin")
    accounts = services.users.list_accounts(clinic.admin.token)
    assert {a.email for a in accounts} == {
        "admin@clinic.example", "cleo@clinic.example", "rita@clinic.example", "pat@clinic.example"
    }  # fmt: skip
    assert {a.email for a in services.users.list_accounts_from_console()} == {a.email for a in accounts}


def test_saved_predictions_keep_the_model_hash_in_the_database(services: Services, clinic: Clinic) -> None:
    ann = register(services, clinic, "Ann")
    saved = services.predictions.save(clinic.clinician.token, FEATURES, patient_id=ann.id)
    with services.database.unit_of_work() as s:
        row = s.get(BreastCancerPrediction, saved.id)
        assert row is not None
        assert (row.user_id, row.created_by, row.model_sha256) == (
            ann.id, clinic.clinician.user.id, Predictor().info.sha256
        )  # fmt: skip


def test_allergies_typed_in_the_profile_keep_the_banner_statement_true(
    services: Services, clinic: Clinic
) -> None:
    ann = register(services, clinic, "Ann")
    doc = clinic.clinician.token
    services.patients.set_allergies(doc, ann.id, "none_known")
    profile = services.profile.get(doc, patient_id=ann.id)
    services.profile.update(doc, ProfileUpdate(name=profile.name, age=None, allergies="Penicillin"), profile.version,
                            patient_id=ann.id)  # fmt: skip
    stated = services.patients.allergies(doc, ann.id)
    assert (stated.status, stated.allergies) == (AllergyStatus.RECORDED, "Penicillin")
    assert stated.checked_on is not None
    profile = services.profile.get(doc, patient_id=ann.id)
    services.profile.update(doc, ProfileUpdate(name=profile.name, age=None, allergies=""), profile.version,
                            patient_id=ann.id)  # fmt: skip
    assert services.patients.allergies(doc, ann.id).status is AllergyStatus.NOT_RECORDED
