"""The one handle services hold on the database: an Engine plus a unit-of-work factory.

A unit of work (Cosmic Python, ch. 6) commits only when the caller says so; leaving the block any
other way rolls back. Driver errors that a person can act on (locked, disk full, unreachable server,
not a database) are turned into ``desktop.domain.errors.DatabaseError`` with a plain message; the
original exception stays chained for the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, exc
from sqlalchemy.orm import Session, sessionmaker

from desktop.db.engine import is_sqlite, make_engine, sqlite_path
from desktop.domain.errors import ConflictError, DatabaseError

log = logging.getLogger(__name__)


class Database:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @property
    def sqlite_file(self):  # -> Path | None
        return sqlite_path(self.url)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A Session whose changes persist only if the block calls ``session.commit()``."""
        session = self._sessions()
        try:
            yield session
        except exc.StaleDataError as error:
            session.rollback()
            raise ConflictError(
                "This entry was changed by someone else after you opened it. Reload it to see their "
                "changes, then make yours again."
            ) from error
        except exc.DBAPIError as error:
            session.rollback()
            raise translate_db_error(error) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def translate_db_error(error: exc.DBAPIError) -> Exception:
    """A DatabaseError with a plain message for errors people can act on; the error itself otherwise."""
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    if "database is locked" in text or "database table is locked" in text:
        return DatabaseError("The database is busy (another ClinicDesk may be saving). Try again in a moment.")
    if "disk is full" in text or "no space left" in text or "database or disk is full" in text:
        return DatabaseError("The disk is full: free some space, then try again. Nothing was saved.")
    if "file is not a database" in text or "malformed" in text:
        return DatabaseError("The database file is damaged or is not a ClinicDesk database.")
    if "readonly" in text or "read-only" in text:
        return DatabaseError("The database cannot be written (read-only file or folder).")
    if isinstance(error, exc.OperationalError) and (
        "connection" in text or "server closed" in text or "could not connect" in text or "terminating" in text
    ):
        return DatabaseError("The clinic server cannot be reached. Check the network; your input is kept.")
    if isinstance(error, exc.IntegrityError):
        return error
    log.debug("untranslated database error: %s", text)
    return error
