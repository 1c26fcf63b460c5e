"""Real processes: SIGKILL in the middle of an upgrade, and two copies starting on one fresh database."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db import backup, integrity, migrate
from desktop.db.backup_catalog import list_backups
from tests.fixtures.web_database import ALICE, make_web_database, row_counts
from tests.revisions import HEAD

ROOT = Path(__file__).resolve().parents[2]
ROWS = 50_000

# The child announces where it is from inside SQLAlchemy, so the parent can kill it at a precise point
# of revision c7e5d1f0a9b3 without sleeping: while the index over the 50k medical records is being
# built, and after the batch copy of "user" into its new table (old table not yet dropped).
UPGRADE_CHILD = """
import sys
from sqlalchemy import Engine, event
from desktop.db import migrate

def before(conn, cursor, statement, params, context, executemany):
    if statement.startswith("CREATE INDEX ix_medicalrecord_user_id"):
        print("index-start", flush=True)

def after(conn, cursor, statement, params, context, executemany):
    if statement.startswith("INSERT INTO _alembic_tmp_user"):
        print("user-copied", flush=True)
        sys.stdin.readline()  # hold here until killed

event.listen(Engine, "before_cursor_execute", before)
event.listen(Engine, "after_cursor_execute", after)
migrate.upgrade(sys.argv[1])
print("finished", flush=True)
"""

STARTUP_CHILD = """
import sys
from desktop.services.startup import inspect, run_startup_upgrade
url = sys.argv[1]
sys.stdin.readline()  # start together
result = run_startup_upgrade(url, on_wait=lambda m: print("waiting", flush=True))
print("changed" if result.migration.changed else "unchanged", inspect(url).state.value, flush=True)
"""


@pytest.fixture(scope="module")
def big_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A web-made database at d24a4742aa81 with 50k medical records (built once, copied per test)."""
    folder = tmp_path_factory.mktemp("big")
    path = folder / "big.db"
    make_web_database(f"sqlite:///{path}", "d24a4742aa81")
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO medicalrecord (user_id, date, type, result, doctor, notes, status, status_color, created_at)"
        " VALUES (?, '2024-01-01', 'Blood test', 'ok', 'Dr A', ?, 'pending', '#f59e0b', '2024-01-01 00:00:00')",
        ((ALICE, f"note {i}") for i in range(ROWS - 3)),
    )
    conn.commit()
    conn.close()
    return path


def _child_env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["index-start", "user-copied"])
def test_sigkill_mid_upgrade_then_restart(big_database: Path, tmp_path: Path, kill_at: str) -> None:
    path = tmp_path / "clinic.db"
    shutil.copy(big_database, path)
    url = f"sqlite:///{path}"
    expected = row_counts(url)
    assert expected["medicalrecord"] == ROWS

    child = subprocess.Popen(
        [sys.executable, "-c", UPGRADE_CHILD, url],
        cwd=ROOT,
        env=_child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    seen = []
    try:
        for line in child.stdout:
            seen.append(line.strip())
            if line.strip() == kill_at:
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, seen
    assert "finished" not in seen

    # After the crash: the old revision with every row, or the new one with every row.
    current = migrate.status(url).current
    assert current in ("d24a4742aa81", HEAD)
    assert row_counts(url) == expected
    assert integrity.integrity_check(url).ok

    # The restart finishes the job.
    migrate.upgrade(url)
    assert migrate.status(url).current == HEAD
    assert row_counts(url) == expected
    assert integrity.integrity_check(url).ok
    assert migrate.drift(url) == []


def _audit_migrations(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT COUNT(*) FROM auditlog WHERE action = 'migration'")).scalar_one()
    engine.dispose()
    return int(count)


@pytest.mark.slow
def test_two_copies_start_on_one_fresh_database(any_db_url: str) -> None:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", STARTUP_CHILD, any_db_url],
            cwd=ROOT,
            env=_child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for child in children:  # both are running before either may start
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    finals = [out.strip().splitlines()[-1] for out, _ in outputs]
    assert sorted(finals) == ["changed at_head", "unchanged at_head"], outputs
    assert migrate.status(any_db_url).current == HEAD
    assert _audit_migrations(any_db_url) == 1
    if any_db_url.startswith("sqlite"):
        assert integrity.integrity_check(any_db_url).ok


# The child pauses a backup after the copy was written to its .partial name, before verification, and
# waits there to be killed.
BACKUP_CHILD = """
import sys
from desktop.db import backup

real_verify = backup.verify_sqlite_copy

def paused(copy, facts):
    print("copied", flush=True)
    sys.stdin.readline()  # hold here until killed
    return real_verify(copy, facts)

backup.verify_sqlite_copy = paused
backup.backup(sys.argv[1])
"""


def test_sigkill_mid_backup_leaves_nothing_the_next_backup_keeps(big_database: Path, tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    shutil.copy(big_database, db)
    url = f"sqlite:///{db}"
    child = subprocess.Popen(
        [sys.executable, "-c", BACKUP_CHILD, url],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "copied"
    folder = backup.backups_folder()
    assert len(list(folder.glob("*.partial"))) == 1  # the killed backup's half
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert list_backups(folder) == []  # never reported, never listed
    made = backup.backup(url)
    assert made.made
    assert not list(folder.glob("*.partial"))
    assert [b.path for b in list_backups(folder)] == [made.path]
