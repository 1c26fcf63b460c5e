"""Keeping aside what a downgrade would delete, and putting it back when the revision is applied again.

A revision's downgrade drops the tables and columns the revision added (its ``DOWNGRADE_DROPS``:
``"table"`` for a whole table, ``"table.column"`` for a column). Before it drops them, :func:`keep`
copies their data into a stash table per source table, ``clinicdesk_stash_<revision>_<table>``: a
dropped table whole, dropped columns together with the primary key of their row. The older schema
does not know these tables and ignores them (the drift and fingerprint checks skip them too). When
the revision's upgrade runs again, :func:`restore` puts the values back and drops the stash. So a
downgrade followed by an upgrade gives back every administrator's role, the audit log, the sign-in
attempts and every other added value exactly as they were.

What happened in between is respected: a row the older version deleted stays deleted (its stashed
values are skipped, and a stashed row that pointed at it loses that link, or is skipped when the link
is required); a row it added keeps the column's default.

Both functions take Alembic's ``op`` and work on its connection, inside the migration's transaction.
An offline run (``alembic upgrade --sql``) cannot read data, so there they do nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:  # only for the annotation: this module must not import Alembic for its callers
    from alembic.operations import Operations

log = logging.getLogger(__name__)

PREFIX = "clinicdesk_stash_"


def is_stash_table(name: str) -> bool:
    """True for a table that holds data kept aside by a downgrade (never part of any schema)."""
    return name.startswith(PREFIX)


def stash_table_name(revision: str, table: str) -> str:
    return f"{PREFIX}{revision}_{table}"


def _groups(drops: Iterable[str]) -> dict[str, tuple[str, ...] | None]:
    """``{table: None}`` for a whole table, ``{table: (column, ...)}`` for dropped columns."""
    groups: dict[str, tuple[str, ...] | None] = {}
    for item in drops:
        table, _, column = item.partition(".")
        if not column:
            groups[table] = None
        elif table not in groups or groups[table] is not None:
            groups[table] = (*(groups.get(table) or ()), column)
    return groups


def _online(op: Operations) -> sa.Connection | None:
    if op.get_context().as_sql:
        log.warning("offline SQL script: data a downgrade drops is not kept aside")
        return None
    return op.get_bind()


def keep(op: Operations, revision: str, drops: Iterable[str]) -> None:
    """Copy what the downgrade of ``revision`` is about to drop into its stash tables."""
    conn = _online(op)
    if conn is None:
        return
    inspector = sa.inspect(conn)
    for table, columns in _groups(drops).items():
        if not inspector.has_table(table):
            continue
        source = sa.Table(table, sa.MetaData(), autoload_with=conn)
        kept = [c for c in source.columns if columns is None or c.primary_key or c.name in columns]
        # The same column types as the source, and no constraints or indexes: the values come back
        # unchanged, and no name can collide with those the upgrade creates again.
        stash = sa.Table(
            stash_table_name(revision, table), sa.MetaData(), *(sa.Column(c.name, c.type) for c in kept)
        )
        stash.drop(conn, checkfirst=True)  # left by an upgrade that did not know about stashes
        if conn.execute(sa.select(sa.literal(1)).select_from(source).limit(1)).first() is None:
            continue  # nothing to keep
        stash.create(conn)
        conn.execute(sa.insert(stash).from_select([c.name for c in kept], sa.select(*kept)))


def restore(op: Operations, revision: str, drops: Iterable[str]) -> None:
    """Put back what an earlier downgrade of ``revision`` kept aside, then drop the stash tables."""
    conn = _online(op)
    if conn is None:
        return
    inspector = sa.inspect(conn)
    groups = {
        table: columns
        for table, columns in _groups(drops).items()
        if inspector.has_table(stash_table_name(revision, table)) and inspector.has_table(table)
    }
    if not groups:
        return
    metadata = sa.MetaData()
    for table in groups:
        sa.Table(table, metadata, autoload_with=conn)
    for target in metadata.sorted_tables:  # parents before the tables that refer to them
        if target.name not in groups:
            continue
        stash = sa.Table(stash_table_name(revision, target.name), sa.MetaData(), autoload_with=conn)
        if groups[target.name] is None:
            _refill(conn, target, stash)
        else:
            _update(conn, target, stash)
        stash.drop(conn)


def _refill(conn: sa.Connection, target: sa.Table, stash: sa.Table) -> None:
    """Insert the stashed rows of a dropped table into the table the upgrade created again."""
    columns = [c for c in target.columns if c.name in stash.c]
    values: list[Any] = []
    required: list[Any] = []
    for column in columns:
        value: Any = stash.c[column.name]
        for fk in column.foreign_keys:  # the row it points at may have been deleted meanwhile
            found = sa.exists().where(fk.column == value)
            if column.nullable:
                value = sa.case((found, value), else_=sa.null())
            else:
                required.append(sa.or_(value.is_(None), found))
        values.append(value)
    query = sa.select(*values).where(*required)
    conn.execute(sa.insert(target).from_select([c.name for c in columns], query))
    if conn.dialect.name == "postgresql":
        _advance_sequences(conn, target)


def _advance_sequences(conn: sa.Connection, target: sa.Table) -> None:
    """A re-created serial column's sequence starts at 1: move it past the restored ids."""
    quoted = conn.dialect.identifier_preparer.quote(target.name)
    for column in target.primary_key.columns:
        sequence = conn.execute(sa.select(sa.func.pg_get_serial_sequence(quoted, column.name))).scalar()
        if sequence:
            highest = sa.select(sa.func.coalesce(sa.func.max(column), 0) + 1).scalar_subquery()
            conn.execute(sa.select(sa.func.setval(sequence, highest, False)))


def _update(conn: sa.Connection, target: sa.Table, stash: sa.Table) -> None:
    """Write the stashed column values back into the rows that still exist, matched by primary key."""
    keys = list(target.primary_key.columns)
    columns = [c for c in target.columns if c.name in stash.c and not c.primary_key]
    if not keys or not columns:
        return
    values: dict[str, Any] = {}
    for column in columns:
        value: Any = stash.c[column.name]
        for fk in column.foreign_keys:  # the row it pointed at may have been deleted meanwhile
            value = sa.case((sa.exists().where(fk.column == value), value), else_=column)
        values[column.name] = value
    statement = sa.update(target).where(*(key == stash.c[key.name] for key in keys)).values(values)
    conn.execute(statement)
