"""MariaDB backups with mariadb-dump and restores with the mariadb client, on the real server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db import backup, migrate, mysql_dump, restore
from desktop.db.backup_catalog import list_backups, read_info
from desktop.db.engine import make_engine
from desktop.db.restore import BackupRefusedError
from desktop.domain.errors import DatabaseError, DatabaseTooNewError
from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD

pytestmark = pytest.mark.mariadb


@pytest.fixture(autouse=True)
def client_tools() -> None:
    if mysql_dump.dump_tool() is None or mysql_dump.client_tool() is None:
        if os.environ.get("CI"):
            raise RuntimeError("the MariaDB client tools must be installed in CI")
        pytest.skip("mariadb-dump / mariadb not installed")


def test_backup_is_a_verified_single_transaction_dump(mariadb_url: str) -> None:
    make_web_database(mariadb_url, "d24a4742aa81")
    migrate.upgrade(mariadb_url)
    made = backup.backup(mariadb_url, reason="manual")
    assert made.made and made.path is not None and made.path.suffix == ".sql"
    assert (made.path.stat().st_mode & 0o777) == 0o600
    assert mysql_dump.validate_dump(made.path) == HEAD
    assert restore.validate_backup(made.path) == HEAD
    listed = {b.reason: b for b in list_backups(made.path.parent)}  # the upgrade made one first
    assert listed["before-upgrade"].revision == "d24a4742aa81"
    info = listed["manual"]
    assert info.path == made.path and info.revision == HEAD
    assert info.verified and info.counts["alembic_version"] == 1
    # The patients' search words are derived from their names: not one of the fixture's tables.
    derived = ("alembic_version", "patientsearchtoken")
    assert {t: n for t, n in info.counts.items() if n and t not in derived} == row_counts(mariadb_url)
    assert read_info(made.path) == info
    assert not list(made.path.parent.glob("*.partial"))


def test_restore_an_older_backup_over_an_upgraded_database(mariadb_url: str) -> None:
    make_web_database(mariadb_url, "d24a4742aa81")
    older = backup.backup(mariadb_url, reason="manual")
    counts = row_counts(mariadb_url)
    migrate.upgrade(mariadb_url)  # newer tables (auditlog, loginattempt) appear
    engine = make_engine(mariadb_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM medicalrecord")
    engine.dispose()

    assert older.path is not None
    assert main(["db", "restore", str(older.path), "--yes", "--database-url", mariadb_url]) == 0
    assert migrate.status(mariadb_url).current == "d24a4742aa81"
    assert row_counts(mariadb_url) == counts
    engine = make_engine(mariadb_url)
    with engine.connect() as conn:
        assert "auditlog" not in sa.inspect(conn).get_table_names()  # restored into an empty database
    engine.dispose()
    before_restore = [b for b in list_backups(backup.backups_folder()) if b.reason == "before-restore"]
    assert len(before_restore) == 1 and before_restore[0].revision == HEAD


def test_a_backup_from_a_newer_version_is_refused(mariadb_url: str, tmp_path: Path) -> None:
    migrate.upgrade(mariadb_url)
    made = backup.backup(mariadb_url)
    assert made.path is not None
    newer = tmp_path / "newer.sql"
    newer.write_text(made.path.read_text().replace(f"('{HEAD}')", "('9999aaaabbbb')"))
    with pytest.raises(DatabaseTooNewError, match="newer version"):
        restore.restore(newer, mariadb_url)
    assert migrate.status(mariadb_url).current == HEAD


def test_an_incomplete_dump_or_a_sqlite_file_is_refused(mariadb_url: str, tmp_path: Path) -> None:
    migrate.upgrade(mariadb_url)
    made = backup.backup(mariadb_url)
    assert made.path is not None
    cut = tmp_path / "cut.sql"
    text = made.path.read_text()
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(DatabaseError, match="incomplete"):
        restore.restore(cut, mariadb_url)
    sqlite_file = tmp_path / "local.db"
    migrate.upgrade(f"sqlite:///{sqlite_file}")
    with pytest.raises(DatabaseError, match=r"only a \.sql file made by ClinicDesk"):
        restore.restore(sqlite_file, mariadb_url)
    with pytest.raises(DatabaseError, match="only be restored into such a server"):
        restore.restore(made.path, f"sqlite:///{sqlite_file}")
    assert migrate.status(mariadb_url).current == HEAD


def test_missing_client_tools_are_said_plainly(
    mariadb_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    migrate.upgrade(mariadb_url)
    made = backup.backup(mariadb_url)
    assert made.path is not None
    monkeypatch.setenv("PATH", str(tmp_path))  # neither mariadb-dump nor mysqldump, mariadb nor mysql
    result = backup.backup(mariadb_url)
    assert not result.made and "client tools (mariadb-dump or mysqldump) are not installed" in result.message
    with pytest.raises(DatabaseError, match="needs the mariadb or mysql client program"):
        restore.restore(made.path, mariadb_url)
    # Without a backup a MariaDB migration would be unrecoverable if it failed: it is refused.
    with pytest.raises(DatabaseError, match="only after a backup"):
        migrate.downgrade(mariadb_url)
    assert migrate.status(mariadb_url).current == HEAD


def test_a_dump_with_two_revisions_is_refused(mariadb_url: str, tmp_path: Path) -> None:
    migrate.upgrade(mariadb_url)
    made = backup.backup(mariadb_url)
    assert made.path is not None
    doubled = tmp_path / "doubled.sql"
    doubled.write_text(made.path.read_text().replace(f"('{HEAD}')", f"('{HEAD}'),('d24a4742aa81')"))
    with pytest.raises(BackupRefusedError, match="several schema revisions"):
        restore.restore(doubled, mariadb_url)
    assert main(["db", "restore", str(doubled), "--yes", "--database-url", mariadb_url]) == 2
    assert migrate.status(mariadb_url).current == HEAD


def test_a_dump_that_lost_rows_is_deleted_not_saved(
    mariadb_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_web_database(mariadb_url, "d24a4742aa81")
    real = mysql_dump.dump_tool()
    assert real is not None
    # The real tool, then the medical records' rows dropped from its file: what a bad copy looks like.
    fake = tmp_path / "bin" / "mariadb-dump"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        f'"{real}" "$@" || exit $?\n'
        'for arg in "$@"; do case "$arg" in --result-file=*) out="${arg#--result-file=}";; esac; done\n'
        "sed -i '/^INSERT INTO `medicalrecord`/d' \"$out\"\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    with pytest.raises(DatabaseError, match="row counts differ in medicalrecord"):
        backup.backup(mariadb_url)
    folder = backup.backups_folder()
    assert not list(folder.glob("*.sql")) and not list(folder.glob("*.partial"))
