"""Backups, restore and integrity checks on real files (and a real PostgreSQL server with pg_dump)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db import backup, integrity, migrate
from desktop.db import restore as restoring
from desktop.db.backup_catalog import list_backups
from desktop.db.engine import make_engine
from desktop.domain.errors import DatabaseError
from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD


@pytest.fixture
def clinic(sqlite_url: str) -> str:
    make_web_database(sqlite_url, "d24a4742aa81")
    migrate.upgrade(sqlite_url)
    return sqlite_url


def test_backup_restore_round_trip(clinic: str, data_dir: Path) -> None:
    made = backup.backup(clinic, reason="manual")
    assert made.made and made.path is not None and made.path.parent == data_dir / "backups"
    assert HEAD in made.path.name
    before = row_counts(clinic)

    engine = make_engine(clinic)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM medicalrecord")
        conn.exec_driver_sql("DELETE FROM familyhistory")
    engine.dispose()
    assert row_counts(clinic)["medicalrecord"] == 0

    safety = restoring.restore(made.path, clinic)
    assert safety.made and "before-restore" in safety.path.name
    assert row_counts(clinic) == before
    assert integrity.integrity_check(clinic).ok
    # The safety copy holds the state that was replaced.
    assert row_counts(f"sqlite:///{safety.path}")["medicalrecord"] == 0
    assert migrate.status(clinic).current == HEAD


def test_backup_is_a_single_file_and_listed_newest_first(clinic: str) -> None:
    first = backup.backup(clinic, reason="before upgrade")
    second = backup.backup(clinic)
    listed = list_backups(backup.backups_folder())
    assert [b.path for b in listed] == [second.path, first.path]
    assert listed[1].reason == "before-upgrade" and listed[0].revision == HEAD
    restoring.validate_backup(first.path)
    files = sorted(p.name for p in first.path.parent.iterdir())
    made = [first.path.name, second.path.name]
    assert files == sorted(made + [name + ".json" for name in made])  # each backup and its sidecar


def test_backup_of_missing_database_says_so(sqlite_url: str) -> None:
    result = backup.backup(sqlite_url)
    assert not result.made and "nothing" in result.message


def test_restore_refuses_files_that_are_not_clinicdesk_databases(clinic: str, tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database at all")
    with pytest.raises(DatabaseError, match="not a ClinicDesk database"):
        restoring.restore(text, clinic)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not a ClinicDesk database"):
        restoring.restore(other, clinic)
    assert row_counts(clinic)["user"] == 2


def test_restore_removes_stale_wal(clinic: str, tmp_path: Path) -> None:
    made = backup.backup(clinic)
    db_file = tmp_path / "clinic.db"
    (tmp_path / "clinic.db-wal").write_bytes(b"stale")
    restoring.restore(made.path, clinic)
    assert not (tmp_path / "clinic.db-wal").exists()
    assert integrity.integrity_check(f"sqlite:///{db_file}").ok


def test_integrity_check_reports_dangling_rows(clinic: str, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "clinic.db")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("UPDATE medicalrecord SET user_id = 'ghost' WHERE id = 1")
    conn.commit()
    conn.close()
    report = integrity.integrity_check(clinic)
    assert not report.ok
    assert report.quick_check == ("ok",)
    assert report.foreign_key_check == ("table medicalrecord row 1 points at a missing row in user",)
    assert any("1 problem" in line for line in report.lines())


def test_integrity_check_of_damaged_file(clinic: str, tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # overwrite a b-tree page
    path.write_bytes(bytes(data))
    assert not integrity.integrity_check(clinic).ok


@pytest.mark.postgres
def test_postgres_backup_with_pg_dump(postgres_url: str) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    migrate.upgrade(postgres_url)
    result = backup.backup(postgres_url, reason="before-upgrade")
    assert result.made and result.path.suffix == ".dump" and result.path.stat().st_size > 1000
    assert result.path.read_bytes().startswith(b"PGDMP")


@pytest.mark.postgres
def test_postgres_backup_without_pg_dump_is_plain_result(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    migrate.upgrade(postgres_url)
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where pg_dump does not exist
    result = backup.backup(postgres_url)
    assert not result.made and "client tools" in result.message
    assert integrity.integrity_check(postgres_url).applicable is False


def test_postgres_restore_refuses_a_file_that_is_not_a_server_backup(clinic: str, tmp_path: Path) -> None:
    """Checked before any connection: a SQLite backup (or a missing file) never reaches pg_restore."""
    made = backup.backup(clinic)
    for file in (made.path, tmp_path / "x.dump"):
        with pytest.raises(DatabaseError, match=r"only a \.dump file made by ClinicDesk"):
            restoring.restore(file, "postgresql+psycopg://u@localhost:1/db")


def test_engine_level_restore_keeps_rows_readable(clinic: str) -> None:
    made = backup.backup(clinic)
    restoring.restore(made.path, clinic)
    engine = make_engine(clinic)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM medicalrecord")).scalar_one() == 3
    engine.dispose()


def test_restore_refuses_a_backup_from_a_newer_version(clinic: str, tmp_path: Path) -> None:
    from desktop.domain.errors import DatabaseTooNewError

    made = backup.backup(clinic)
    conn = sqlite3.connect(made.path)
    conn.execute("UPDATE alembic_version SET version_num = 'feedfacecafe'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseTooNewError, match="newer version"):
        restoring.restore(made.path, clinic)
    assert migrate.status(clinic).current == HEAD
