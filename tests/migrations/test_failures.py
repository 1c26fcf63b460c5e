"""Failing migrations leave the database at its previous revision (MariaDB: refused until the backup
made before is restored); newer databases are never touched."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db import backup, migrate
from desktop.db.backup_catalog import list_backups
from desktop.db.engine import make_engine
from desktop.domain.errors import DatabaseTooNewError, MigrationError, MigrationInterruptedError
from desktop.paths import resource_path
from desktop.services import startup
from desktop.services.maintenance import MaintenanceService
from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD

FAILING_REVISION = '''"""breaks halfway

Revision ID: ffff00000001
Revises: {HEAD}
"""
import sqlalchemy as sa
from alembic import op

revision = "ffff00000001"
down_revision = "{HEAD}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("halfway", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("medicalrecord") as batch:
        batch.add_column(sa.Column("extra", sa.String(10), nullable=False, server_default="x"))
        batch.create_check_constraint("extra_short", "length(extra) < 5")
    with op.batch_alter_table("user") as batch:
        batch.alter_column("name", new_column_name="full_name")
    op.execute("DELETE FROM familyhistory")
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade():
    pass
'''


@pytest.fixture
def failing_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the real migrations with a revision on top that fails after doing real work."""
    folder = tmp_path / "alembic"
    shutil.copytree(resource_path("alembic"), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "ffff00000001_breaks_halfway.py").write_text(
        FAILING_REVISION.replace("{HEAD}", HEAD)
    )
    monkeypatch.setenv(migrate.ALEMBIC_DIR_ENV, str(folder))
    return folder


def _schema(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        insp = sa.inspect(conn)
        result = {t: sorted(c["name"] for c in insp.get_columns(t)) for t in insp.get_table_names()}
    engine.dispose()
    return result


def test_failing_migration_leaves_previous_revision_and_rows(any_db_url: str, failing_scripts: Path) -> None:
    make_web_database(any_db_url, "d24a4742aa81")
    migrate.upgrade(any_db_url, target=HEAD)
    counts, schema = row_counts(any_db_url), _schema(any_db_url)

    if any_db_url.startswith("mysql"):
        _interrupted_then_restored(any_db_url)
    else:
        with pytest.raises(MigrationError, match="left unchanged"):
            migrate.upgrade(any_db_url)

    assert migrate.status(any_db_url).current == HEAD
    assert row_counts(any_db_url) == counts
    assert _schema(any_db_url) == schema
    assert "halfway" not in schema


def _interrupted_then_restored(url: str) -> None:
    """MariaDB commits each DDL statement: the failure leaves real changes behind. The database is then
    refused everywhere, naming the backup; `clinicdesk db restore` of that backup recovers it."""
    with pytest.raises(MigrationInterruptedError, match="clinicdesk db restore") as caught:
        migrate.upgrade(url)
    assert "halfway" in _schema(url)  # the half-done change is real
    made = [
        b
        for b in list_backups(backup.backups_folder())
        if b.reason == "before-upgrade" and b.revision == HEAD
    ]
    assert len(made) == 1 and str(made[0].path) in caught.value.message
    for refused in (migrate.status, migrate.upgrade, startup.inspect, startup.run_startup_upgrade):
        with pytest.raises(MigrationInterruptedError, match=str(made[0].path)):
            refused(url)
    assert main(["db", "restore", str(made[0].path), "--yes", "--database-url", url]) == 0
    assert "halfway" not in _schema(url)


@pytest.mark.mariadb
def test_a_mariadb_migration_makes_one_backup_not_two(mariadb_url: str) -> None:
    """MariaDB migrates only after a verified backup; the caller's is that backup, not a second one."""
    make_web_database(mariadb_url, "d24a4742aa81")
    startup.run_startup_upgrade(mariadb_url)
    service = MaintenanceService.local(mariadb_url, "test")
    service.downgrade(target="d24a4742aa81")
    service.upgrade()
    reasons = sorted(b.reason for b in list_backups(backup.backups_folder()))
    assert reasons == ["before-downgrade", "before-upgrade", "before-upgrade"]
    assert migrate.status(mariadb_url).at_head


def test_failure_in_first_step_of_several_rolls_back_all(sqlite_url: str, failing_scripts: Path) -> None:
    make_web_database(sqlite_url, "a8b9ec836410")
    with pytest.raises(MigrationError):
        migrate.upgrade(sqlite_url)
    assert migrate.status(sqlite_url).current == "a8b9ec836410"
    assert row_counts(sqlite_url)["medicalrecord"] == 3


def _stamp(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")
    engine.dispose()


def test_newer_database_is_refused_and_not_modified(sqlite_url: str, tmp_path: Path) -> None:
    migrate.upgrade(sqlite_url)
    _stamp(sqlite_url, "9999aaaabbbb")
    path = tmp_path / "clinic.db"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    status = migrate.status(sqlite_url)
    assert status.is_too_new and status.current == "9999aaaabbbb"
    with pytest.raises(DatabaseTooNewError, match="newer version of ClinicDesk"):
        migrate.upgrade(sqlite_url)
    with pytest.raises(DatabaseTooNewError):
        migrate.downgrade(sqlite_url, "base")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


@pytest.mark.postgres
def test_newer_database_is_refused_on_postgres(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    _stamp(postgres_url, "9999aaaabbbb")
    with pytest.raises(DatabaseTooNewError):
        migrate.upgrade(postgres_url)
    assert _schema(postgres_url)["user"].count("role") == 1


def test_downgrade_to_unknown_revision_is_refused(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    with pytest.raises(MigrationError, match="no revision"):
        migrate.downgrade(sqlite_url, "123456789abc")
    assert migrate.status(sqlite_url).current == HEAD


def test_failed_migration_from_the_cli_is_one_line_and_the_log_keeps_the_traceback(
    sqlite_url: str, failing_scripts: Path, data_dir: Path
) -> None:
    migrate.upgrade(sqlite_url, target=HEAD)
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "db", "migrate", "--database-url", sqlite_url],
        cwd=Path(__file__).resolve().parents[2],
        env=dict(os.environ, NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line
    assert result.stderr.startswith("error: The database upgrade failed") and "Traceback" not in result.stderr
    assert "Traceback" in (data_dir / "logs" / "clinicdesk.log").read_text(encoding="utf-8")
    assert migrate.status(sqlite_url).current == HEAD
