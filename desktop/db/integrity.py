"""SQLite integrity checks and the facts a backup is compared on (revision, row counts).

Everything here opens a SQLite file read-only: checking a database never changes it, and a file the user
may only read can still be checked.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, inspect

from desktop.db.engine import is_sqlite, open_sqlite_read_only, sqlite_path
from desktop.domain.errors import DatabaseError


@dataclass(frozen=True)
class IntegrityReport:
    quick_check: tuple[str, ...]
    integrity_check: tuple[str, ...]
    foreign_key_check: tuple[str, ...]
    applicable: bool = True

    @property
    def ok(self) -> bool:
        return (
            self.quick_check in ((), ("ok",))
            and self.integrity_check in ((), ("ok",))
            and not self.foreign_key_check
        )

    def lines(self) -> list[str]:
        if not self.applicable:
            return ["Integrity checks: not applicable (the database server keeps these itself)."]
        fk = "ok" if not self.foreign_key_check else f"{len(self.foreign_key_check)} problem(s)"
        return [
            f"quick_check: {', '.join(self.quick_check) or 'not run'}",
            f"integrity_check: {', '.join(self.integrity_check) or 'not run'}",
            f"foreign_key_check: {fk}",
            *[f"  {row}" for row in self.foreign_key_check],
        ]


def integrity_check(url: str, full: bool = True) -> IntegrityReport:
    """quick_check, integrity_check (when ``full``) and foreign_key_check of a SQLite database."""
    if not is_sqlite(url):
        return IntegrityReport((), (), (), applicable=False)
    path = sqlite_path(url)
    if path is None or not path.exists():
        raise DatabaseError("There is no database file to check.")
    return check_file(path, full=full)


def check_file(path: Path, full: bool = True) -> IntegrityReport:
    try:
        conn = open_sqlite_read_only(path)
        try:
            quick = tuple(r[0] for r in conn.execute("PRAGMA quick_check"))
            whole = tuple(r[0] for r in conn.execute("PRAGMA integrity_check")) if full else ()
            fks = tuple(
                f"table {r[0]} row {r[1]} points at a missing row in {r[2]}"
                for r in conn.execute("PRAGMA foreign_key_check")
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return IntegrityReport((f"unreadable: {error}",), (), ())
    return IntegrityReport(quick, whole, fks)


def stamps(conn: sqlite3.Connection) -> list[str]:
    """The revisions in alembic_version ([] when the table is missing or empty)."""
    found = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    ).fetchone()
    if found is None:
        return []
    return [str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version")]


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table (SQLite's own tables left out), in one read of ``conn``'s snapshot."""
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: int(conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]) for name in names}


def server_table_counts(conn: Connection) -> dict[str, int]:
    """Rows per table of a database server's schema, read on ``conn`` (names quoted per dialect)."""
    quote = conn.dialect.identifier_preparer.quote
    return {
        name: int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {quote(name)}").scalar_one())
        for name in sorted(inspect(conn).get_table_names())
    }
