"""Connection set-up: the pragmas every SQLite connection gets, including on a file being created."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

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
