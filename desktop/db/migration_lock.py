"""The one locked, checked transaction every upgrade / downgrade runs in.

* SQLite (shared/STYLE.md, "Traps"): ``PRAGMA foreign_keys=OFF`` set before ``BEGIN IMMEDIATE`` (a batch
  recreate of a referenced table would otherwise fail, and the pragma is a no-op inside a transaction),
  ``PRAGMA foreign_key_check`` before COMMIT (any row rolls everything back), foreign_keys=ON again
  afterwards. A short busy timeout first lets the caller say that it is waiting for another copy.
* PostgreSQL: ``pg_advisory_xact_lock`` as the first statement, so only one desktop upgrades a shared
  server; the others wait on the lock (released by the server at COMMIT / ROLLBACK, or if the process
  dies).
* MySQL / MariaDB: ``GET_LOCK`` (held by the session, released when its connection closes). DDL
  commits statement by statement there, so the transaction cannot undo a half-done migration:
  desktop/db/migrate.py backs up first and leaves a marker (desktop/db/migration_marker.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, exc, inspect

from desktop.db import migration_marker
from desktop.db.engine import is_mysql, is_sqlite, make_engine, raw_sqlite_execute, set_begin_statement
from desktop.domain.errors import MigrationError

#: Key of the PostgreSQL advisory lock held while migrating ("ClinicDe" packed into 63 bits).
ADVISORY_LOCK_KEY = 0x436C696E69634465
#: How long a second copy of the app waits for another one's upgrade before giving up.
LOCK_WAIT_SECONDS = 600.0
SQLITE_WAIT_MESSAGE = "Another copy of ClinicDesk is upgrading the database; waiting for it to finish."
PG_WAIT_MESSAGE = "Another ClinicDesk desktop is upgrading the clinic database; waiting for it to finish."
#: Name of the MySQL / MariaDB user lock held while migrating (server-wide, so prefixed per database).
MYSQL_LOCK_PREFIX = "clinicdesk-migration:"

WaitCallback = Callable[[str], None]


def read_current(conn: Connection) -> str | None:
    """The revision stamped in ``alembic_version`` (None for an empty database)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    if len(rows) > 1:
        raise MigrationError(f"The database records several revisions at once ({', '.join(rows)}).")
    return rows[0] if rows else None


def _is_locked_error(error: exc.DBAPIError) -> bool:
    return "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower()


def mysql_lock_name(database: str) -> str:
    """The GET_LOCK name of one database's migrations (user locks are server-wide; 64 characters)."""
    return f"{MYSQL_LOCK_PREFIX}{database}"[:64]


def _mysql_lock(conn: Connection, on_wait: WaitCallback | None) -> None:
    """Take this database's migration lock; refuse when an earlier migration was cut short."""
    database = str(conn.exec_driver_sql("SELECT DATABASE()").scalar())
    name = mysql_lock_name(database)
    if not conn.exec_driver_sql("SELECT GET_LOCK(%s, 0)", (name,)).scalar():
        if on_wait is not None:
            on_wait(PG_WAIT_MESSAGE)
        if not conn.exec_driver_sql("SELECT GET_LOCK(%s, %s)", (name, int(LOCK_WAIT_SECONDS))).scalar():
            raise MigrationError(
                "Another ClinicDesk desktop is still upgrading the clinic database; try again later."
            )
    migration_marker.refuse_if_interrupted(conn)


@contextmanager
def migration_connection(url: str, on_wait: WaitCallback | None = None) -> Iterator[Connection]:
    """A connection inside the one locked transaction a migration runs in (see module docstring).

    Commits when the block ends normally (after the foreign-key check on SQLite), rolls back otherwise.
    ``on_wait`` is called once, with a plain message, when another copy of the app holds the lock.
    """
    engine = make_engine(url)
    sqlite = is_sqlite(url)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    waited = False
    try:
        while True:
            conn = engine.connect()
            try:
                if sqlite:
                    raw_sqlite_execute(conn, "PRAGMA foreign_keys=OFF")
                    # Short busy timeout first, so we can say that we are waiting.
                    raw_sqlite_execute(conn, f"PRAGMA busy_timeout={2000 if waited else 200}")
                    set_begin_statement(conn, "BEGIN IMMEDIATE")
                    try:
                        trans = conn.begin()
                    except exc.OperationalError as error:
                        if not _is_locked_error(error) or time.monotonic() > deadline:
                            raise
                        conn.close()
                        if not waited and on_wait is not None:
                            on_wait(SQLITE_WAIT_MESSAGE)
                        waited = True
                        continue
                elif is_mysql(url):
                    trans = conn.begin()
                    _mysql_lock(conn, on_wait)
                else:
                    trans = conn.begin()
                    lock = f"pg_advisory_xact_lock({ADVISORY_LOCK_KEY})"
                    if not conn.exec_driver_sql(f"SELECT pg_try_{lock[3:]}").scalar():
                        if on_wait is not None:
                            on_wait(PG_WAIT_MESSAGE)
                        conn.exec_driver_sql(f"SELECT {lock}")
                try:
                    yield conn
                    if sqlite:
                        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if problems:
                            raise MigrationError(
                                f"The change would leave {len(problems)} rows pointing at missing rows "
                                f"(first: table {problems[0][0]}); nothing was changed."
                            )
                    trans.commit()
                    if is_mysql(url):  # every step committed: the database is whole again
                        migration_marker.clear(conn)
                except BaseException:
                    if trans.is_active:
                        trans.rollback()
                    raise
                return
            finally:
                if sqlite and not conn.closed:
                    with suppress(exc.DBAPIError):  # the connection is being thrown away anyway
                        raw_sqlite_execute(conn, "PRAGMA foreign_keys=ON")
                conn.close()
    finally:
        engine.dispose()
