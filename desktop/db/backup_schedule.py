"""When backups happen without anyone remembering them.

* ``"start"``: the first start of each (local) day, when the backups folder holds none from today.
* ``"close"``: when the program closes and the database changed since the newest verified backup (its
  row counts, kept in the sidecar, differ: every change the program makes adds an audit or session row
  or changes a count).

Before every migration and restore a backup is made by those actions themselves. PostgreSQL follows
the same schedule with ``pg_dump -Fc``, MySQL / MariaDB with ``mariadb-dump``, where the client tools
are installed.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil

from desktop.db import mysql_dump
from desktop.db.backup import BackupResult, backup, backups_folder, remove_partials
from desktop.db.backup_catalog import list_backups, newest_verified
from desktop.db.engine import is_mysql, is_sqlite, make_engine, open_sqlite_read_only, sqlite_path
from desktop.db.integrity import server_table_counts, table_counts
from desktop.db.pg_archive import MISSING_TOOLS_FOR_BACKUP, restore_tools_present

log = logging.getLogger(__name__)

MOMENTS = ("start", "close")


def tools_missing_message(url: str) -> str:
    """Why no backup can be made of ``url`` here ("" when it can)."""
    if is_sqlite(url):
        return ""
    if is_mysql(url):
        return mysql_dump.tools_missing_message()
    if shutil.which("pg_dump") is None or not restore_tools_present():
        return MISSING_TOOLS_FOR_BACKUP
    return ""


def daily_due(today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return not any(b.created.astimezone().date() == today for b in list_backups(backups_folder()))


def current_counts(url: str) -> dict[str, int]:
    """Rows per table now (read-only for SQLite)."""
    path = sqlite_path(url)
    if path is not None:
        reader = open_sqlite_read_only(path)
        try:
            return table_counts(reader)
        finally:
            reader.close()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return server_table_counts(conn)
    finally:
        engine.dispose()


def changed_since_last_backup(url: str) -> bool:
    newest = newest_verified(backups_folder())
    return newest is None or newest.counts != current_counts(url)


def run_due(url: str, moment: str) -> BackupResult | None:
    """Make the backup ``moment`` calls for, if one is due; None when none is."""
    if moment not in MOMENTS:
        raise ValueError(f"unknown backup moment {moment!r}")
    remove_partials(backups_folder())  # what a killed backup left, even when no backup is due now
    path = sqlite_path(url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return None
    if tools_missing_message(url):  # Database tools says so; repeating it at every start helps nobody
        log.info("no automatic %s backup: %s", moment, tools_missing_message(url))
        return None
    due = daily_due() if moment == "start" else changed_since_last_backup(url)
    if not due:
        return None
    return backup(url, reason="daily" if moment == "start" else "on-close")
