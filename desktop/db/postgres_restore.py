"""Restore of a PostgreSQL backup made by :func:`desktop.db.backup.backup` (a ``pg_dump -Fc`` archive).

Why not plain ``pg_restore --clean --single-transaction``: ``--clean`` drops only what the archive
holds, so restoring an older backup over an upgraded database leaves the newer tables behind, and
their foreign keys to ``user`` make the DROP fail. Instead the archive is first turned into a SQL
script with ``pg_restore --file`` (which also proves every data block is readable: a truncated or
damaged archive fails here, before anything is touched), then ``psql --single-transaction`` runs a
prelude that drops the tables of the archive's schemas and the script, all in one transaction with
``ON_ERROR_STOP``: a failure rolls back and leaves the database as it was.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from sqlalchemy import inspect as sa_inspect

from desktop.db.backup import BackupResult, backup
from desktop.db.engine import make_engine
from desktop.db.migrate import is_known_revision
from desktop.db.pg_archive import archive_revision, archive_schemas, first_error, libpq, run, tools
from desktop.domain.errors import DatabaseError, DatabaseTooNewError

log = logging.getLogger(__name__)

# Drops every table, view and sequence of one schema (the archive recreates them); %s is the schema.
_PRELUDE = """
SET LOCAL lock_timeout = '30s';
DO $clinicdesk$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT format('%%I.%%I', schemaname, viewname) AS name FROM pg_views
                WHERE schemaname = '%s' LOOP
        EXECUTE 'DROP VIEW IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
    FOR item IN SELECT format('%%I.%%I', schemaname, tablename) AS name FROM pg_tables
                WHERE schemaname = '%s' LOOP
        EXECUTE 'DROP TABLE IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
    FOR item IN SELECT format('%%I.%%I', schemaname, sequencename) AS name FROM pg_sequences
                WHERE schemaname = '%s' LOOP
        EXECUTE 'DROP SEQUENCE IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
END
$clinicdesk$;
"""


def validate_archive(file: Path) -> str | None:
    """Raise DatabaseError unless ``file`` is a readable ClinicDesk pg_dump archive; return its revision."""
    archive_schemas(file)
    return archive_revision(file)


def _has_tables(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(sa_inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _back_up_current(url: str) -> BackupResult:
    """The before-restore backup; DatabaseError when it cannot be made and there is data to lose."""
    safety = backup(url, reason="before-restore")
    if safety.made:
        return safety
    if _has_tables(url):
        raise DatabaseError(
            f"The current database could not be backed up first, so it was not replaced. {safety.message}"
        )
    return BackupResult(False, None, "There was no database to back up before restoring.")


def restore_postgres(file: Path, url: str) -> BackupResult:
    """Replace the PostgreSQL database at ``url`` with the archive ``file``, in one transaction.

    The current database is backed up first; when that backup cannot be made (and the database is not
    empty) nothing is changed. Returns the backup made of the database that was replaced.
    """
    pg_restore, psql = tools()
    schemas = archive_schemas(file)
    revision = archive_revision(file)
    if revision is not None and not is_known_revision(revision):
        raise DatabaseTooNewError(
            f"{file.name} was made by a newer version of ClinicDesk (schema revision {revision}); "
            "this version cannot use it. Nothing was changed."
        )
    with tempfile.TemporaryDirectory(prefix="clinicdesk-restore-") as folder:
        # Writing the whole script first reads every data block: a damaged archive stops here, before
        # the current database is even backed up.
        script = _script(pg_restore, file, Path(folder))
        safety = _back_up_current(url)
        _replace(psql, url, schemas, script, file)
    log.info("database restored from %s", file)
    return safety


def put_back(safety: BackupResult, url: str, schemas: set[str]) -> None:
    """Undo a restore that completed but whose result is refused: load the before-restore backup
    ``safety`` again, in one transaction; when there was nothing to back up, drop what the restore
    made in ``schemas``. DatabaseError when that fails too (the database is then the refused one)."""
    pg_restore, psql = tools()
    with tempfile.TemporaryDirectory(prefix="clinicdesk-put-back-") as folder:
        if safety.path is None:
            _replace(psql, url, schemas, None, None)
            return
        script = _script(pg_restore, safety.path, Path(folder))
        _replace(psql, url, schemas | archive_schemas(safety.path), script, safety.path)


def _script(pg_restore: str, file: Path, folder: Path) -> Path:
    """The archive as a SQL script (``pg_restore --file``); DatabaseError when it cannot be read whole."""
    script = folder / "restore.sql"
    converted = run([pg_restore, "--no-owner", f"--file={script}", str(file)])
    if converted.returncode != 0:
        raise DatabaseError(f"{file.name} is damaged ({first_error(converted.stderr)}); nothing was changed.")
    return script


def _replace(psql: str, url: str, schemas: set[str], script: Path | None, file: Path | None) -> None:
    """Drop the tables of ``schemas`` and run ``script`` (if any), all in one transaction."""
    conninfo, env = libpq(url)
    prelude = "".join(_PRELUDE % (s, s, s) for s in sorted(schemas) if "'" not in s)
    command = [
        psql,
        "--no-psqlrc",
        "--quiet",
        "--single-transaction",
        "--set=ON_ERROR_STOP=1",
        f"--dbname={conninfo}",
        f"--command={prelude}",
    ]
    ran = run(command + ([f"--file={script}"] if script is not None else []), env=env)
    if ran.returncode != 0:
        log.warning("restore of %s failed: %s", file, ran.stderr)
        name = file.name if file is not None else "the backup"
        raise DatabaseError(
            f"The restore from {name} failed and was undone; the database is as it was "
            f"({first_error(ran.stderr)})."
        )
