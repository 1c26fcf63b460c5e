"""Engine creation with the connection settings ClinicDesk relies on.

SQLite: every connection gets ``foreign_keys=ON``, ``journal_mode=WAL``, ``synchronous=FULL`` and a busy
timeout. pysqlite's own transaction handling is switched off and SQLAlchemy emits BEGIN itself (the
"Serializable isolation / Savepoints / Transactional DDL" recipe in SQLAlchemy's SQLite dialect docs),
so DDL in a migration is really transactional. A caller may ask for a different BEGIN (migrations use
``BEGIN IMMEDIATE`` to take the write lock up front) through :func:`set_begin_statement`.

PostgreSQL: ``pool_pre_ping`` so a connection dropped by a server restart is replaced, not reported.

MySQL / MariaDB: the same pool settings, plus per-connection session settings that make it behave
like the other two: utf8mb4, strict SQL mode (a too-long or invalid value is an error, never silently
truncated), UTC session time zone, InnoDB for new tables and READ COMMITTED (PostgreSQL's default, which
the optimistic-locking and lockout code is written for). Column types are in desktop/db/mysql_types.py.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from desktop.db import mysql_types  # noqa: F401  (registers the MySQL column types before any DDL)
from desktop.db.probe import open_sqlite_read_only
from desktop.paths import ensure_private_file

BUSY_TIMEOUT_MS = 10_000
_BEGIN_KEY = "clinicdesk_begin_statement"


#: Session settings of every MySQL / MariaDB connection (see module docstring). All modes exist on
#: both MariaDB 10.x and MySQL 8.
MYSQL_SQL_MODE = (
    "STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
)
MYSQL_BACKENDS = ("mysql", "mariadb")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_mysql(url: str) -> bool:
    """True for MySQL and MariaDB URLs (``mysql+pymysql://`` or ``mariadb+pymysql://``)."""
    return make_url(url).get_backend_name() in MYSQL_BACKENDS


def engine_label(url: str) -> str:
    """The engine's name as the maintainer knows it."""
    if is_sqlite(url):
        return "SQLite"
    return "MariaDB/MySQL" if is_mysql(url) else "PostgreSQL"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """An Engine for ``url`` with the pragmas / pool settings above.

    ``read_only=True`` (status, history, fingerprint, check) opens a SQLite file with
    ``file:...?mode=ro``: no WAL switch, no folder created, nothing written, and a file the user may
    only read can still be inspected. Other databases ignore it (reading there changes no file).
    """
    if is_sqlite(url):
        path = sqlite_path(url)
        if read_only and path is not None:
            return _read_only_sqlite_engine(url, path, **kwargs)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_privately(path)
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
        # One connection per checkout keeps file locks short and lets tests delete / replace the file.
        kwargs.setdefault("poolclass", NullPool)
        engine = create_engine(url, **kwargs)
        _install_sqlite_listeners(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 5)
    if is_mysql(url):
        kwargs.setdefault("isolation_level", "READ COMMITTED")
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("charset", "utf8mb4")
        kwargs["connect_args"].setdefault(
            "init_command",
            f"SET SESSION sql_mode='{MYSQL_SQL_MODE}', time_zone='+00:00', default_storage_engine='InnoDB'",
        )
    return create_engine(url, **kwargs)


def _create_privately(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask's mode, and gives its
    -wal, -shm and journal files the database file's mode). A folder this program may not write to is
    left for SQLite to refuse on connect, with the message callers already turn into plain words."""
    with contextlib.suppress(OSError):
        ensure_private_file(path)


def _read_only_sqlite_engine(url: str, path: Path, **kwargs: Any) -> Engine:
    kwargs.setdefault("poolclass", NullPool)
    engine = create_engine(url, creator=lambda: open_sqlite_read_only(path, BUSY_TIMEOUT_MS / 1000), **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, as for the others

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _install_sqlite_listeners(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            _ensure_wal(cursor)
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.info.pop(_BEGIN_KEY, "BEGIN"))


def _ensure_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL (a persistent setting) unless it already is.

    Switching needs an exclusive lock, and SQLite returns SQLITE_BUSY at once, without calling the busy
    handler, when another connection holds a RESERVED lock (its deadlock rule, sqlite.org/lockingv3.html).
    That happens when two copies of the app open a brand-new file together: one is already migrating
    it. So retry until the busy timeout; by then the other copy has made the file WAL.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def set_begin_statement(conn: Connection, statement: str) -> None:
    """Make the next transaction on ``conn`` start with ``statement`` (e.g. ``BEGIN IMMEDIATE``)."""
    conn.info[_BEGIN_KEY] = statement


def raw_sqlite_execute(conn: Connection, sql: str) -> list[tuple[Any, ...]]:
    """Run ``sql`` on the DBAPI connection outside any SQLAlchemy transaction.

    Needed for pragmas that are no-ops inside a transaction (``PRAGMA foreign_keys``): executing them
    through ``conn`` would autobegin first.
    """
    driver = conn.connection.driver_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()
