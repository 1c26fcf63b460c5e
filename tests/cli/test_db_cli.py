"""``clinicdesk db ...`` through a real subprocess: exit codes and output."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "desktop", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_status_of_new_database_then_init(sqlite_url: str, tmp_path: Path) -> None:
    status = run("status", "--database-url", sqlite_url)
    assert status.returncode == 0, status.stderr
    assert str(tmp_path / "clinic.db") in status.stdout
    assert "does not exist yet" in status.stdout and "pending: 5" in status.stdout
    assert f"head:     {HEAD}" in status.stdout

    init = run("init", "--database-url", sqlite_url)
    assert init.returncode == 0, init.stderr
    assert "[1/5] upgrade a8b9ec836410" in init.stdout and f"Created the database at {HEAD}" in init.stdout

    status = run("status", "--database-url", sqlite_url)
    assert f"current:  {HEAD}" in status.stdout and "pending: 0" in status.stdout

    again = run("init", "--database-url", sqlite_url)
    assert again.returncode == 0 and "already exists" in again.stdout


def test_database_url_also_accepted_before_db(sqlite_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--database-url", sqlite_url, "db", "status"],
        cwd=ROOT,
        env=dict(os.environ, NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "pending: 5" in result.stdout


def test_environment_variable_is_honoured(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINICDESK_DATABASE_URL", sqlite_url)
    assert run("init").returncode == 0
    assert "pending: 0" in run("status").stdout


def test_migrate_history_downgrade_with_backups(sqlite_url: str, data_dir: Path) -> None:
    make_web_database(sqlite_url, "a8b9ec836410")
    history = run("history", "--database-url", sqlite_url)
    assert history.returncode == 0
    lines = history.stdout.splitlines()
    assert lines[0].startswith(f"{HEAD}  pending") and "(head)" in lines[0]
    assert lines[4].startswith("a8b9ec836410  applied") and "(current)" in lines[4]

    migrated = run("migrate", "--database-url", sqlite_url)
    assert migrated.returncode == 0, migrated.stderr
    assert "[2/4] upgrade c7e5d1f0a9b3" in migrated.stdout and "Backup saved and verified" in migrated.stdout
    assert row_counts(sqlite_url)["medicalrecord"] == 3

    # Without a terminal and without --yes a downgrade is refused and changes nothing.
    refused = run("downgrade", "d24a4742aa81", "--database-url", sqlite_url)
    assert refused.returncode == 2 and "not confirmed" in refused.stderr
    assert "the audit log" in refused.stdout
    down = run("downgrade", "d24a4742aa81", "--yes", "--database-url", sqlite_url)
    assert down.returncode == 0, down.stderr
    assert "Downgraded to d24a4742aa81" in down.stdout
    names = sorted(p.name for p in (data_dir / "backups").iterdir())
    assert any("a8b9ec836410-before-upgrade" in n for n in names)
    assert any(f"{HEAD}-before-downgrade" in n for n in names)

    base = run("downgrade", "base", "--database-url", sqlite_url)
    assert base.returncode == 2 and "pass --yes" in base.stderr
    assert run("downgrade", "base", "--yes", "--database-url", sqlite_url).returncode == 0
    assert "current:  none" in run("status", "--database-url", sqlite_url).stdout


def test_backup_restore_and_check(sqlite_url: str) -> None:
    make_web_database(sqlite_url, "d24a4742aa81")
    assert run("migrate", "--database-url", sqlite_url).returncode == 0
    backup = run("backup", "--database-url", sqlite_url)
    assert backup.returncode == 0
    backup_file = backup.stdout.strip().split("Backup saved and verified: ", 1)[1]

    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM medicalrecord")
    engine.dispose()

    assert run("restore", backup_file, "--database-url", sqlite_url).returncode == 2
    restored = run("restore", backup_file, "--yes", "--database-url", sqlite_url)
    assert restored.returncode == 0, restored.stderr
    assert row_counts(sqlite_url)["medicalrecord"] == 3

    check = run("check", "--database-url", sqlite_url)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "integrity_check: ok" in check.stdout and "drift against the models: none" in check.stdout
    assert "schema fingerprint: matches" in check.stdout

    fingerprint = run("fingerprint", "--database-url", sqlite_url)
    assert fingerprint.returncode == 0 and "fingerprint: matches" in fingerprint.stdout


def test_check_and_fingerprint_fail_on_hand_made_change(sqlite_url: str) -> None:
    assert run("init", "--database-url", sqlite_url).returncode == 0
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_session_user_id")
    engine.dispose()
    check = run("check", "--database-url", sqlite_url)
    assert check.returncode == 1
    assert "missing index ix_session_user_id on session" in check.stdout
    assert "index ix_session_user_id on session is missing" in check.stdout
    assert check.stderr.strip().splitlines() == ["error: the check found problems (see above)"]
    fingerprint = run("fingerprint", "--database-url", sqlite_url)
    assert fingerprint.returncode == 1 and "differs" in fingerprint.stderr


def test_errors_are_one_line_with_non_zero_exit(sqlite_url: str, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_text("hello")
    restore = run("restore", str(bogus), "--yes", "--database-url", sqlite_url)
    assert restore.returncode == 2  # refused: nothing was changed
    assert restore.stderr.strip().splitlines() == [
        "error: bogus.db cannot be restored: it is not a ClinicDesk database backup. Nothing was changed."
    ]

    assert run("init", "--database-url", sqlite_url).returncode == 0
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    engine.dispose()
    too_new = run("migrate", "--database-url", sqlite_url)
    assert too_new.returncode == 2
    assert len(too_new.stderr.strip().splitlines()) == 1 and "newer version of ClinicDesk" in too_new.stderr
    status = run("status", "--database-url", sqlite_url)
    assert status.returncode == 2 and "NEWER" in status.stdout


def test_colour_only_on_a_terminal(sqlite_url: str) -> None:
    piped = run("status", "--database-url", sqlite_url)
    assert "\033[" not in piped.stdout


@pytest.mark.postgres
def test_status_and_migrate_on_postgres(postgres_url: str) -> None:
    assert "pending: 5" in run("status", "--database-url", postgres_url).stdout
    migrated = run("migrate", "--database-url", postgres_url)
    assert migrated.returncode == 0, migrated.stderr
    status = run("status", "--database-url", postgres_url)
    assert "pending: 0" in status.stdout and "PostgreSQL" in status.stdout
    check = run("check", "--database-url", postgres_url)
    assert check.returncode == 0, check.stdout + check.stderr


# --------------------------------------------------------------------------- the wrong file


def _foreign(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("CREATE TABLE prefs (name TEXT, value TEXT)")
    conn.execute("INSERT INTO prefs VALUES ('a', 'b')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["migrate"],
        ["init"],
        ["history"],
        ["backup"],
        ["check"],
        ["fingerprint"],
        ["downgrade", "--yes"],
        ["restore", "--yes", "BACKUP"],
    ],
    ids=lambda c: c[0],
)
def test_every_command_refuses_another_programs_file(
    command: list[str], sqlite_url: str, tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "clinic.db"
    before = _foreign(path)
    if "BACKUP" in command:
        assert run("init", "--database-url", f"sqlite:///{tmp_path / 'other.db'}").returncode == 0
        made = run("backup", "--database-url", f"sqlite:///{tmp_path / 'other.db'}")
        command = [c if c != "BACKUP" else made.stdout.split("verified: ", 1)[1].strip() for c in command]
    result = run(*command, "--database-url", sqlite_url)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not a ClinicDesk database" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("clinic.db-*"))  # no -wal / -journal either


def test_a_zero_length_file_counts_as_new(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "clinic.db").write_bytes(b"")
    assert "pending: 5" in run("status", "--database-url", sqlite_url).stdout
    assert run("migrate", "--database-url", sqlite_url).returncode == 0
    assert "pending: 0" in run("status", "--database-url", sqlite_url).stdout


def _rollback_journal_database(url: str) -> Path:
    """A ClinicDesk database in rollback-journal mode, as a restored backup is: switching it to WAL
    would change header bytes 18-19."""
    make_web_database(url, "d24a4742aa81")
    assert run("migrate", "--database-url", url).returncode == 0
    path = Path(url.split(":///", 1)[1])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


def test_reading_commands_leave_the_file_byte_identical(sqlite_url: str) -> None:
    path = _rollback_journal_database(sqlite_url)
    before = path.read_bytes()
    assert before[18:20] == b"\x01\x01"  # not WAL
    for command in ("status", "history", "fingerprint", "check"):
        result = run(command, "--database-url", sqlite_url)
        assert result.returncode == 0, result.stdout + result.stderr
        assert path.read_bytes() == before, command  # no WAL switch, no audit row


def test_check_of_a_damaged_database_prints_one_error_and_no_audit_noise(sqlite_url: str) -> None:
    path = _rollback_journal_database(sqlite_url)
    conn = sqlite3.connect(path)
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'medicalrecord'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek(size * (page - 1))
        handle.write(os.urandom(size))
    check = run("check", "--database-url", sqlite_url)
    assert check.returncode == 1
    assert check.stderr.strip().splitlines() == ["error: the check found problems (see above)"]
    assert "audit" not in check.stdout + check.stderr
    status = run("status", "--database-url", sqlite_url)
    backup = run("backup", "--database-url", sqlite_url)
    assert backup.returncode != 0 and "Backup saved" not in backup.stdout and "Traceback" not in backup.stderr
    assert status.returncode in (0, 2) and "Traceback" not in status.stderr


# --------------------------------------------------------------------------- errors a person can act on


def _stamp_unknown(url: str) -> None:
    assert run("init", "--database-url", url).returncode == 0
    conn = sqlite3.connect(Path(url.split(":///", 1)[1]))
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()


def test_unknown_newer_revision_is_refused_by_every_command_without_a_traceback(sqlite_url: str) -> None:
    _stamp_unknown(sqlite_url)
    down = run("downgrade", "--yes", "--database-url", sqlite_url)
    assert down.returncode == 2 and "newer version" in down.stderr and "Traceback" not in down.stderr
    check = run("check", "--database-url", sqlite_url)
    assert (
        check.returncode == 1 and "check: ok" not in check.stdout.splitlines() and "unknown" in check.stdout
    )
    assert "could not write" not in check.stdout + check.stderr
    fingerprint = run("fingerprint", "--database-url", sqlite_url)
    assert fingerprint.returncode == 1 and "Traceback" not in fingerprint.stderr


def test_fingerprint_of_a_non_database_is_one_line(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "clinic.db").write_text("not a database at all " * 50)
    result = run("fingerprint", "--database-url", sqlite_url)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_check_of_an_older_revision_with_an_altered_schema_is_not_ok(sqlite_url: str) -> None:
    make_web_database(sqlite_url, "d24a4742aa81")
    conn = sqlite3.connect(Path(sqlite_url.split(":///", 1)[1]))
    conn.execute('ALTER TABLE "user" ADD COLUMN nickname TEXT')
    conn.commit()
    conn.close()
    check = run("check", "--database-url", sqlite_url)
    assert check.returncode == 1 and "check: ok" not in check.stdout.splitlines()
    assert "DIFFERS" in check.stdout and "nickname" in check.stdout


def test_a_read_only_data_folder_is_a_message(sqlite_url: str, tmp_path: Path) -> None:
    assert run("init", "--database-url", sqlite_url).returncode == 0
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    env = dict(os.environ, NO_COLOR="1", CLINICDESK_DATA_DIR=str(blocker / "data"))
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "db", "backup", "--database-url", sqlite_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "backups folder cannot be created" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_the_exit_codes_and_the_backups() -> None:
    result = run("--help")
    assert result.returncode == 0
    for line in ("exit codes:", "  2    refused", "  3    unexpected error", "CLINICDESK_BACKUP_MIRROR_DIR"):
        assert line in result.stdout
