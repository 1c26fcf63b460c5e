"""Nothing in the program updates or deletes audit rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.db.models import AuditLog
from desktop.domain.dto import RecordDraft

PACKAGE = Path(__file__).resolve().parents[2] / "desktop"
FORBIDDEN = re.compile(
    r"(update|delete)\(\s*AuditLog\b|(UPDATE|DELETE\s+FROM)\s+\"?auditlog\b|\.query\(AuditLog\)\.(update|delete)",
    re.IGNORECASE,
)


def test_no_module_updates_or_deletes_audit_rows():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{n}"
        for path in PACKAGE.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []


def test_the_pattern_would_catch_an_offender():
    assert FORBIDDEN.search("s.execute(delete(AuditLog).where(AuditLog.id == 1))")
    assert FORBIDDEN.search('conn.exec_driver_sql("UPDATE auditlog SET summary = 1")')


@pytest.mark.parametrize("step", ["update", "delete"])
def test_audit_rows_survive_changes_to_what_they_describe(services, alice, step):
    record = services.records.create(alice.token, RecordDraft(date="2024-01-01", type="X"))
    with services.database.unit_of_work() as s:
        before = [(r.id, r.action, r.after) for r in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    if step == "update":
        services.records.update(
            alice.token, record.id, RecordDraft(date="2024-01-02", type="Y"), record.version
        )
    else:
        services.records.delete(alice.token, record.id, record.version)
    with services.database.unit_of_work() as s:
        after = [(r.id, r.action, r.after) for r in s.scalars(select(AuditLog).order_by(AuditLog.id))]
        assert s.scalar(select(func.count()).select_from(AuditLog)) == len(before) + 1
    assert after[: len(before)] == before
