"""Medical records: CRUD, paging/sorting/filtering in SQL, history and audit before-values."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.db.models import AuditLog
from desktop.domain.dto import RecordDraft, RecordQuery
from desktop.domain.enums import RecordStatus
from desktop.domain.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from tests.services.conftest import make_services


def draft(**kw) -> RecordDraft:
    base = dict(
        date="2024-05-01",
        type="Blood test",
        result="Normal",
        doctor="Dr Who",
        notes="fasting",
        status="normal",
    )
    base.update(kw)
    return RecordDraft(**base)


def test_create_get_update_delete(services, alice):
    created = services.records.create(alice.token, draft(status="critical"))
    assert created.status == "critical" and created.status_color == RecordStatus.CRITICAL.colour
    assert created.version == 1
    assert services.records.get(alice.token, created.id) == created
    updated = services.records.update(
        alice.token, created.id, draft(result="High", status="follow-up"), created.version
    )
    assert updated.result == "High" and updated.status_color == "#3b82f6" and updated.version == 2
    services.records.delete(alice.token, created.id, updated.version)
    with pytest.raises(NotFoundError):
        services.records.get(alice.token, created.id)


def test_update_with_a_stale_version_is_a_conflict(services, alice):
    created = services.records.create(alice.token, draft())
    services.records.update(alice.token, created.id, draft(result="A"), created.version)
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.records.update(alice.token, created.id, draft(result="B"), created.version)
    with pytest.raises(ConflictError):
        services.records.delete(alice.token, created.id, created.version)
    assert services.records.get(alice.token, created.id).result == "A"


def test_validation_lists_every_bad_field(services, alice):
    with pytest.raises(ValidationError) as info:
        services.records.create(
            alice.token,
            RecordDraft(date="31/12/2024", type="", result="x" * 101, doctor="d", notes="n", status="great"),
        )
    assert set(info.value.fields) == {"date", "type", "result", "status"}


def test_paging_sorting_and_filters_in_sql(services, alice):
    statuses = ["pending", "normal", "abnormal", "critical"]
    for i in range(25):
        services.records.create(
            alice.token,
            draft(
                date=(dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat(),
                type=f"Test {i:02d}",
                doctor="Dr Grey" if i % 5 == 0 else "Dr Who",
                notes="50% off_peak" if i == 7 else "",
                status=statuses[i % 4],
            ),
        )
    first = services.records.list(alice.token, RecordQuery(limit=10))
    assert first.total == 25 and len(first.rows) == 10
    assert first.rows[0].date == "2024-01-25"  # newest first by default
    pages = [
        services.records.list(alice.token, RecordQuery(offset=o, limit=10, sort="type", descending=False))
        for o in (0, 10, 20)
    ]
    types = [r.type for p in pages for r in p.rows]
    assert types == sorted(types) and len(set(types)) == 25
    assert services.records.list(alice.token, RecordQuery(text="grey")).total == 5
    assert services.records.list(alice.token, RecordQuery(text="50%")).total == 1  # % is literal
    assert services.records.list(alice.token, RecordQuery(text="f_p")).total == 1  # _ is literal
    assert services.records.list(alice.token, RecordQuery(status="critical")).total == 6
    window = RecordQuery(date_from=dt.date(2024, 1, 10), date_to=dt.date(2024, 1, 12))
    assert [r.date for r in services.records.list(alice.token, window).rows] == [
        "2024-01-12",
        "2024-01-11",
        "2024-01-10",
    ]
    assert services.records.count(alice.token, window) == 3
    assert services.records.count(alice.token) == 25


def test_sorting_only_by_known_columns(services, alice):
    with pytest.raises(ValidationError, match="Sort column"):
        services.records.list(alice.token, RecordQuery(sort="user_id; DROP TABLE user"))
    with pytest.raises(ValidationError):
        services.records.list(alice.token, RecordQuery(status="nonsense"))
    with pytest.raises(ValidationError):
        services.records.list(alice.token, RecordQuery(limit=0))


def test_history_keeps_previous_values_and_the_deleted_row(services, alice, bob):
    created = services.records.create(alice.token, draft(result="first"))
    second = services.records.update(alice.token, created.id, draft(result="second"), created.version)
    services.records.delete(alice.token, created.id, second.version)
    history = services.records.history(alice.token, created.id)
    assert [h.action for h in history] == ["create", "update", "delete"]
    assert history[1].before["result"] == "first" and history[1].after["result"] == "second"
    assert history[2].before["result"] == "second"
    with pytest.raises(NotFoundError):
        services.records.history(bob.token, created.id)


def test_admin_does_not_read_medical_data_unless_the_setting_allows(services, admin, alice, db_url, clock):
    record = services.records.create(alice.token, draft())
    with pytest.raises(PermissionDeniedError):
        services.records.get(admin.token, record.id, patient_id=alice.user.id)
    with pytest.raises(PermissionDeniedError):
        services.records.list(admin.token, RecordQuery(), patient_id=alice.user.id)
    permissive = make_services(db_url, clock, admin_can_read_medical_data=True)
    try:
        assert permissive.records.get(admin.token, record.id, patient_id=alice.user.id) == record
        assert permissive.records.list(admin.token, patient_id=alice.user.id).total == 1
        with pytest.raises(PermissionDeniedError):  # reading, never writing
            permissive.records.create(admin.token, draft(), patient_id=alice.user.id)
        with pytest.raises(NotFoundError):  # a patient names no other chart
            permissive.records.list(alice.token, patient_id=admin.user.id)
    finally:
        permissive.close()


def test_audit_rows_are_written_in_the_same_transaction(services, alice):
    record = services.records.create(alice.token, draft())
    with pytest.raises(ConflictError):
        services.records.update(alice.token, record.id, draft(result="x"), expected_version=99)
    with services.database.unit_of_work() as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.entity == "medicalrecord")))
    assert actions == ["create"]
