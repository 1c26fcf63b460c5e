"""Putting a backup back: refuse anything that is not a sound ClinicDesk backup, then replace the file.

A SQLite backup is refused (nothing changed, :class:`BackupRefusedError`) when it is not a SQLite file,
fails SQLite's integrity_check, has more than one row in ``alembic_version``, was made by a newer
version, or its schema differs from the fingerprint its revision should have (a hand-dropped column).
The file is put in place through a 0600 staging copy that is fsynced and renamed, so a crash leaves
the old database or the new one and the restored file is readable only by its owner. PostgreSQL
archives go to desktop/db/postgres_restore.py, MySQL / MariaDB dumps to desktop/db/mysql_restore.py;
each is refused first where the same faults apply (damaged or cut off, not ClinicDesk's, several
revisions, newer version), and only into a database of its own engine. A server's schema can only be
read once the backup is loaded, so there the fingerprint is compared after the load: when it differs,
the database is put back from the backup made of it just before (the same content, not a rollback:
MySQL cannot load a dump in one transaction) and the backup is refused like a SQLite file would be.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from desktop import paths
from desktop.db import fingerprint, mysql_restore, postgres_restore
from desktop.db.backup import BackupResult, backup, backups_folder
from desktop.db.backup_catalog import stamp
from desktop.db.engine import is_mysql, is_sqlite, open_sqlite_read_only, sqlite_path
from desktop.db.integrity import stamps
from desktop.db.migrate import is_known_revision
from desktop.db.mysql_dump import is_mysql_dump, validate_dump
from desktop.db.pg_archive import archive_schemas, is_postgres_archive
from desktop.db.postgres_restore import validate_archive
from desktop.db.probe import SQLITE_HEADER, RefusedError, probe_sqlite
from desktop.domain.errors import DatabaseError, DatabaseTooNewError

log = logging.getLogger(__name__)


class BackupRefusedError(RefusedError):
    """The chosen file is not a sound ClinicDesk backup; nothing was changed."""


def _refuse(file: Path, why: str) -> BackupRefusedError:
    return BackupRefusedError(f"{file.name} cannot be restored: {why}. Nothing was changed.")


def validate_backup(file: Path) -> str | None:
    """Raise BackupRefusedError / DatabaseTooNewError unless ``file`` is a sound ClinicDesk backup (a
    SQLite database, our pg_dump archive or our MariaDB / MySQL dump); return its revision."""
    file = Path(file)
    if file.is_file() and is_postgres_archive(file):
        revision = validate_archive(file)
        _refuse_unknown(file, revision)
        return revision
    if file.is_file() and is_mysql_dump(file):
        try:
            revision = validate_dump(file)
        except DatabaseError as error:
            raise BackupRefusedError(f"{error.message}. Nothing was changed.") from error
        _refuse_unknown(file, revision)
        return revision
    if not file.is_file() or file.stat().st_size == 0:
        raise _refuse(file, "it is not a ClinicDesk database backup")
    with open(file, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise _refuse(file, "it is not a ClinicDesk database backup")
    try:
        conn = open_sqlite_read_only(file)
        try:
            check = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revisions = stamps(conn) if "alembic_version" in tables else []
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise _refuse(file, f"it is damaged or not a database ({error})") from error
    if check != ["ok"]:
        raise _refuse(file, f"it is damaged (integrity_check: {check[0] if check else 'no answer'})")
    if "alembic_version" not in tables or "user" not in tables:
        raise _refuse(file, "it is a SQLite file but not a ClinicDesk database")
    if len(revisions) != 1:
        found = ", ".join(revisions) or "none"
        raise _refuse(file, f"it records {len(revisions)} schema revisions ({found}) instead of one")
    revision = revisions[0]
    _refuse_unknown(file, revision)
    altered = _schema_altered(f"sqlite:///{file.resolve()}")
    if altered:
        raise _refuse(file, altered)
    return revision


def _schema_altered(url: str) -> str:
    """Why the schema at ``url`` is not the one its revision should have ("" when it is, or when the
    revision's fingerprint is not known)."""
    result = fingerprint.check(url)
    if not result.known or result.matches:
        return ""
    first = result.differences[0] if result.differences else "its tables differ"
    return (
        f"its structure is not what revision {result.revision} should have ({first}); it was changed by hand"
    )


def _keep_only_a_sound_schema(
    file: Path, url: str, safety: BackupResult, put_back: Callable[[], None]
) -> None:
    """After a server restore: put the replaced database back and refuse ``file`` when the schema it
    brought differs from its revision's fingerprint."""
    altered = _schema_altered(url)
    if not altered:
        return
    log.warning("restored schema from %s refused: %s", file, altered)
    try:
        put_back()
    except DatabaseError as error:
        kept = f" The replaced database was saved first: {safety.path}." if safety.path else ""
        raise DatabaseError(
            f"{file.name} cannot be restored: {altered}. Putting the database back failed too "
            f"({error.message}).{kept}"
        ) from error
    raise BackupRefusedError(
        f"{file.name} cannot be restored: {altered}. The database was put back as it was."
    )


def _refuse_unknown(file: Path, revision: str | None) -> None:
    if revision is not None and not is_known_revision(revision):
        raise DatabaseTooNewError(
            f"{file.name} was made by a newer version of ClinicDesk (schema revision {revision}); "
            "this version cannot use it. Nothing was changed."
        )


def restore(file: Path, url: str) -> BackupResult:
    """Put ``file`` back as the database at ``url``; the current database is backed up first.

    The caller must have closed every connection to the database (the app signs out and disposes its
    engine). Returns the backup made of the database that was replaced.
    """
    file = Path(file)
    archive = file.is_file() and is_postgres_archive(file)
    dump = file.is_file() and is_mysql_dump(file)
    if is_mysql(url):
        if not dump:
            raise _refuse(file, "only a .sql file made by ClinicDesk can go into a MariaDB / MySQL database")
        validate_backup(file)
        safety = mysql_restore.restore_mysql(file, url)
        _keep_only_a_sound_schema(file, url, safety, lambda: mysql_restore.put_back(safety, url))
        return safety
    if dump:
        raise _refuse(file, "it is a MariaDB / MySQL backup; it can only be restored into such a server")
    if not is_sqlite(url):
        if not archive:
            raise _refuse(file, "only a .dump file made by ClinicDesk can go into a clinic server database")
        safety = postgres_restore.restore_postgres(file, url)
        schemas = archive_schemas(file)
        _keep_only_a_sound_schema(file, url, safety, lambda: postgres_restore.put_back(safety, url, schemas))
        return safety
    if archive:
        raise _refuse(file, "it is a clinic server (PostgreSQL) backup, not one of a local database file")
    target = sqlite_path(url)
    if target is None:
        raise DatabaseError("This database has no file to restore into.")
    if probe_sqlite(target).is_other_program:
        raise RefusedError(f"{target} belongs to another program; it was not replaced. Nothing was changed.")
    validate_backup(file)
    # Staged before the safety backup: that backup thins the folder the chosen file may live in.
    staging = target.with_name(target.name + ".restoring")
    try:
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, paths.PRIVATE_FILE_MODE)
        with os.fdopen(fd, "wb") as out, open(file, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        # O_CREAT's mode does not apply to a staging file left behind by an earlier attempt.
        os.chmod(staging, paths.PRIVATE_FILE_MODE)
    except OSError as error:
        staging.unlink(missing_ok=True)
        raise DatabaseError(
            f"The backup could not be copied next to the database ({error.strerror or error}); "
            "the database was not changed."
        ) from error
    try:
        safety = _back_up_current(target, url)
        # An old -wal next to the new file would be replayed into it: remove them first.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(staging, target)
    except OSError as error:
        raise DatabaseError(
            f"The backup could not be put in place ({error.strerror or error}); the database was not changed."
        ) from error
    finally:
        staging.unlink(missing_ok=True)
    log.info("database %s restored from %s", target, file)
    return safety


def _back_up_current(target: Path, url: str) -> BackupResult:
    if not target.exists() or target.stat().st_size == 0:
        return BackupResult(False, None, "There was no database to back up before restoring.")
    try:
        return backup(url, reason="before-restore")
    except DatabaseError:
        # A damaged current file cannot go through the backup API: keep a raw copy instead.
        raw = backups_folder() / f"damaged-{stamp()}-{target.name}"
        try:
            shutil.copy2(target, raw)
            os.chmod(raw, paths.PRIVATE_FILE_MODE)
        except OSError as error:
            raise DatabaseError(
                f"The current database could not be kept aside first ({error.strerror or error}); "
                "it was not replaced."
            ) from error
        return BackupResult(True, raw, f"The damaged database was kept as {raw}")
