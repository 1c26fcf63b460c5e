"""The maintenance service the Database tools dialog and the CLI call (Qt-free)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.domain.errors import DatabaseError
from desktop.services.maintenance import MaintenanceService
from tests.fixtures.web_database import make_web_database, row_counts

HEAD = "e4b7a2c9d5f1"


def _actions(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, actor FROM auditlog ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.fixture
def service(sqlite_url: str) -> MaintenanceService:
    make_web_database(sqlite_url, "a8b9ec836410")
    return MaintenanceService(sqlite_url)


def test_status_and_history(service: MaintenanceService, tmp_path: Path) -> None:
    status = service.status()
    assert status.engine == "SQLite" and status.location == str(tmp_path / "clinic.db")
    assert status.file_size and status.current == "a8b9ec836410" and status.head == HEAD
    assert [r.revision for r in status.pending] == [
        "d24a4742aa81",
        "c7e5d1f0a9b3",
        HEAD,
    ] and not status.at_head
    history = service.history()
    assert [(r.revision, r.applied, r.is_current) for r in history] == [
        (HEAD, False, False),
        ("c7e5d1f0a9b3", False, False),
        ("d24a4742aa81", False, False),
        ("a8b9ec836410", True, True),
    ]


def test_upgrade_then_downgrade_plans_and_audit(service: MaintenanceService) -> None:
    result = service.upgrade("admin@example.org")
    assert result.migration.after == HEAD and result.backup.made
    assert service.status().at_head

    plan = service.plan_downgrade("d24a4742aa81")
    assert plan.target == "d24a4742aa81" and plan.confirm_text == ""
    assert "table auditlog (1 rows)" in plan.lost
    assert "column user.role (values in 2 rows)" in plan.lost
    assert "Data that will be deleted" in plan.summary()

    to_base = service.plan_downgrade("base")
    assert to_base.confirm_text == HEAD
    assert "table medicalrecord (3 rows)" in to_base.lost and "table user (2 rows)" in to_base.lost

    service.backup_now("admin@example.org")
    service.downgrade("admin@example.org", "d24a4742aa81")
    assert service.status().current == "d24a4742aa81"
    assert row_counts(service.url)["medicalrecord"] == 3
    service.upgrade("admin@example.org")
    assert [a for a, _ in _actions(service.url)] == ["migration"]  # auditlog was recreated empty
    backups = service.list_backups()
    assert [b.reason for b in backups] == ["before-upgrade", "before-downgrade", "manual", "before-upgrade"]


def test_restore_brings_back_deleted_rows(service: MaintenanceService) -> None:
    service.upgrade("admin@example.org")
    made = service.backup_now("admin@example.org")
    engine = sa.create_engine(service.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM familyhistory")
    engine.dispose()
    result = service.restore("admin@example.org", made.path)
    assert row_counts(service.url)["familyhistory"] == 1
    assert result.backup.made and "before-restore" in result.backup.path.name
    assert _actions(service.url)[-1] == ("restore", "admin@example.org")


def test_check_report(service: MaintenanceService) -> None:
    report = service.check("admin@example.org")
    assert report.ok and report.drift == ()  # not at head: drift is not compared
    service.upgrade("admin@example.org")
    report = service.check("admin@example.org")
    assert report.ok and "schema fingerprint: matches" in "\n".join(report.lines())
    assert service.backups_folder().is_dir()


def test_one_operation_at_a_time(service: MaintenanceService) -> None:
    refused: list[str] = []

    def during_upgrade(step) -> None:
        if not step.done and not refused:
            with pytest.raises(DatabaseError, match="still running") as caught:
                MaintenanceService(service.url).backup_now("someone")
            refused.append(caught.value.message)

    service.upgrade("admin@example.org", progress=during_upgrade)
    assert refused and service.status().at_head


def test_built_from_the_service_context_checks_admins(sqlite_url: str) -> None:
    from desktop.db import migrate
    from desktop.domain.errors import SessionExpiredError
    from desktop.services import maintenance
    from desktop.services.container import Services

    migrate.upgrade(sqlite_url)
    services = Services.create(sqlite_url, bcrypt_rounds=4)
    try:
        service = services.maintenance
        assert isinstance(service, maintenance.MaintenanceService) and service.url == sqlite_url
        with pytest.raises(SessionExpiredError):
            service.authorize("00000000-0000-0000-0000-000000000000")
        services.auth.create_first_admin("admin@clinic.example", "Admin", "correct horse battery 9")
        session = services.auth.sign_in("admin@clinic.example", "correct horse battery 9")
        assert service.authorize(session.token) == "admin@clinic.example"
    finally:
        services.close()
