"""Connection set-up: the pragmas every SQLite connection gets, including on a file being created."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db.engine import make_engine, raw_sqlite_execute


def test_connections_get_foreign_keys_wal_and_full_sync(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect() as conn:
        assert raw_sqlite_execute(conn, "PRAGMA foreign_keys") == [(1,)]
        assert raw_sqlite_execute(conn, "PRAGMA journal_mode") == [("wal",)]
        assert raw_sqlite_execute(conn, "PRAGMA synchronous") == [(2,)]


def test_switching_to_wal_waits_for_a_writer_instead_of_failing(tmp_path: Path) -> None:
    """A second copy opening a new file while the first holds its write lock (two copies started
    together): SQLite refuses the WAL switch at once, without its busy handler; we wait instead."""
    path = tmp_path / "new.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x)")  # still a rollback-journal file
    writer.execute("BEGIN IMMEDIATE")  # RESERVED lock, as a migrating copy holds
    writer.execute("INSERT INTO t VALUES (1)")
    release = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    release.start()
    try:
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            assert raw_sqlite_execute(conn, "PRAGMA journal_mode") == [("wal",)]
            assert raw_sqlite_execute(conn, "SELECT x FROM t") == [(1,)]
    finally:
        release.join()
        writer.close()


def test_sqlite_busy_timeout_is_ten_seconds(sqlite_url: str) -> None:
    """Another desktop's write may hold the lock for a few seconds; the value is part of the contract."""
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    finally:
        engine.dispose()


def test_read_only_engine_never_changes_the_file(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    engine.dispose()
    path = Path(sqlite_url.split(":///", 1)[1])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    before = path.read_bytes()
    reader = make_engine(sqlite_url, read_only=True)
    try:
        with reader.connect() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM t").scalar() == 0
            with pytest.raises(sa.exc.OperationalError, match="readonly"):
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    finally:
        reader.dispose()
    assert path.read_bytes() == before
