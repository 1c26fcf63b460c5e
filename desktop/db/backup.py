"""Making backups, and proving each one before it is called saved.

SQLite: one read transaction on the live file counts every table's rows and then copies the file with
SQLite's online backup API (``sqlite3.Connection.backup``) in a single step, so the counts and the copy
describe the same moment even while another connection writes. PostgreSQL: ``pg_dump --format=custom``
inside an exported snapshot that the row counts were taken in. MySQL / MariaDB: ``mariadb-dump`` (or
``mysqldump``) ``--single-transaction``, a ``.sql`` file (desktop/db/mysql_dump.py). Without the client
tools, a plain "no backup was made" result, never an exception (the Database tools dialog says so).

Every copy is written to ``<name>.partial`` (created 0600, fsynced, then renamed), and verified before
it gets its real name: the copy must pass SQLite's integrity_check (for an archive: every data block
readable; for a dump: it ran to its end) and hold the source's revision and row counts. A copy that
fails is deleted and the call raises DatabaseError saying so. ``*.partial`` files left by a killed
process are removed by the next backup. Verified backups get a sidecar JSON
(desktop/db/backup_catalog.py) and a copy in the optional second folder (desktop/db/backup_mirror.py).
Restoring lives in desktop/db/restore.py.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.db import mysql_dump, pg_archive
from desktop.db.backup_catalog import backup_name, thin, write_sidecar
from desktop.db.backup_mirror import mirror
from desktop.db.engine import BUSY_TIMEOUT_MS, is_mysql, is_sqlite, open_sqlite_read_only, sqlite_path
from desktop.db.integrity import stamps, table_counts
from desktop.domain.errors import DatabaseError

if os.name == "posix":  # an advisory lock tells a live backup's .partial from a killed one's
    import fcntl

log = logging.getLogger(__name__)

PARTIAL = ".partial"


@dataclass(frozen=True)
class BackupResult:
    made: bool
    path: Path | None
    message: str
    #: Said once when the second backups folder cannot be reached ("" otherwise).
    mirror_warning: str = ""


@dataclass(frozen=True)
class SourceFacts:
    revision: str | None
    counts: dict[str, int]


def backups_folder() -> Path:
    """The data folder's backups/, or DatabaseError in plain words when it cannot be made."""
    try:
        return paths.backups_dir()
    except OSError as error:
        raise DatabaseError(
            f"The backups folder cannot be created or written ({error.strerror or error}: "
            f"{error.filename or 'the data folder'}). Nothing was backed up; check that the data "
            "folder is writable and the disk is not full."
        ) from error


def backup(url: str, reason: str = "manual", folder: Path | None = None) -> BackupResult:
    """Copy and verify the database into ``folder`` (default: the data folder's backups/)."""
    folder = folder or backups_folder()
    remove_partials(folder)
    if is_sqlite(url):
        source = sqlite_path(url)
        if source is None or not source.exists() or source.stat().st_size == 0:
            return BackupResult(False, None, "There is no database file yet, so nothing was backed up.")
        made = _backup_sqlite(source, reason, folder)
    elif is_mysql(url):
        made = _backup_mysql(url, reason, folder)
    else:
        made = _backup_postgres(url, reason, folder)
    if not made.made or made.path is None:
        return made
    warning = mirror(made.path)
    thin(folder)
    return BackupResult(True, made.path, made.message, warning)


# --------------------------------------------------------------------------- partial files


@contextmanager
def _partial(target: Path) -> Iterator[Path]:
    """``target``'s .partial, created 0600 and locked while the block runs; removed on failure."""
    partial = target.with_name(target.name + PARTIAL)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, paths.PRIVATE_FILE_MODE)
    try:
        if os.name == "posix":
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)  # releases the lock


def remove_partials(folder: Path) -> list[Path]:
    """Delete ``*.partial`` files no live backup is writing (what a killed or failed backup left)."""
    removed = []
    for entry in folder.glob(f"clinicdesk-*{PARTIAL}") if folder.is_dir() else ():
        try:
            fd = os.open(entry, os.O_RDONLY)
        except OSError:
            continue
        try:
            if os.name == "posix":
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            entry.unlink()
            removed.append(entry)
        except OSError:  # locked: another process is writing it right now
            continue
        finally:
            os.close(fd)
    if removed:
        log.info("removed %d unfinished backup file(s) in %s", len(removed), folder)
    return removed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _finish(partial: Path, target: Path, reason: str, facts: SourceFacts) -> BackupResult:
    """Give a verified copy its real name and its sidecar."""
    os.replace(partial, target)
    if os.name == "posix":
        _fsync(target.parent)  # the rename itself survives a power cut
    write_sidecar(target, reason, facts.revision, facts.counts)
    log.info("backup made and verified: %s", target)
    return BackupResult(True, target, f"Backup saved and verified: {target}")


def _verification_failed(partial: Path, problem: str) -> DatabaseError:
    partial.unlink(missing_ok=True)
    log.error("backup copy failed verification (%s); deleted", problem)
    return DatabaseError(
        f"The backup copy failed its check ({problem}), so it was deleted; no backup was saved. "
        "Run the integrity check (Database tools, or `clinicdesk db check`)."
    )


# --------------------------------------------------------------------------- SQLite


def _open_source(source: Path) -> sqlite3.Connection:
    """A connection that only reads the live file. Read-write mode so it can take part in WAL recovery
    when another copy of the app has just written (a read-only connection then fails with "attempt to
    write a readonly database"); read-only mode for a file this user may only read."""
    try:
        conn = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn
    except sqlite3.OperationalError as error:
        if "readonly" not in str(error).lower() and "unable to open" not in str(error).lower():
            raise
    conn = open_sqlite_read_only(source)
    conn.isolation_level = None
    return conn


def _backup_sqlite(source: Path, reason: str, folder: Path) -> BackupResult:
    try:
        src = _open_source(source)
        try:
            src.execute("BEGIN")  # one snapshot for the counts and the copy
            revisions = stamps(src)
            if len(revisions) > 1:
                raise DatabaseError(
                    f"The database records several schema revisions at once ({', '.join(revisions)}); "
                    "it was not backed up. Run `clinicdesk db check`."
                )
            facts = SourceFacts(revisions[0] if revisions else None, table_counts(src))
            target = folder / backup_name(facts.revision, reason, "db")
            with _partial(target) as partial:
                dst = sqlite3.connect(partial)
                try:
                    src.backup(dst)
                    # A backup is one self-contained file: no -wal / -shm next to it when opened.
                    dst.execute("PRAGMA journal_mode=DELETE")
                finally:
                    dst.close()
                src.execute("ROLLBACK")
                _fsync(partial)
                problem = verify_sqlite_copy(partial, facts)
                if problem:
                    raise _verification_failed(partial, problem)
                return _finish(partial, target, reason, facts)
        finally:
            src.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(_sqlite_failure(error)) from error
    except OSError as error:
        raise DatabaseError(
            f"The backup could not be written ({error.strerror or error}); no backup was saved. "
            "Check that the backups folder is writable and the disk is not full."
        ) from error


def _sqlite_failure(error: sqlite3.DatabaseError) -> str:
    text = str(error).lower()
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return (
            f"The database could not be backed up because it is damaged ({error}). Nothing was saved. "
            "Restore the newest good backup (Database tools, or `clinicdesk db restore`)."
        )
    if "full" in text:
        return "The backup could not be written: the disk is full. Free some space; no backup was saved."
    return f"The backup could not be made ({error}); no backup was saved."


def verify_sqlite_copy(copy: Path, facts: SourceFacts) -> str:
    """What is wrong with ``copy`` (integrity_check, revision, row counts); empty when nothing is."""
    try:
        conn = open_sqlite_read_only(copy)
        try:
            result = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                return f"integrity_check: {result[0] if result else 'no answer'}"
            revisions = stamps(conn)
            counts = table_counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return f"the copy cannot be read: {error}"
    revision = revisions[0] if len(revisions) == 1 else None
    if revision != facts.revision:
        return f"revision {revision} instead of {facts.revision}"
    if counts != facts.counts:
        differ = sorted(k for k in set(counts) | set(facts.counts) if counts.get(k) != facts.counts.get(k))
        return "row counts differ in " + ", ".join(differ)
    return ""


# --------------------------------------------------------------------------- PostgreSQL


def _backup_postgres(url: str, reason: str, folder: Path) -> BackupResult:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None or not pg_archive.restore_tools_present():
        return BackupResult(False, None, pg_archive.MISSING_TOOLS_FOR_BACKUP)
    with pg_archive.snapshot(url) as (snapshot_id, facts_tuple):
        revision, counts = facts_tuple
        if revision is None:
            return BackupResult(False, None, "The database is empty, so nothing was backed up.")
        facts = SourceFacts(revision, counts)
        target = folder / backup_name(revision, reason, "dump")
        conninfo, env = pg_archive.libpq(url)
        with _partial(target) as partial:
            try:
                subprocess.run(
                    [
                        pg_dump,
                        "--format=custom",
                        f"--snapshot={snapshot_id}",
                        f"--file={partial}",
                        f"--dbname={conninfo}",
                    ],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                    timeout=3600,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
                detail = (getattr(error, "stderr", "") or str(error)).strip()
                log.warning("pg_dump failed: %s", detail)
                partial.unlink(missing_ok=True)
                return BackupResult(False, None, f"No backup was made: pg_dump failed ({detail[:200]}).")
            problem = pg_archive.verify_archive(partial, revision, counts)
            if problem:
                raise _verification_failed(partial, problem)
            return _finish(partial, target, reason, facts)


# --------------------------------------------------------------------------- MySQL / MariaDB


def _backup_mysql(url: str, reason: str, folder: Path) -> BackupResult:
    tool = mysql_dump.dump_tool()
    if tool is None:
        return BackupResult(False, None, mysql_dump.MISSING_DUMP)
    revision, counts = mysql_dump.live_facts(url)
    if not counts:
        return BackupResult(False, None, "The database is empty, so nothing was backed up.")
    target = folder / backup_name(revision, reason, "sql")
    with _partial(target) as partial:
        try:
            mysql_dump.dump_to(tool, url, partial)
        except DatabaseError as error:
            log.warning("MariaDB / MySQL dump failed: %s", error.message)
            partial.unlink(missing_ok=True)
            return BackupResult(False, None, f"No backup was made: {error.message}.")
        _fsync(partial)
        problem = mysql_dump.verify_dump(partial, revision, counts)
        if problem.startswith("row counts differ"):
            # The dump takes its own snapshot (MySQL cannot share one, unlike pg_export_snapshot): a
            # desktop that wrote between the count and the dump is told from a bad copy by counting again.
            revision, counts = mysql_dump.live_facts(url)
            problem = mysql_dump.verify_dump(partial, revision, counts)
        if problem:
            raise _verification_failed(partial, problem)
        return _finish(partial, target, reason, SourceFacts(revision, counts))
