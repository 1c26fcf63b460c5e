"""Restore of a MySQL / MariaDB backup made by :func:`desktop.db.backup.backup` (a ``mariadb-dump`` file).

desktop/db/restore.py has already refused an unsound file (cut off, not ClinicDesk's, several
revisions, made by a newer version). The current database is backed up first; when that cannot be
done and there is data to lose, nothing is changed. Every table is then dropped, so the dump loads
into an empty database (a newer schema's extra tables and a stopped migration's record included),
the ``mariadb`` / ``mysql`` client loads it, and the result is compared with the dump: its revision
and the rows of every table. MySQL cannot load a dump in one transaction (its DDL commits on its own),
so a failure says where the replaced database was saved; a load whose schema desktop/db/restore.py
then refuses is undone by :func:`put_back`, which loads that saved copy again.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import inspect

from desktop.db import mysql_dump
from desktop.db.backup import BackupResult, backup
from desktop.db.engine import make_engine
from desktop.domain.errors import DatabaseError

log = logging.getLogger(__name__)


def restore_mysql(file: Path, url: str) -> BackupResult:
    """Replace the database at ``url`` with the dump ``file``; returns the backup of what it replaced."""
    client = mysql_dump.client_tool()
    if client is None:
        raise DatabaseError(mysql_dump.MISSING_CLIENT)
    wanted = mysql_dump.read_dump(file)
    safety = backup(url, reason="before-restore")
    if not safety.made:
        if mysql_dump.live_facts(url)[1]:
            raise DatabaseError(
                f"The current database could not be backed up first, so it was not replaced. {safety.message}"
            )
        safety = BackupResult(False, None, "There was no database to back up before restoring.")
    _drop_all_tables(url)
    try:
        mysql_dump.load(client, url, file)
        revision, counts = mysql_dump.live_facts(url)
        if revision != (wanted.revisions[0] if wanted.revisions else None):
            raise DatabaseError(f"the restored database is at revision {revision}")
        differ = sorted(name for name, n in wanted.counts.items() if counts.get(name) != n)
        if differ:
            raise DatabaseError("row counts differ in " + ", ".join(differ))
    except DatabaseError as error:
        log.warning("restore of %s failed: %s", file, error.message)
        kept = f" The replaced database was saved first: {safety.path}." if safety.path else ""
        failed = f"The restore from {file.name} did not complete ({error.message}).{kept}"
        raise DatabaseError(failed) from error
    log.info("database restored from %s", file)
    return safety


def put_back(safety: BackupResult, url: str) -> None:
    """Undo a restore that completed but whose result is refused: empty the database and load the
    before-restore backup ``safety`` again (nothing, when there was nothing to back up).
    DatabaseError when that fails too."""
    client = mysql_dump.client_tool()
    if client is None:
        raise DatabaseError(mysql_dump.MISSING_CLIENT)
    _drop_all_tables(url)
    if safety.path is not None:
        mysql_dump.load(client, url, safety.path)
    log.info("database put back from %s", safety.path)


def _drop_all_tables(url: str) -> None:
    """Empty the database (its views and tables) so the dump loads into a database without leftovers."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            quote = conn.dialect.identifier_preparer.quote
            conn.exec_driver_sql("SET SESSION FOREIGN_KEY_CHECKS=0")
            for view in found.get_view_names():
                conn.exec_driver_sql(f"DROP VIEW IF EXISTS {quote(view)}")
            for table in found.get_table_names():
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(table)}")
            conn.exec_driver_sql("SET SESSION FOREIGN_KEY_CHECKS=1")
            conn.commit()
    finally:
        engine.dispose()
