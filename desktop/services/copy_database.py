"""Copy this computer's database to an empty clinic server (``clinicdesk db copy-to URL`` and a button).

Switching to the server must not silently lose data, so the copy is all-or-nothing and checked:

1. the source must be a ClinicDesk database at this version's schema (the app migrates it at start);
2. the target must be empty: no tables, or ClinicDesk's tables with no rows in any of them (a server
   that a desktop already opened once, or one stamped at base);
3. the target is brought to the head revision with the real migrations (desktop.db.migrate.upgrade,
   which takes the advisory lock, so a desktop starting at the same moment waits);
4. every table is copied in foreign-key order, in chunks, through SQLAlchemy Core with the model's
   column types (so UTC timestamps, booleans and floats convert between dialects) and with the
   original primary keys; the whole copy is ONE transaction on the target: a failure leaves it empty;
5. PostgreSQL sequences of integer primary keys are moved past the copied ids (otherwise the next
   insert would collide with a copied row);
6. the rows are counted on both sides; a difference raises DatabaseError naming the tables.

The source is read inside one transaction, so a copy made while this computer's app is open is a
consistent snapshot (SQLite WAL gives readers a stable view).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Integer, Table, exc, func, inspect, select, text
from sqlalchemy.engine import make_url

import desktop.db.models  # noqa: F401  # registers every table on Base.metadata
from desktop.db import migrate
from desktop.db.base import Base
from desktop.db.database import translate_db_error
from desktop.db.engine import is_sqlite, make_engine, sqlite_path
from desktop.domain.errors import DatabaseError, KnownError
from desktop.services.server_settings import ConnectionProblem, ServerSettings, classify_connection_error
from desktop.settings import redact_url

log = logging.getLogger(__name__)

CHUNK_ROWS = 1000

#: progress(table, rows copied so far, rows in that table)
CopyProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableCount:
    table: str
    source_rows: int
    target_rows: int

    @property
    def matches(self) -> bool:
        return self.source_rows == self.target_rows


@dataclass(frozen=True)
class CopyResult:
    revision: str
    tables: tuple[TableCount, ...]

    @property
    def total_rows(self) -> int:
        return sum(t.target_rows for t in self.tables)


def tables_in_copy_order() -> list[Table]:
    """Every ClinicDesk table, referenced tables first (SQLAlchemy's dependency sort)."""
    return list(Base.metadata.sorted_tables)


def copy_to(source_url: str, target_url: str, progress: CopyProgress | None = None) -> CopyResult:
    """Copy all rows from ``source_url`` into the empty database at ``target_url``; see module docstring."""
    if _same_database(source_url, target_url):
        raise KnownError("The source and the target are the same database: choose another target.")
    revision = _check_source(source_url)
    _check_target_empty(target_url)
    migrate.upgrade(target_url)

    source = make_engine(source_url)
    target = make_engine(target_url)
    try:
        with source.connect() as src, target.connect() as dst:
            with src.begin():
                counts = _copy_tables(src, dst, progress)
            result = CopyResult(
                revision,
                tuple(TableCount(name, source_rows, _count(dst, name)) for name, source_rows in counts),
            )
    except exc.DBAPIError as error:
        raise _copy_failed(error, target_url) from error
    finally:
        source.dispose()
        target.dispose()
    _raise_on_mismatch(result.tables)
    log.info("copied %d rows to %s", result.total_rows, redact_url(target_url))
    return result


def verify_copy(source_url: str, target_url: str) -> tuple[TableCount, ...]:
    """Count every table on both sides again; raises DatabaseError when any count differs."""
    counts = tuple(
        TableCount(name, source_rows, target_rows)
        for (name, source_rows), (_, target_rows) in zip(
            count_rows(source_url), count_rows(target_url), strict=True
        )
    )
    _raise_on_mismatch(counts)
    return counts


def count_rows(url: str) -> list[tuple[str, int]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [(table.name, _count(conn, table.name)) for table in tables_in_copy_order()]
    except exc.DBAPIError as error:
        raise _as_known(error, url) from error
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- checks


def _same_database(a: str, b: str) -> bool:
    def key(url: str) -> tuple[object, ...]:
        parsed = make_url(url)
        path = sqlite_path(url)
        database = str(path.resolve()) if path is not None else parsed.database
        return parsed.get_backend_name(), parsed.host, parsed.port or 5432, database

    return key(a) == key(b)


def _check_source(url: str) -> str:
    state = migrate.status(url)
    if not state.exists or state.current is None:
        raise KnownError("There is no ClinicDesk database on this computer to copy.")
    if state.is_too_new:
        raise KnownError("This computer's database was made by a newer ClinicDesk: update ClinicDesk first.")
    if not state.at_head:
        raise KnownError(
            "This computer's database is not at this version's schema: start ClinicDesk once (it upgrades "
            "the database), then copy it."
        )
    return state.current


def _check_target_empty(url: str) -> None:
    """Refuse any target holding rows: copying into it could mix two clinics' data."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            known = {t.name for t in tables_in_copy_order()}
            foreign = sorted(names - known - {"alembic_version"})
            if foreign:
                raise KnownError(
                    f"The target database is not empty: it holds other tables ({', '.join(foreign[:5])}). "
                    "Ask for an empty database for ClinicDesk."
                )
            filled = [name for name in sorted(names & known) if _count(conn, name)]
            if filled:
                raise KnownError(
                    f"The target database already holds ClinicDesk data (table {filled[0]} has rows). "
                    "Copying would mix two databases; nothing was copied."
                )
    except exc.DBAPIError as error:
        raise _as_known(error, url) from error
    finally:
        engine.dispose()


def _count(conn: Connection, table_name: str) -> int:
    table = Base.metadata.tables[table_name]
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _raise_on_mismatch(counts: tuple[TableCount, ...]) -> None:
    wrong = [c for c in counts if not c.matches]
    if wrong:
        detail = "; ".join(f"{c.table}: {c.source_rows} here, {c.target_rows} on the server" for c in wrong)
        raise DatabaseError(
            f"The copy does not match the original ({detail}). Do not switch to the server yet; "
            "empty the server database and copy again."
        )


# --------------------------------------------------------------------------- the copy


def _copy_tables(src: Connection, dst: Connection, progress: CopyProgress | None) -> list[tuple[str, int]]:
    """Copy every table inside one target transaction; returns the source row counts."""
    counts: list[tuple[str, int]] = []
    with dst.begin():
        for table in tables_in_copy_order():
            total = _count(src, table.name)
            counts.append((table.name, total))
            done = 0
            if progress is not None:
                progress(table.name, 0, total)
            order = list(table.primary_key.columns)
            rows = src.execute(select(table).order_by(*order), execution_options={"yield_per": CHUNK_ROWS})
            for chunk in rows.mappings().partitions(CHUNK_ROWS):
                dst.execute(table.insert(), [dict(row) for row in chunk])
                done += len(chunk)
                if progress is not None:
                    progress(table.name, done, total)
        if dst.dialect.name == "postgresql":  # MySQL's AUTO_INCREMENT moves past inserted ids itself
            _reset_sequences(dst)
    return counts


def _reset_sequences(dst: Connection) -> None:
    """Move each integer primary key's sequence past the highest copied id (PostgreSQL only)."""
    for table in tables_in_copy_order():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            quoted = dst.dialect.identifier_preparer.quote(table.name)
            dst.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) FROM {quoted}"
                ),
                {"table": quoted, "column": column.name},
            )


def _as_known(error: exc.DBAPIError, url: str) -> Exception:
    """A plain message; for a server that refuses the connection, the precise reason (no such
    database, wrong password, ...) from the same classification "Test connection" uses."""
    if isinstance(error, exc.OperationalError) and not is_sqlite(url):
        problem, message = classify_connection_error(str(error.orig or error), ServerSettings.from_url(url))
        if problem != ConnectionProblem.OTHER:
            return DatabaseError(message)
    translated = translate_db_error(error)
    if isinstance(translated, KnownError):
        return translated
    return DatabaseError(f"The database could not be used: {str(error.orig).strip().splitlines()[0]}")


def _copy_failed(error: exc.DBAPIError, target_url: str) -> Exception:
    log.exception("copy to %s failed", redact_url(target_url))
    translated = translate_db_error(error)
    if isinstance(translated, KnownError):
        return translated
    reason = str(error.orig or error).strip().splitlines()[0]
    statement = str(error.statement or "")
    table = next(
        (
            t.name
            for t in tables_in_copy_order()
            if any(f"INTO {quoted}" in statement for quoted in (t.name, f'"{t.name}"', f"`{t.name}`"))
        ),
        None,
    )
    where = f" at table {table}" if table else ""
    return DatabaseError(
        f"The copy stopped{where}: the server refused a row ({reason}). Nothing was copied; the server "
        "database has no ClinicDesk data yet."
    )
