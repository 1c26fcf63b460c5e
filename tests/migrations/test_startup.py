"""The start-up decision and the start-up upgrade (Qt-free), on real files and a real server."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db import migrate
from desktop.domain.errors import DatabaseTooNewError
from desktop.services.startup import (
    StartupState,
    StartupUpgradeError,
    inspect,
    quarantine_corrupt,
    run_startup_upgrade,
)
from tests.fixtures.web_database import make_web_database, row_counts
from tests.migrations.test_failures import failing_scripts  # noqa: F401  (fixture)
from tests.revisions import HEAD


def _audit_rows(url: str) -> list[tuple[str, str, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, actor, summary FROM auditlog ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_missing_database_is_created_at_head(any_db_url: str, data_dir: Path) -> None:
    check = inspect(any_db_url)
    assert check.state is StartupState.MISSING
    steps = []
    result = run_startup_upgrade(any_db_url, progress=steps.append)
    assert not result.backup.made and result.migration.after == HEAD
    assert [s.revision for s in steps if s.done] == [
        "a8b9ec836410",
        "d24a4742aa81",
        "c7e5d1f0a9b3",
        "e4b7a2c9d5f1",
        HEAD,
    ]
    assert inspect(any_db_url).state is StartupState.AT_HEAD
    assert [r[0] for r in _audit_rows(any_db_url)] == ["migration"]


def test_behind_database_is_backed_up_then_upgraded(sqlite_url: str, data_dir: Path) -> None:
    make_web_database(sqlite_url, "a8b9ec836410")
    check = inspect(sqlite_url)
    assert check.state is StartupState.BEHIND and check.current == "a8b9ec836410"
    assert [r.revision for r in check.pending] == ["d24a4742aa81", "c7e5d1f0a9b3", "e4b7a2c9d5f1", HEAD]
    result = run_startup_upgrade(sqlite_url)
    assert result.backup.made and "a8b9ec836410-before-upgrade" in result.backup.path.name
    assert row_counts(f"sqlite:///{result.backup.path}")["medicalrecord"] == 3
    assert inspect(sqlite_url).state is StartupState.AT_HEAD
    ((action, actor, summary),) = _audit_rows(sqlite_url)
    assert action == "migration" and actor == "system" and f"a8b9ec836410 -> {HEAD}" in summary


def test_at_head_check_does_not_import_alembic(sqlite_url: str) -> None:
    import subprocess
    import sys

    migrate.upgrade(sqlite_url)
    code = (
        "import sys; from desktop.services.startup import inspect; "
        f"c = inspect({sqlite_url!r}); "
        "print(c.state.value, 'alembic' in sys.modules, 'sqlalchemy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.split() == ["at_head", "False", "False"]


def test_too_new_database_is_refused_untouched(sqlite_url: str, tmp_path: Path) -> None:
    migrate.upgrade(sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0123456789ab'")
    engine.dispose()
    before = (tmp_path / "clinic.db").read_bytes()
    check = inspect(sqlite_url)
    assert check.state is StartupState.TOO_NEW and "newer version" in check.message
    with pytest.raises(DatabaseTooNewError):
        run_startup_upgrade(sqlite_url)
    assert (tmp_path / "clinic.db").read_bytes()[100:] == before[100:]


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database" * 40, b"SQLite format 3\x00" + b"\x00\xff" * 4000],
    ids=["text", "garbage-after-header"],
)
def test_corrupt_file_is_reported_and_quarantined(sqlite_url: str, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "clinic.db"
    path.write_bytes(content)
    (tmp_path / "clinic.db-wal").write_bytes(b"old wal")
    check = inspect(sqlite_url)
    assert check.state is StartupState.NOT_A_DATABASE
    assert "not a database" in check.message or "cannot be read" in check.message

    kept = quarantine_corrupt(path)
    assert kept.read_bytes() == content and not path.exists()
    assert Path(str(kept) + "-wal").read_bytes() == b"old wal"
    assert inspect(sqlite_url).state is StartupState.MISSING
    run_startup_upgrade(sqlite_url)
    assert inspect(sqlite_url).state is StartupState.AT_HEAD
    assert kept.exists()


def test_damaged_pages_are_reported(sqlite_url: str, tmp_path: Path) -> None:
    migrate.upgrade(sqlite_url)
    path = tmp_path / "clinic.db"
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x00\x03"  # page size 3: an invalid header
    path.write_bytes(bytes(data))
    assert inspect(sqlite_url).state is StartupState.NOT_A_DATABASE


def test_someone_elses_sqlite_file_is_not_ours(sqlite_url: str, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "clinic.db")
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    check = inspect(sqlite_url)
    assert check.state is StartupState.NOT_A_DATABASE and "not a ClinicDesk database" in check.message


def test_fingerprint_mismatch_is_a_warning(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    assert inspect(sqlite_url, check_fingerprint=True).state is StartupState.AT_HEAD
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE user ADD COLUMN nickname VARCHAR")
    engine.dispose()
    check = inspect(sqlite_url, check_fingerprint=True)
    assert check.state is StartupState.FINGERPRINT_MISMATCH
    assert "Database tools" in check.message
    assert check.differences == ("column user.nickname is not part of this schema",)


def test_failed_startup_upgrade_names_backup_and_log(sqlite_url: str, failing_scripts: Path) -> None:  # noqa: F811
    make_web_database(sqlite_url, "d24a4742aa81")
    with pytest.raises(StartupUpgradeError) as caught:
        run_startup_upgrade(sqlite_url)
    error = caught.value
    assert error.backup_path is not None and error.backup_path.exists()
    assert str(error.backup_path) in error.message and "clinicdesk.log" in error.message
    assert "left unchanged" in error.message
    assert migrate.status(sqlite_url).current == "d24a4742aa81"
    assert row_counts(sqlite_url)["medicalrecord"] == 3


@pytest.mark.postgres
def test_postgres_startup_states(postgres_url: str) -> None:
    assert inspect(postgres_url).state is StartupState.MISSING
    make_web_database(postgres_url, "a8b9ec836410")
    assert inspect(postgres_url).state is StartupState.BEHIND
    run_startup_upgrade(postgres_url)
    assert inspect(postgres_url, check_fingerprint=True).state is StartupState.AT_HEAD


def test_verified_fingerprint_is_remembered_until_the_schema_changes(sqlite_url: str, data_dir: Path) -> None:
    import subprocess
    import sys

    migrate.upgrade(sqlite_url)
    assert inspect(sqlite_url, check_fingerprint=True).state is StartupState.AT_HEAD
    assert (data_dir / "schema-verified.json").exists()
    # A second start skips the reflection: SQLAlchemy is not even imported.
    code = (
        "import sys; from desktop.services.startup import inspect; "
        f"c = inspect({sqlite_url!r}, check_fingerprint=True); print(c.state.value, 'sqlalchemy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.split() == ["at_head", "False"]
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE INDEX ix_sneaky ON medicalrecord (date)")
    engine.dispose()
    check = inspect(sqlite_url, check_fingerprint=True)
    assert check.state is StartupState.FINGERPRINT_MISMATCH
    assert check.differences == ("index ix_sneaky on medicalrecord is not part of this schema",)
