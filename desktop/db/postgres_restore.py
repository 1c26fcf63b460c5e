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
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from desktop.db.backup import BackupResult, backup
from desktop.domain.errors import DatabaseError, DatabaseTooNewError

log = logging.getLogger(__name__)

ARCHIVE_MAGIC = b"PGDMP"
_TIMEOUT_S = 3600
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?P<schema>\S+) (?P<name>\S+) ")
_MISSING_TOOLS = (
    "Restoring a clinic server (PostgreSQL) backup needs PostgreSQL's pg_restore and psql programs, "
    "which were not found on this computer. Install the PostgreSQL client tools; nothing was changed."
)

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


def is_postgres_archive(file: Path) -> bool:
    try:
        with open(file, "rb") as handle:
            return handle.read(len(ARCHIVE_MAGIC)) == ARCHIVE_MAGIC
    except OSError:
        return False


def _tools() -> tuple[str, str]:
    """pg_restore and psql (psql looked for next to pg_restore too); DatabaseError when missing."""
    pg_restore = shutil.which("pg_restore")
    psql = shutil.which("psql")
    if pg_restore is not None and psql is None:
        sibling = Path(pg_restore).with_name(Path(pg_restore).name.replace("pg_restore", "psql"))
        psql = str(sibling) if sibling.is_file() else None
    if pg_restore is None or psql is None:
        raise DatabaseError(_MISSING_TOOLS)
    return pg_restore, psql


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a client tool; a tool that cannot start or hangs is a DatabaseError, not a traceback.

    A psql killed by the timeout drops its connection, and the server rolls its transaction back.
    """
    try:
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DatabaseError(
            f"{Path(command[0]).name} could not run or did not finish ({error}); nothing was changed."
        ) from error


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    picked = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "")
    # "psql:/tmp/.../restore.sql:497: ERROR:  x" -> "ERROR: x": the script's path means nothing to anyone.
    picked = re.sub(r"^(pg_restore|psql)(:\S*?:\d+)?: ", "", picked)
    return " ".join(picked.split())[:300]


def archive_schemas(file: Path) -> set[str]:
    """The schemas of the archive's tables; DatabaseError unless it is a readable ClinicDesk archive."""
    pg_restore, _ = _tools()
    listed = _run([pg_restore, "--list", str(file)])
    if listed.returncode != 0:
        raise DatabaseError(f"{file.name} is damaged or not a backup ({_first_error(listed.stderr)}).")
    tables = {(m["schema"], m["name"]) for m in map(_TOC_TABLE.match, listed.stdout.splitlines()) if m}
    names = {name for _, name in tables}
    if "alembic_version" not in names or "user" not in names:
        raise DatabaseError(f"{file.name} is a PostgreSQL backup but not of a ClinicDesk database.")
    return {schema for schema, _ in tables}


def archive_revision(file: Path) -> str | None:
    """The Alembic revision stored in the archive's alembic_version data (None when empty)."""
    pg_restore, _ = _tools()
    data = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(file)])
    if data.returncode != 0:
        raise DatabaseError(f"{file.name} is damaged ({_first_error(data.stderr)}).")
    lines = data.stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            rows = lines[index + 1 :]
            value = rows[0].strip() if rows else "\\."
            return None if value == "\\." else value
    return None


def validate_archive(file: Path) -> str | None:
    """Raise DatabaseError unless ``file`` is a readable ClinicDesk pg_dump archive; return its revision."""
    archive_schemas(file)
    return archive_revision(file)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``url`` (password passed through the environment, not argv)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _has_tables(url: str) -> bool:
    import sqlalchemy as sa

    from desktop.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(sa.inspect(conn).get_table_names())
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
    pg_restore, psql = _tools()
    schemas = archive_schemas(file)
    revision = archive_revision(file)
    if revision is not None:
        from desktop.db.migrate import is_known_revision

        if not is_known_revision(revision):
            raise DatabaseTooNewError(
                f"{file.name} was made by a newer version of ClinicDesk (schema revision {revision}); "
                "this version cannot use it. Nothing was changed."
            )
    conninfo, env = _libpq(url)
    with tempfile.TemporaryDirectory(prefix="clinicdesk-restore-") as folder:
        script = Path(folder) / "restore.sql"
        # Writing the whole script first reads every data block: a damaged archive stops here, before
        # the current database is even backed up.
        converted = _run([pg_restore, "--no-owner", f"--file={script}", str(file)])
        if converted.returncode != 0:
            raise DatabaseError(
                f"{file.name} is damaged ({_first_error(converted.stderr)}); nothing was changed."
            )
        safety = _back_up_current(url)
        prelude = "".join(_PRELUDE % (s, s, s) for s in sorted(schemas) if "'" not in s)
        ran = _run(
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={conninfo}",
                f"--command={prelude}",
                f"--file={script}",
            ],
            env=env,
        )
    if ran.returncode != 0:
        log.warning("restore of %s failed: %s", file, ran.stderr)
        raise DatabaseError(
            f"The restore from {file.name} failed and was undone; the database is as it was "
            f"({_first_error(ran.stderr)})."
        )
    log.info("database restored from %s", file)
    return safety
