"""PostgreSQL backup archives (``pg_dump -Fc``): the client tools, reading and verifying an archive.

Shared by making a backup (desktop/db/backup.py) and restoring one (desktop/db/postgres_restore.py).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from desktop.db.engine import make_engine
from desktop.db.integrity import server_table_counts
from desktop.db.migration_lock import read_current
from desktop.domain.errors import DatabaseError

log = logging.getLogger(__name__)

ARCHIVE_MAGIC = b"PGDMP"
TIMEOUT_S = 3600
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?P<schema>\S+) (?P<name>\S+) ")
_COPY = re.compile(r'^COPY (?:"?(?P<schema>[^".\s]+)"?\.)?"?(?P<name>[^"\s(]+)"? ')
MISSING_TOOLS = (
    "Restoring a clinic server (PostgreSQL) backup needs PostgreSQL's pg_restore and psql programs, "
    "which were not found on this computer. Install the PostgreSQL client tools; nothing was changed."
)
MISSING_TOOLS_FOR_BACKUP = (
    "No backup was made: the PostgreSQL client tools (pg_dump, pg_restore) are not installed on this "
    "computer. Install them, or let the server's administrator make the backups."
)


def is_postgres_archive(file: Path) -> bool:
    try:
        with open(file, "rb") as handle:
            return handle.read(len(ARCHIVE_MAGIC)) == ARCHIVE_MAGIC
    except OSError:
        return False


def restore_tools_present() -> bool:
    try:
        tools()
    except DatabaseError:
        return False
    return True


def tools() -> tuple[str, str]:
    """pg_restore and psql (psql looked for next to pg_restore too); DatabaseError when missing."""
    pg_restore = shutil.which("pg_restore")
    psql = shutil.which("psql")
    if pg_restore is not None and psql is None:
        sibling = Path(pg_restore).with_name(Path(pg_restore).name.replace("pg_restore", "psql"))
        psql = str(sibling) if sibling.is_file() else None
    if pg_restore is None or psql is None:
        raise DatabaseError(MISSING_TOOLS)
    return pg_restore, psql


def run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a client tool; a tool that cannot start or hangs is a DatabaseError, not a traceback.

    A psql killed by the timeout drops its connection, and the server rolls its transaction back.
    """
    try:
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DatabaseError(
            f"{Path(command[0]).name} could not run or did not finish ({error}); nothing was changed."
        ) from error


def first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    picked = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "")
    # "psql:/tmp/.../restore.sql:497: ERROR:  x" -> "ERROR: x": the script's path means nothing to anyone.
    picked = re.sub(r"^(pg_restore|psql)(:\S*?:\d+)?: ", "", picked)
    return " ".join(picked.split())[:300]


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``url`` (password passed through the environment, not argv)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def archive_schemas(file: Path) -> set[str]:
    """The schemas of the archive's tables; DatabaseError unless it is a readable ClinicDesk archive."""
    pg_restore, _ = tools()
    listed = run([pg_restore, "--list", str(file)])
    if listed.returncode != 0:
        raise DatabaseError(f"{file.name} is damaged or not a backup ({first_error(listed.stderr)}).")
    tables = {(m["schema"], m["name"]) for m in map(_TOC_TABLE.match, listed.stdout.splitlines()) if m}
    names = {name for _, name in tables}
    if "alembic_version" not in names or "user" not in names:
        raise DatabaseError(f"{file.name} is a PostgreSQL backup but not of a ClinicDesk database.")
    return {schema for schema, _ in tables}


def archive_data(file: Path) -> tuple[list[str], dict[str, int]]:
    """The alembic_version rows and the rows per table in the archive (reads every data block)."""
    pg_restore, _ = tools()
    data = run([pg_restore, "--data-only", "--file=-", str(file)])
    if data.returncode != 0:
        raise DatabaseError(f"{file.name} is damaged ({first_error(data.stderr)}).")
    counts: dict[str, int] = {}
    versions: list[str] = []
    table: str | None = None
    for line in data.stdout.splitlines():
        if table is None:
            match = _COPY.match(line)
            if match:
                table = match["name"]
                counts[table] = 0
            continue
        if line == "\\.":
            table = None
            continue
        counts[table] += 1
        if table == "alembic_version":
            versions.append(line.strip())
    return versions, counts


def archive_revision(file: Path) -> str | None:
    """The Alembic revision stored in the archive (None when empty); DatabaseError for several."""
    versions, _ = archive_data(file)
    if len(versions) > 1:
        raise DatabaseError(
            f"{file.name} records several schema revisions at once ({', '.join(versions)}); "
            "it is damaged and cannot be restored. Nothing was changed."
        )
    return versions[0] if versions else None


def verify_archive(file: Path, revision: str | None, counts: dict[str, int]) -> str:
    """What is wrong with the archive (an unreadable data block, revision, row counts); empty if nothing."""
    try:
        archive_schemas(file)
        versions, found = archive_data(file)
    except DatabaseError as error:
        return error.message
    if versions != ([revision] if revision else []):
        return f"revision {', '.join(versions) or 'none'} instead of {revision}"
    wanted = {name: n for name, n in counts.items()}
    got = {name: found.get(name, 0) for name in wanted}
    if got != wanted:
        return "row counts differ in " + ", ".join(sorted(k for k in wanted if got[k] != wanted[k]))
    return ""


@contextmanager
def snapshot(url: str) -> Iterator[tuple[str, tuple[str | None, dict[str, int]]]]:
    """An exported snapshot id (for ``pg_dump --snapshot``) and the revision and row counts seen in it.

    The transaction stays open while the block runs, so pg_dump copies exactly what was counted.
    """
    engine = make_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn, conn.begin():
            snapshot_id = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            revision = read_current(conn)
            counts = server_table_counts(conn)
            yield snapshot_id, (revision, counts)
    finally:
        engine.dispose()
