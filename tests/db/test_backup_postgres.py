"""Restore of PostgreSQL backups (pg_dump archives) on the real server, with the real pg_restore/psql.

Locally the tests skip when the client tools are not on PATH (export
PATH=/usr/lib/postgresql/15/bin:$PATH); in CI (build_scripts/dev.sh puts them on PATH) they must run.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db import backup, backup_schedule, migrate
from desktop.db import restore as restoring
from desktop.db.backup_catalog import list_backups
from desktop.domain.errors import DatabaseError, DatabaseTooNewError
from desktop.services.maintenance import MaintenanceService
from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(postgres_url: str) -> str:
    """A PostgreSQL database at head with the web version's rows."""
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing and not os.environ.get("CI"):
        pytest.skip(f"{', '.join(missing)} not on PATH")
    make_web_database(postgres_url, "d24a4742aa81")
    migrate.upgrade(postgres_url)
    return postgres_url


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def delete_records(url: str) -> None:
    execute(url, "DELETE FROM medicalrecord", "DELETE FROM familyhistory")


def test_round_trip_brings_back_deleted_rows_and_keeps_the_replaced_database(server: str) -> None:
    made = backup.backup(server)
    assert made.made and made.path.suffix == ".dump"
    assert restoring.validate_backup(made.path) == HEAD
    before = row_counts(server)
    delete_records(server)

    safety = restoring.restore(made.path, server)
    assert row_counts(server) == before
    assert migrate.status(server).current == HEAD
    assert migrate.drift(server) == []
    # The database that was replaced was backed up first: restoring that copy deletes the rows again.
    assert safety.made and "before-restore" in safety.path.name
    restoring.restore(safety.path, server)
    assert row_counts(server)["medicalrecord"] == 0 and row_counts(server)["user"] == before["user"]


def test_restore_of_an_older_backup_over_an_upgraded_database(postgres_url: str, server: str) -> None:
    """The tables added by later migrations go too, so the database can be upgraded again."""
    execute(postgres_url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    make_web_database(postgres_url, "d24a4742aa81")
    old = backup.backup(postgres_url, reason="before-upgrade")
    before = row_counts(postgres_url)
    migrate.upgrade(postgres_url)

    restoring.restore(old.path, postgres_url)
    assert migrate.status(postgres_url).current == "d24a4742aa81"
    assert row_counts(postgres_url) == before
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert "auditlog" not in sa.inspect(conn).get_table_names()
    engine.dispose()
    assert migrate.upgrade(postgres_url).after == HEAD


def test_failure_during_the_restore_leaves_the_database_as_it_was(server: str, data_dir: Path) -> None:
    made = backup.backup(server)
    delete_records(server)
    after_delete = row_counts(server)
    # An event trigger that rejects CREATE INDEX makes the restore fail after the tables were dropped
    # and the data loaded: only the single transaction can put everything back.
    execute(
        server,
        "CREATE FUNCTION refuse_index() RETURNS event_trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no indexes today'; END $$",
        "CREATE EVENT TRIGGER refuse_index ON ddl_command_end WHEN TAG IN ('CREATE INDEX') "
        "EXECUTE FUNCTION refuse_index()",
    )
    with pytest.raises(DatabaseError, match=r"failed and was undone.*no indexes today"):
        restoring.restore(made.path, server)
    execute(server, "DROP EVENT TRIGGER refuse_index")
    assert row_counts(server) == after_delete
    assert migrate.status(server).current == HEAD
    assert migrate.drift(server) == []


@pytest.mark.parametrize("cut", [20, "a third"])
def test_truncated_archive_is_refused_and_nothing_changes(
    server: str, tmp_path: Path, cut: int | str
) -> None:
    """20 bytes short: the table of contents still reads (pg_restore --list passes), the data does not."""
    made = backup.backup(server)
    truncated = tmp_path / "truncated.dump"
    data = made.path.read_bytes()
    truncated.write_bytes(data[: len(data) - (cut if isinstance(cut, int) else len(data) // 3)])
    delete_records(server)
    after_delete = row_counts(server)
    with pytest.raises(DatabaseError, match=r"truncated\.dump is damaged"):
        restoring.restore(truncated, server)
    assert row_counts(server) == after_delete
    assert migrate.status(server).current == HEAD
    assert [b.path for b in list_backups(backup.backups_folder())] == [
        made.path
    ]  # refused before any other step


def test_backup_from_a_newer_version_is_refused(server: str, data_dir: Path) -> None:
    execute(server, "UPDATE alembic_version SET version_num = 'feedfacecafe'")
    newer = backup.backup(server)
    execute(server, f"UPDATE alembic_version SET version_num = '{HEAD}'")
    delete_records(server)
    with pytest.raises(DatabaseTooNewError, match=r"newer version.*feedfacecafe"):
        restoring.restore(newer.path, server)
    assert row_counts(server)["medicalrecord"] == 0
    assert [b.path for b in list_backups(backup.backups_folder())] == [
        newer.path
    ]  # no before-restore copy either


def test_files_that_are_not_our_postgres_backups_are_refused(server: str, tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'local.db'}"
    make_web_database(sqlite_url, "d24a4742aa81")
    local = backup.backup(sqlite_url)
    with pytest.raises(DatabaseError, match=r"only a \.dump file made by ClinicDesk"):
        restoring.restore(local.path, server)
    server_copy = backup.backup(server)
    with pytest.raises(DatabaseError, match="not one of a local database file"):
        restoring.restore(server_copy.path, sqlite_url)
    other = tmp_path / "other.dump"
    libpq = sa.engine.make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    # A real pg_dump archive, but of one table only: not a ClinicDesk database.
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={other}", "--table=session", f"--dbname={libpq}"],
        check=True,
        capture_output=True,
    )
    with pytest.raises(DatabaseError, match="not of a ClinicDesk database"):
        restoring.restore(other, server)
    assert row_counts(server)["medicalrecord"] == 3


def test_missing_client_tools_are_named(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = backup.backup(server)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DatabaseError, match="needs PostgreSQL's pg_restore and psql"):
        restoring.restore(made.path, server)
    assert row_counts(server)["medicalrecord"] == 3


def test_nothing_is_replaced_when_the_current_database_cannot_be_backed_up(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = backup.backup(server)
    tools = tmp_path / "bin"  # pg_restore and psql, but no pg_dump
    tools.mkdir()
    for tool in ("pg_restore", "psql"):
        (tools / tool).symlink_to(shutil.which(tool))
    monkeypatch.setenv("PATH", str(tools))
    delete_records(server)
    with pytest.raises(DatabaseError, match=r"could not be backed up first.*client tools"):
        restoring.restore(made.path, server)
    assert row_counts(server)["medicalrecord"] == 0


def test_restore_through_the_maintenance_service_is_audited(server: str) -> None:
    service = MaintenanceService.local(server, "admin@example.org")
    made = service.backup_now()
    before = row_counts(server)
    delete_records(server)
    result = service.restore(file=made.path)
    assert result.message.startswith(f"Restored from {made.path.name}.")
    assert result.backup is not None and result.backup.made
    assert row_counts(server) == before
    engine = sa.create_engine(server)
    with engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM auditlog ORDER BY id")).scalars().all()
    engine.dispose()
    assert actions[-1] == "restore"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "db", *args],
        cwd=ROOT,
        env=dict(os.environ, NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_restore(server: str) -> None:
    made = backup.backup(server)
    before = row_counts(server)
    delete_records(server)
    done = run_cli("restore", str(made.path), "--yes", "--database-url", server)
    assert done.returncode == 0, done.stderr
    assert f"(revision {HEAD})" in done.stdout and "Restored from" in done.stdout
    assert row_counts(server) == before

    execute(server, "UPDATE alembic_version SET version_num = 'feedfacecafe'")
    newer = backup.backup(server)
    execute(server, f"UPDATE alembic_version SET version_num = '{HEAD}'")
    refused = run_cli("restore", str(newer.path), "--yes", "--database-url", server)
    assert refused.returncode == 2
    assert "newer version of ClinicDesk" in refused.stderr


def test_server_backups_are_verified_with_a_sidecar(server: str) -> None:
    made = backup.backup(server, reason="daily")
    assert made.made and "verified" in made.message and made.path is not None
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    [info] = list_backups(backup.backups_folder())
    assert info.verified and info.revision == HEAD and info.reason == "daily"
    assert info.counts["medicalrecord"] == 3 and info.counts["alembic_version"] == 1


def test_server_follows_the_same_schedule(server: str) -> None:
    first = backup_schedule.run_due(server, "start")
    assert first is not None and first.made
    assert backup_schedule.run_due(server, "start") is None
    assert backup_schedule.run_due(server, "close") is None
    delete_records(server)
    closing = backup_schedule.run_due(server, "close")
    assert closing is not None and closing.made and "on-close" in closing.path.name


def test_without_client_tools_the_service_says_so_plainly(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    message = MaintenanceService(server).backup_tools_message()
    assert "client tools" in message and "not installed" in message
    made = backup.backup(server)
    assert not made.made and made.message == message
    assert list_backups(backup.backups_folder()) == []


def test_a_server_database_with_two_revision_rows_is_not_backed_up(server: str, tmp_path: Path) -> None:
    execute(server, "INSERT INTO alembic_version VALUES ('d24a4742aa81')")
    with pytest.raises(DatabaseError, match="several revisions"):
        backup.backup(server)  # the source itself is refused, so no such archive is ever made here
