"""The one handle services hold on the database: an Engine plus a unit-of-work factory.

A unit of work (Cosmic Python, ch. 6) commits only when the caller says so; leaving the block any
other way rolls back. Errors a person can act on are turned into the KnownError family with a plain
message, the original exception chained for the log:

- StaleDataError (the version counter caught a concurrent change) and a unique clash -> ConflictError;
- locked, disk full, unreachable server, not a database -> DatabaseError.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event, exc
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from desktop.db.engine import is_sqlite, make_engine, set_begin_statement
from desktop.domain.errors import ConflictError, DatabaseError

log = logging.getLogger(__name__)

CONFLICT = (
    "This entry was changed by someone else after you opened it. Reload it to see their changes, "
    "then make yours again."
)
DUPLICATE = "This could not be saved: it clashes with a change saved at the same moment elsewhere. Try again."

_WRITE_INTENT: contextvars.ContextVar[bool] = contextvars.ContextVar("clinicdesk_write_intent", default=False)


class Database:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        if self.is_sqlite:
            _install_write_intent_hook(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def unit_of_work(self, *, write: bool = False) -> Iterator[Session]:
        """A Session whose changes persist only if the block calls ``session.commit()``.

        ``write=True`` on SQLite starts the transaction with ``BEGIN IMMEDIATE``: the write lock is
        taken before the first read, so a unit that reads and then writes cannot find its snapshot
        overtaken by another desktop's commit (SQLITE_BUSY_SNAPSHOT, which no busy timeout cures).
        Writers queue on the lock instead (busy timeout) and then read current data; a stale edit is
        then caught by the version check. Keep slow work (bcrypt) out of write units.
        """
        token = _WRITE_INTENT.set(write)
        session = self._sessions()
        try:
            yield session
        except StaleDataError as error:
            session.rollback()
            raise ConflictError(CONFLICT) from error
        except exc.IntegrityError as error:
            session.rollback()
            text = str(error.orig).lower()
            if "unique" in text or "duplicate key" in text or "duplicate entry" in text:  # MySQL: 1062
                raise ConflictError(DUPLICATE) from error
            raise
        except exc.DBAPIError as error:
            session.rollback()
            translated = translate_db_error(error)
            if translated is error:
                raise
            raise translated from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            _WRITE_INTENT.reset(token)

    def dispose(self) -> None:
        self.engine.dispose()


def _install_write_intent_hook(engine: Engine) -> None:
    """Connections checked out inside a write unit begin with BEGIN IMMEDIATE (SQLite)."""

    def on_connect(conn: Connection, *_: Any) -> None:
        if _WRITE_INTENT.get():
            set_begin_statement(conn, "BEGIN IMMEDIATE")

    event.listen(engine, "engine_connect", on_connect)


def translate_db_error(error: exc.DBAPIError) -> Exception:
    """A DatabaseError with a plain message for errors people can act on; the error itself otherwise."""
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    if (
        "database is locked" in text
        or "database table is locked" in text
        or "deadlock found" in text  # MySQL / MariaDB 1213
        or "lock wait timeout" in text  # MySQL / MariaDB 1205
    ):
        return DatabaseError(
            "The database is busy (another ClinicDesk may be saving). Try again in a moment."
        )
    if "disk is full" in text or "no space left" in text or "database or disk is full" in text:
        return DatabaseError("The disk is full: free some space, then try again. Nothing was saved.")
    if "disk i/o error" in text:  # SQLite's answer when the WAL or its index cannot grow on a full disk
        return DatabaseError(
            "ClinicDesk could not write to the disk: it is probably full (or failing). Free some space, "
            "then try again. Nothing was saved."
        )
    if "file is not a database" in text or "malformed" in text:
        return DatabaseError("The database file is damaged or is not a ClinicDesk database.")
    if "readonly" in text or "read-only" in text:
        return DatabaseError("The database cannot be written (read-only file or folder).")
    if isinstance(error, exc.OperationalError) and (
        "connection" in text
        or "server closed" in text
        or "could not connect" in text
        or "terminating" in text
        or "can't connect" in text  # MySQL / MariaDB 2003
        or "server has gone away" in text  # MySQL / MariaDB 2006
    ):
        return DatabaseError("The clinic server cannot be reached. Check the network; your input is kept.")
    log.debug("untranslated database error: %s", text)
    return error
