"""Merging a duplicate registration, and the access log of chart reads (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from desktop.db.models import AuditLog, BreastCancerPrediction, FamilyHistory, MedicalRecord, User
from desktop.domain.errors import PermissionDeniedError, ValidationError
from desktop.domain.patient_dto import AccessLogQuery
from desktop.services.container import Services
from tests.services.patient_helpers import Clinic, make_clinic, register

FEATURES = {
    c.key: 1.0 for c in BreastCancerPrediction.__table__.columns if c.key.endswith(("_mean", "_se", "_worst"))
}


@pytest.fixture
def clinic(services: Services, admin) -> Clinic:
    return make_clinic(services, admin)


def _add_chart_rows(services: Services, patient_id: str, author: str) -> None:
    now = services.context.now()
    with services.database.unit_of_work() as s:
        s.add(MedicalRecord(user_id=patient_id, date="2026-01-05", type="Scan", result="ok", doctor="Dr C",
                            notes="", created_at=now, created_by=author))  # fmt: skip
        s.add(
            FamilyHistory(user_id=patient_id, relation="Mother", age=60, condition="Diabetes", created_at=now)
        )
        s.add(BreastCancerPrediction(user_id=patient_id, **FEATURES, prediction="Benign", confidence=0.9,
                                     risk_level="Low", created_at=now, created_by=author))  # fmt: skip
        s.commit()


def _count(services: Services, model: type, patient_id: str) -> int:
    with services.database.unit_of_work() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model).where(model.user_id == patient_id)) or 0


def test_merge_moves_the_chart_and_the_audit_keeps_both_ids(services: Services, clinic: Clinic) -> None:
    right = register(services, clinic, "Maria", "Garcia", date_of_birth="1945-07-14")
    duplicate = register(services, clinic, "María", "García")
    _add_chart_rows(services, right.id, clinic.clinician.user.id)
    _add_chart_rows(services, duplicate.id, clinic.clinician.user.id)
    services.patients.open_chart(clinic.clinician.token, duplicate.id)

    result = services.patients.merge(clinic.clinician.token, duplicate.id, right.id)
    assert result.moved == {
        "medicalrecord": 1,
        "familyhistory": 1,
        "breastcancerprediction": 1,
        "accesslog": 1,
    }
    for model in (MedicalRecord, FamilyHistory, BreastCancerPrediction):
        assert _count(services, model, right.id) == 2 and _count(services, model, duplicate.id) == 0
    assert not services.patients.get(clinic.clinician.token, duplicate.id).is_active
    with services.database.unit_of_work() as s:
        audits = s.scalars(sa.select(AuditLog).where(AuditLog.action == "merge")).all()
        assert {a.entity_id for a in audits} == {duplicate.id, right.id}
        assert all(duplicate.id in a.after and right.id in a.after for a in audits)
        assert s.get(User, duplicate.id) is not None  # deactivated, never deleted
    with pytest.raises(ValidationError):
        services.patients.merge(clinic.clinician.token, right.id, right.id)
    with pytest.raises(ValidationError, match="deactivated"):
        services.patients.merge(clinic.clinician.token, right.id, duplicate.id)
    with pytest.raises(PermissionDeniedError):
        services.patients.merge(clinic.reception.token, right.id, duplicate.id)


def test_every_chart_read_by_someone_else_is_logged(services: Services, clinic: Clinic, clock) -> None:
    ann = register(services, clinic, "Ann", "Lee")
    patient_id = clinic.patient.user.id
    services.patients.open_chart(clinic.clinician.token, patient_id)
    clock.advance(minutes=5)
    services.patients.allergies(clinic.clinician.token, ann.id)
    services.patients.get(clinic.reception.token, patient_id)
    services.patients.open_chart(clinic.patient.token)  # the patient's own: not logged
    services.patients.search(clinic.clinician.token, "lee")  # a list of names: not a chart read

    everything = services.patients.access_log(clinic.admin.token)
    assert everything.total == 3
    assert [(e.action, e.user_role) for e in everything.rows] == [
        ("patients.read", "Reception"), ("chart.read_medical", "Clinician"), ("chart.open", "Clinician"),
    ]  # fmt: skip
    by_patient = services.patients.access_log(clinic.admin.token, AccessLogQuery(patient_id=ann.id))
    assert [e.patient_name for e in by_patient.rows] == ["Ann Lee"]
    by_user = services.patients.access_log(
        clinic.admin.token, AccessLogQuery(user_id=clinic.reception.user.id)
    )
    assert [e.user_name for e in by_user.rows] == ["Rita"]

    mine = services.patients.who_opened_my_chart(clinic.patient.token)
    assert [(e.user_name, e.action) for e in mine.rows] == [("Rita", "patients.read"), ("Cleo", "chart.open")]
    with pytest.raises(PermissionDeniedError):
        services.patients.access_log(clinic.clinician.token)


def test_access_log_id_lists_match_its_pages(services: Services, clinic: Clinic, clock) -> None:
    ann = register(services, clinic, "Ann", "Lee")
    patient_id = clinic.patient.user.id
    services.patients.open_chart(clinic.clinician.token, patient_id)
    clock.advance(minutes=5)
    services.patients.allergies(clinic.clinician.token, ann.id)
    clock.advance(minutes=5)
    services.patients.get(clinic.reception.token, patient_id)
    admin = clinic.admin.token

    ids = services.patients.access_log_ids(admin)
    assert ids == tuple(e.id for e in services.patients.access_log(admin).rows)  # newest first
    assert services.patients.access_log_rows(admin, list(reversed(ids))) == tuple(
        reversed(services.patients.access_log(admin).rows)
    )  # in the order asked for
    only_ann = services.patients.access_log_ids(admin, AccessLogQuery(patient_id=ann.id))
    assert [e.patient_name for e in services.patients.access_log_rows(admin, only_ann)] == ["Ann Lee"]

    mine = services.patients.my_chart_access_ids(clinic.patient.token)
    assert len(mine) == 2 and only_ann[0] not in mine
    shown = services.patients.my_chart_access_rows(clinic.patient.token, [*mine, *only_ann])
    assert [e.user_name for e in shown] == ["Rita", "Cleo"]  # Ann's entry is not the patient's to read
    with pytest.raises(PermissionDeniedError):
        services.patients.access_log_ids(clinic.clinician.token)
    with pytest.raises(ValidationError):
        services.patients.access_log_rows(admin, list(range(1, 1002)))
