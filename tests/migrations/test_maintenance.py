"""The maintenance service the Database tools dialog and the CLI call (Qt-free)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.domain.errors import DatabaseError, PermissionDeniedError, SessionExpiredError
from desktop.services.maintenance import MaintenanceService
from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD


def _actions(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, actor FROM auditlog ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.fixture
def service(sqlite_url: str) -> MaintenanceService:
    make_web_database(sqlite_url, "a8b9ec836410")
    return MaintenanceService.local(sqlite_url, "admin@example.org")


def test_status_and_history(service: MaintenanceService, tmp_path: Path) -> None:
    status = service.status()
    assert status.engine == "SQLite" and status.location == str(tmp_path / "clinic.db")
    assert status.file_size and status.current == "a8b9ec836410" and status.head == HEAD
    assert [r.revision for r in status.pending] == [
        "d24a4742aa81",
        "c7e5d1f0a9b3",
        "e4b7a2c9d5f1",
        HEAD,
    ] and not status.at_head
    history = service.history()
    assert [(r.revision, r.applied, r.is_current) for r in history] == [
        (HEAD, False, False),
        ("e4b7a2c9d5f1", False, False),
        ("c7e5d1f0a9b3", False, False),
        ("d24a4742aa81", False, False),
        ("a8b9ec836410", True, True),
    ]


def test_upgrade_then_downgrade_plans_and_audit(service: MaintenanceService) -> None:
    result = service.upgrade()
    assert result.migration.after == HEAD and result.backup.made
    assert service.status().at_head

    plan = service.plan_downgrade("d24a4742aa81")
    assert plan.target == "d24a4742aa81" and plan.confirm_text == ""
    assert "the audit log, 1 entry" in plan.lost

    to_base = service.plan_downgrade("base")
    assert to_base.confirm_text == HEAD
    assert "3 medical records" in to_base.lost and "2 accounts" in to_base.lost

    service.backup_now()
    service.downgrade(target="d24a4742aa81")
    assert service.status().current == "d24a4742aa81"
    assert row_counts(service.url)["medicalrecord"] == 3
    service.upgrade()
    # The audit log was kept aside by the downgrade and came back with the upgrade.
    assert [a for a, _ in _actions(service.url)] == ["migration", "backup", "migration"]
    backups = service.list_backups()
    assert [b.reason for b in backups] == ["before-upgrade", "before-downgrade", "manual", "before-upgrade"]


def test_restore_brings_back_deleted_rows(service: MaintenanceService) -> None:
    service.upgrade()
    made = service.backup_now()
    engine = sa.create_engine(service.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM familyhistory")
    engine.dispose()
    result = service.restore(file=made.path)
    assert row_counts(service.url)["familyhistory"] == 1
    assert result.backup.made and "before-restore" in result.backup.path.name
    assert _actions(service.url)[-1] == ("restore", "admin@example.org")


def test_check_report(service: MaintenanceService) -> None:
    report = service.check()
    assert report.ok and report.drift == ()  # not at head: drift is not compared
    service.upgrade()
    report = service.check()
    assert report.ok and "schema fingerprint: matches" in "\n".join(report.lines())
    assert service.backups_folder().is_dir()


def test_one_operation_at_a_time(service: MaintenanceService) -> None:
    refused: list[str] = []

    def during_upgrade(step) -> None:
        if not step.done and not refused:
            with pytest.raises(DatabaseError, match="still running") as caught:
                MaintenanceService.local(service.url, "admin@example.org").backup_now()
            refused.append(caught.value.message)

    service.upgrade(progress=during_upgrade)
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


# --------------------------------------------------------------------------- who may maintain


@pytest.fixture
def container(sqlite_url: str) -> Iterator[Any]:
    from desktop.domain.dto import Role
    from desktop.services.container import Services
    from desktop.settings import Settings

    MaintenanceService.local(sqlite_url).upgrade()
    services = Services.create(sqlite_url, Settings(database_url=sqlite_url), bcrypt_rounds=4)
    services.auth.create_first_admin("admin@clinic.example", "Ada Admin", "admin-pass-4321")
    admin = services.auth.sign_in("admin@clinic.example", "admin-pass-4321")
    services.users.create_user(admin.token, "nurse@clinic.example", "Nurse", "nurse-pass-4321", Role.USER)
    services.admin_token = admin.token
    services.user_token = services.auth.sign_in("nurse@clinic.example", "nurse-pass-4321").token
    # Refused below for being no administrator, not for the password the admin set.
    services.auth.set_required_password(services.user_token, "nurse-own-pass-4321")
    yield services
    services.close()


def test_the_guis_service_checks_the_session_token(container: Any) -> None:
    service = container.maintenance
    actions = {  # every maintenance action
        "backup": lambda token: service.backup_now(token),
        "check": lambda token: service.check(token),
        "upgrade": lambda token: service.upgrade(token),
        "downgrade": lambda token: service.downgrade(token),
        "restore": lambda token: service.restore(token, Path("nothing.db")),
    }
    for action in actions.values():
        for token in (container.user_token, "forged-token", None):
            with pytest.raises((PermissionDeniedError, SessionExpiredError)):
                action(token)
    assert service.status().current == HEAD  # nothing happened
    assert service.list_backups() == []

    made = service.backup_now(container.admin_token)
    assert made.made
    assert ("backup", "admin@clinic.example") in _actions(service.url)
    down = service.downgrade(container.admin_token)
    assert down.migration.after == "e4b7a2c9d5f1"
    # The older schema cannot answer the admin check; the token seen at head still can upgrade back.
    assert service.upgrade(container.admin_token).migration.after == HEAD


def test_cli_acts_as_the_local_maintainer(sqlite_url: str) -> None:
    service = MaintenanceService.local(sqlite_url)
    service.upgrade()
    actor = service.authorize(None)
    assert actor.startswith("cli")
    reading_only = MaintenanceService(sqlite_url)
    with pytest.raises(PermissionDeniedError):
        reading_only.backup_now()
