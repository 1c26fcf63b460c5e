"""The "migration in progress" record for MySQL / MariaDB.

MySQL and MariaDB commit every DDL statement on its own, so a migration that fails halfway leaves the
schema half-changed and no transaction can undo it. Before the first statement ClinicDesk therefore
writes a one-row table naming the revisions and the backup made just before; it drops the table only
after the last revision is committed. While the table exists every migration refuses to start and the
start-up check (desktop.db.migrate.status) refuses to open the database, naming the one action that
recovers: restoring that backup (which replaces every table, this one included).

The stash tables a downgrade fills (desktop/db/stash.py) are made by the revisions inside the run the
marker guards, so the backup it names holds the database as it was before any of them; restoring it
is still the one way back.

SQLite and PostgreSQL never need it: their migrations roll back as a whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from desktop.db.mysql_types import COLLATION
from desktop.domain.errors import MigrationError, MigrationInterruptedError

if TYPE_CHECKING:  # the backup module reaches this one through the migration lock
    from desktop.db.backup import BackupResult

MARKER_TABLE = "clinicdesk_migration_in_progress"


@dataclass(frozen=True)
class Marker:
    direction: str
    before: str | None
    target: str
    started: str
    backup: str


def write(engine: Engine, direction: str, before: str | None, target: str, backup: str) -> None:
    """Record the migration about to run (own connection and commit: it must survive a failure)."""
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id INTEGER PRIMARY KEY, "
            "direction VARCHAR(16) NOT NULL, before_revision VARCHAR(32), target VARCHAR(32) NOT NULL, "
            "started VARCHAR(32) NOT NULL, backup_path VARCHAR(2000) NOT NULL)"
        )
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM {MARKER_TABLE}")
        conn.execute(
            text(
                f"INSERT INTO {MARKER_TABLE} (id, direction, before_revision, target, started, backup_path) "
                "VALUES (1, :direction, :before, :target, :started, :backup)"
            ),
            {
                "direction": direction,
                "before": before,
                "target": target,
                "started": started,
                "backup": backup,
            },
        )


def clear(conn: Connection) -> None:
    """Remove the record after the migration committed (DDL: commits on its own)."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
    conn.commit()


def read(conn: Connection) -> Marker | None:
    if not inspect(conn).has_table(MARKER_TABLE):
        return None
    row = conn.exec_driver_sql(
        f"SELECT direction, before_revision, target, started, backup_path FROM {MARKER_TABLE}"
    ).first()
    if row is None:
        return Marker("upgrade", None, "?", "?", "")
    return Marker(str(row[0]), row[1], str(row[2]), str(row[3]), str(row[4]))


def refuse_if_interrupted(conn: Connection) -> None:
    """Raise MigrationInterruptedError, with the recovering action, when a migration was cut short."""
    marker = read(conn)
    if marker is not None:
        raise MigrationInterruptedError(recovery_message(marker))


def recovery_message(marker: Marker) -> str:
    what = (
        f"The database {marker.direction} from revision {marker.before or 'empty'} to {marker.target}, "
        f"started {marker.started}, did not finish. MariaDB and MySQL cannot undo a half-done "
        "schema change, so ClinicDesk will not use this database until it is restored."
    )
    if marker.backup:
        return (
            f'{what} To recover, restore the backup made just before it: run clinicdesk db restore "'
            f'{marker.backup}" (or use Database tools > Restore on a desktop that is still signed in).'
        )
    return (
        f"{what} The database was empty before, so there is nothing to restore: drop its tables (or "
        "create a new empty database) and start ClinicDesk again."
    )


def begin(conn: Connection, direction: str, before: str | None, target: str, made: BackupResult) -> Marker:
    """What a MySQL / MariaDB migration needs before its first DDL statement: the verified backup
    ``made`` just before (refused without one when there is data to lose), then the marker. Call
    :func:`prepare_schema` next, once the caller holds the marker."""
    has_tables = bool(inspect(conn).get_table_names())
    if has_tables and not made.made:
        raise MigrationError(
            f"The clinic database was not {direction}d: MariaDB and MySQL cannot undo a schema change "
            f"that fails halfway, so ClinicDesk {direction}s only after a backup. {made.message}"
        )
    write(conn.engine, direction, before, target, str(made.path or ""))
    return read(conn) or Marker(direction, before, target, "", str(made.path or ""))


def prepare_schema(conn: Connection) -> None:
    """utf8mb4 with the exact collation (desktop/db/mysql_types.py COLLATION) for every table.

    The database's default is set first, so the tables the migrations create inherit it. Tables made
    before (by the web version, with the server's default: often latin1 or a case-insensitive
    collation) are converted; InnoDB refuses to convert a column a foreign key uses, so their foreign
    keys are dropped for the conversion and made again. Their FLOAT and DATETIME columns become
    DOUBLE and DATETIME(6), the types ClinicDesk's own tables have there.
    """
    quote = conn.dialect.identifier_preparer.quote
    database = str(conn.exec_driver_sql("SELECT DATABASE()").scalar())
    conn.exec_driver_sql(f"ALTER DATABASE {quote(database)} CHARACTER SET utf8mb4 COLLATE {COLLATION}")
    stale = [
        str(row[0])
        for row in conn.exec_driver_sql(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_TYPE = 'BASE TABLE' AND TABLE_COLLATION <> %s AND TABLE_NAME <> %s",
            (COLLATION, MARKER_TABLE),
        )
    ]
    if stale:
        found = inspect(conn)
        keys = {table: found.get_foreign_keys(table) for table in found.get_table_names()}
        for table, fks in keys.items():
            for fk in fks:
                conn.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP FOREIGN KEY {quote(str(fk['name']))}")
        for table in stale:
            conn.exec_driver_sql(
                f"ALTER TABLE {quote(table)} CONVERT TO CHARACTER SET utf8mb4 COLLATE {COLLATION}"
            )
        for table, fks in keys.items():
            for fk in fks:
                name = quote(str(fk["name"]))
                mine = ", ".join(quote(c) for c in fk["constrained_columns"])
                theirs = ", ".join(quote(c) for c in fk["referred_columns"])
                conn.exec_driver_sql(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {name} FOREIGN KEY ({mine}) "
                    f"REFERENCES {quote(fk['referred_table'])} ({theirs})"
                )
    _widen_web_columns(conn)


def _widen_web_columns(conn: Connection) -> None:
    quote = conn.dialect.identifier_preparer.quote
    rows = conn.exec_driver_sql(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = DATABASE() AND (DATA_TYPE = 'float' "
        "OR (DATA_TYPE = 'datetime' AND DATETIME_PRECISION < 6)) ORDER BY TABLE_NAME, ORDINAL_POSITION"
    ).fetchall()
    by_table: dict[str, list[str]] = {}
    for table, column, kind, nullable in rows:
        wide = "DOUBLE" if kind == "float" else "DATETIME(6)"
        null = "NULL" if nullable == "YES" else "NOT NULL"
        by_table.setdefault(str(table), []).append(f"MODIFY {quote(str(column))} {wide} {null}")
    for table, changes in by_table.items():
        conn.exec_driver_sql(f"ALTER TABLE {quote(table)} {', '.join(changes)}")
