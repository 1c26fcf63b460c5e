"""What every service shares: the database, settings, the clock, the password cost and the unit of
work the services open.

The clock is injectable so tests can move time forward (lockout expiry, session expiry) without
sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session as OrmSession

from desktop.db.database import CONFLICT, Database
from desktop.db.types import utcnow
from desktop.settings import Settings

Clock = Callable[[], dt.datetime]

DEFAULT_BCRYPT_ROUNDS = 12

__all__ = ["CONFLICT", "Clock", "ServiceContext"]


@dataclass(frozen=True)
class ServiceContext:
    database: Database
    settings: Settings
    clock: Clock = utcnow
    bcrypt_rounds: int = DEFAULT_BCRYPT_ROUNDS

    def now(self) -> dt.datetime:
        """The current time (aware UTC) from the injected clock."""
        return self.clock()

    @contextmanager
    def unit_of_work(self, *, write: bool = False) -> Iterator[OrmSession]:
        """The database's unit of work (see ``Database.unit_of_work``: ``write=True`` takes SQLite's
        write lock up front; conflicts and driver errors arrive translated for people)."""
        with self.database.unit_of_work(write=write) as session:
            yield session
