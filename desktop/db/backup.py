"""Backups, restore and integrity checks.

SQLite: copies are made with SQLite's online backup API (``sqlite3.Connection.backup``), which gives a
consistent snapshot even while another connection writes and includes what still sits in the WAL.
Files go to the data folder's backups/ with the time and schema revision in the name. PostgreSQL:
``pg_dump --format=custom`` when it is on PATH; otherwise a plain "no automatic backup was made" result,
never an exception, so an upgrade can go ahead and say so. Restoring such an archive lives in
desktop/db/postgres_restore.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.db.engine import is_mysql, is_sqlite, sqlite_path
from desktop.domain.errors import DatabaseError, DatabaseTooNewError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
_NAME = re.compile(
    r"^clinicdesk-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<revision>[0-9a-z]+)-(?P<reason>[a-z0-9-]+)\.(?P<ext>db|dump|sql)$"
)


@dataclass(frozen=True)
class BackupResult:
    made: bool
    path: Path | None
    message: str


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: dt.datetime
    revision: str
    reason: str
    size: int


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


# --------------------------------------------------------------------------- helpers


def looks_like_sqlite(path: Path) -> bool:
    """True when the file starts with SQLite's header (or is empty, which SQLite treats as new)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return head == SQLITE_HEADER or head == b""


def sqlite_revision(path: Path) -> str | None:
    """The Alembic revision stamped in a SQLite file, read with the sqlite3 module alone."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if row is None:
            return None
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return found[0] if found else None
    finally:
        conn.close()


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S-%f")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "manual"


def _backup_name(revision: str | None, reason: str, ext: str) -> str:
    return f"clinicdesk-{_stamp()}-{revision or 'base'}-{_slug(reason)}.{ext}"


def new_backup_path(folder: Path, revision: str | None, reason: str, ext: str) -> Path:
    """Where a new backup goes: time, revision and reason in the name (see :func:`list_backups`)."""
    return folder / _backup_name(revision, reason, ext)


# --------------------------------------------------------------------------- backup


def backup(url: str, reason: str = "manual", folder: Path | None = None) -> BackupResult:
    """Copy the database into ``folder`` (default: the data folder's backups/)."""
    folder = folder or paths.backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if is_sqlite(url):
        source = sqlite_path(url)
        if source is None or not source.exists():
            return BackupResult(False, None, "There is no database file yet, so nothing was backed up.")
        return _backup_sqlite(source, reason, folder)
    if is_mysql(url):
        from desktop.db.mysql_backup import backup_mysql

        return backup_mysql(url, reason, folder)
    return _backup_postgres(url, reason, folder)


def _backup_sqlite(source: Path, reason: str, folder: Path) -> BackupResult:
    try:
        revision = sqlite_revision(source)
        target = folder / _backup_name(revision, reason, "db")
        partial = target.with_suffix(".partial")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=10)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=4096)
            # A backup is a single self-contained file: no -wal / -shm next to it when opened.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        os.replace(partial, target)  # a crash never leaves a half-written file under a backup's name
    except (sqlite3.Error, OSError) as error:
        raise DatabaseError(f"The backup could not be made: {error}.") from error
    log.info("backup made: %s", target)
    return BackupResult(True, target, f"Backup saved to {target}")


def _backup_postgres(url: str, reason: str, folder: Path) -> BackupResult:
    from sqlalchemy.engine import make_url

    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return BackupResult(
            False, None, "No automatic backup was made: pg_dump is not installed on this computer."
        )
    parsed = make_url(url)
    revision = _postgres_revision(url)
    if revision is None:
        return BackupResult(False, None, "The database is empty, so nothing was backed up.")
    target = folder / _backup_name(revision, reason, "dump")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    try:
        subprocess.run(
            [pg_dump, "--format=custom", f"--file={target}", f"--dbname={libpq}"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        target.unlink(missing_ok=True)
        log.warning("pg_dump failed: %s", detail)
        reason_text = detail.strip()[:200]
        return BackupResult(False, None, f"No automatic backup was made: pg_dump failed ({reason_text}).")
    log.info("backup made: %s", target)
    return BackupResult(True, target, f"Backup saved to {target}")


def _postgres_revision(url: str) -> str | None:
    from desktop.db.engine import make_engine
    from desktop.db.migrate import read_current

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return read_current(conn)
    finally:
        engine.dispose()


def list_backups(folder: Path | None = None) -> list[BackupInfo]:
    """Backups in ``folder``, newest first."""
    folder = folder or paths.backups_dir()
    found = []
    for entry in folder.iterdir() if folder.exists() else ():
        match = _NAME.match(entry.name)
        if match is None:
            continue
        created = dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f").replace(tzinfo=dt.UTC)
        found.append(BackupInfo(entry, created, match["revision"], match["reason"], entry.stat().st_size))
    return sorted(found, key=lambda b: b.created, reverse=True)


# --------------------------------------------------------------------------- restore


def validate_backup(file: Path) -> str | None:
    """Raise DatabaseError unless ``file`` is a ClinicDesk backup (a SQLite database or our pg_dump
    archive); return its revision."""
    from desktop.db import mysql_backup, postgres_restore

    if file.is_file() and postgres_restore.is_postgres_archive(file):
        return postgres_restore.validate_archive(file)
    if file.is_file() and mysql_backup.is_mysql_dump(file):
        return mysql_backup.dump_revision(file)
    if not file.is_file() or file.stat().st_size == 0 or not looks_like_sqlite(file):
        raise DatabaseError(f"{file.name} is not a ClinicDesk database backup.")
    try:
        conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchall()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise DatabaseError(f"{file.name} is damaged or not a database ({error}).") from error
    if check != [("ok",)]:
        raise DatabaseError(f"{file.name} is damaged: {check[0][0]}.")
    if "alembic_version" not in tables or "user" not in tables:
        raise DatabaseError(f"{file.name} is a SQLite file but not a ClinicDesk database.")
    return sqlite_revision(file)


def restore(file: Path, url: str) -> BackupResult:
    """Put ``file`` back as the database at ``url``; the current database is backed up first.

    The caller must have closed every connection to the database (the app signs out and disposes its
    engine). Returns the backup made of the database that was replaced. PostgreSQL: see
    desktop/db/postgres_restore.py (pg_restore + psql, one transaction).
    """
    from desktop.db import mysql_backup, postgres_restore

    file = Path(file)
    archive = file.is_file() and postgres_restore.is_postgres_archive(file)
    dump = file.is_file() and mysql_backup.is_mysql_dump(file)
    if is_mysql(url):
        if not dump:
            raise DatabaseError(
                f"{file.name} is not a backup of a clinic server (MariaDB / MySQL) database; only a .sql "
                "file made by ClinicDesk can be restored into it. Nothing was changed."
            )
        return mysql_backup.restore_mysql(file, url)
    if dump:
        raise DatabaseError(
            f"{file.name} is a backup of a MariaDB / MySQL clinic server; it can only be restored into "
            "such a server. Nothing was changed."
        )
    if not is_sqlite(url):
        if not archive:
            raise DatabaseError(
                f"{file.name} is not a backup of a clinic server (PostgreSQL) database; only a .dump "
                "file made by ClinicDesk can be restored into it. Nothing was changed."
            )
        return postgres_restore.restore_postgres(file, url)
    if archive:
        raise DatabaseError(
            f"{file.name} is a backup of a clinic server (PostgreSQL) database; it cannot be restored "
            "into a local database file. Nothing was changed."
        )
    target = sqlite_path(url)
    if target is None:
        raise DatabaseError("This database has no file to restore into.")
    revision = validate_backup(file)
    if revision is not None:
        from desktop.db.migrate import is_known_revision

        if not is_known_revision(revision):
            raise DatabaseTooNewError(
                f"{file.name} was made by a newer version of ClinicDesk (schema revision {revision}); "
                "this version cannot use it. Nothing was changed."
            )
    safety = BackupResult(False, None, "There was no database to back up before restoring.")
    if target.exists() and target.stat().st_size > 0 and looks_like_sqlite(target):
        try:
            safety = backup(url, reason="before-restore")
        except DatabaseError:
            # A damaged current file cannot go through the backup API: keep a raw copy instead.
            raw = paths.backups_dir() / f"damaged-{_stamp()}-{target.name}"
            shutil.copy2(target, raw)
            safety = BackupResult(True, raw, f"The damaged database was kept as {raw}")
    staging = target.with_name(target.name + ".restoring")
    shutil.copyfile(file, staging)
    with open(staging, "rb+") as handle:
        os.fsync(handle.fileno())
    # An old -wal next to the new file would be replayed into it: remove them first.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(staging, target)
    log.info("database %s restored from %s", target, file)
    return safety


# --------------------------------------------------------------------------- integrity


def integrity_check(url: str, full: bool = True) -> IntegrityReport:
    """quick_check, integrity_check (when ``full``) and foreign_key_check of a SQLite database."""
    if not is_sqlite(url):
        return IntegrityReport((), (), (), applicable=False)
    path = sqlite_path(url)
    if path is None or not path.exists():
        raise DatabaseError("There is no database file to check.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
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
