"""Backup and restore of a MySQL / MariaDB clinic database with the server's own client tools.

Backup: ``mariadb-dump`` (or MySQL's ``mysqldump``) with ``--single-transaction``, a consistent
snapshot of the InnoDB tables taken without blocking the desktops, written to a ``.partial`` file and
renamed only after it is verified: the dump ran to its "Dump completed" line and the revision in it is
the database's. Restore: the dump is checked the same way (and refused when a newer ClinicDesk made
it), the current database is backed up, every table is dropped so the dump loads into an empty
database (a newer schema's extra tables included), then the ``mariadb`` / ``mysql`` client loads it
and the restored revision is compared with the dump's.

The password goes to the tools in a temporary option file readable only by this user, never on the
command line. When the tools are missing the result says so plainly; nothing raises a traceback.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from desktop.db.backup import BackupResult, backup, new_backup_path
from desktop.db.engine import make_engine
from desktop.db.migration_lock import read_current
from desktop.domain.errors import DatabaseError, DatabaseTooNewError

log = logging.getLogger(__name__)

_TIMEOUT_S = 3600
_HEADER = re.compile(r"^-- (MariaDB|MySQL) dump ")
_COMPLETED = "-- Dump completed"
_REVISION_INSERT = "INSERT INTO `alembic_version` VALUES"
_REVISION = re.compile(r"\('(?P<revision>[0-9a-z]+)'\)")
MISSING_DUMP = (
    "No backup was made: the MariaDB / MySQL client tools (mariadb-dump or mysqldump) are not installed "
    "on this computer. Install the MariaDB client package."
)
MISSING_CLIENT = (
    "Restoring a clinic server (MariaDB / MySQL) backup needs the mariadb or mysql client program, "
    "which was not found on this computer. Install the MariaDB client package; nothing was changed."
)


def dump_tool() -> str | None:
    return shutil.which("mariadb-dump") or shutil.which("mysqldump")


def client_tool() -> str | None:
    return shutil.which("mariadb") or shutil.which("mysql")


@contextmanager
def _options_file(url: str) -> Iterator[tuple[str, str]]:
    """A private option file with host, port, user and password; yields (its path, the database)."""
    parsed = make_url(url)
    lines = ["[client]", f"host={parsed.host or 'localhost'}", f"port={parsed.port or 3306}"]
    if parsed.username:
        lines.append(f"user={parsed.username}")
    if parsed.password:
        lines.append(f'password="{parsed.password}"')
    lines.append("default-character-set=utf8mb4")
    with tempfile.TemporaryDirectory(prefix="clinicdesk-mysql-") as folder:
        path = Path(folder) / "client.cnf"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        yield str(path), str(parsed.database or "")


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False, **kwargs
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DatabaseError(f"{Path(command[0]).name} could not run or did not finish ({error}).") from error


def _first_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return " ".join((lines[0] if lines else "unknown error").split())[:300]


def live_revision(url: str) -> tuple[str | None, bool]:
    """The database's revision and whether it has any tables."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return read_current(conn), bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the dump file


def is_mysql_dump(file: Path) -> bool:
    """True when ``file`` starts like a mariadb-dump / mysqldump file (newer MariaDB tools put a
    sandbox-mode comment first)."""
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            head = [handle.readline() for _ in range(3)]
    except OSError:
        return False
    return any(_HEADER.match(line) for line in head)


def dump_revision(file: Path, clinicdesk: bool = True) -> str | None:
    """Raise DatabaseError unless ``file`` is a complete dump (of a ClinicDesk database, unless
    ``clinicdesk`` is False); return its revision."""
    revision: str | None = None
    has_user = completed = False
    pending = ""  # the alembic_version INSERT, whose values may start on the next line
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("CREATE TABLE `user`"):
                    has_user = True
                elif line.startswith(_COMPLETED):
                    completed = True
                elif line.startswith(_REVISION_INSERT):
                    pending = line
                if pending and revision is None:
                    found = _REVISION.search(pending if pending is line else pending + line)
                    if found is not None:
                        revision = found["revision"]
                    elif pending is not line:
                        pending = ""
    except OSError as error:
        raise DatabaseError(f"{file.name} cannot be read ({error}).") from error
    if not completed:
        raise DatabaseError(f"{file.name} is incomplete (the dump did not finish); it cannot be used.")
    if clinicdesk and not has_user:
        raise DatabaseError(f"{file.name} is a MariaDB / MySQL dump but not of a ClinicDesk database.")
    return revision


# --------------------------------------------------------------------------- backup


def backup_mysql(url: str, reason: str, folder: Path) -> BackupResult:
    """A verified ``--single-transaction`` dump in ``folder``; a plain result when it cannot be made."""
    tool = dump_tool()
    if tool is None:
        return BackupResult(False, None, MISSING_DUMP)
    revision, has_tables = live_revision(url)
    if not has_tables:
        return BackupResult(False, None, "The database is empty, so nothing was backed up.")
    target = new_backup_path(folder, revision, reason, "sql")
    partial = target.with_suffix(".partial")
    with _options_file(url) as (options, database):
        done = _run(
            [
                tool,
                f"--defaults-extra-file={options}",
                "--single-transaction",
                "--skip-lock-tables",
                "--no-tablespaces",
                "--hex-blob",
                f"--result-file={partial}",
                database,
            ]
        )
    try:
        if done.returncode != 0:
            raise DatabaseError(f"{Path(tool).name} failed ({_first_line(done.stderr)})")
        if dump_revision(partial, clinicdesk=False) != revision:
            raise DatabaseError("the dump's revision differs from the database's")
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except DatabaseError as error:
        partial.unlink(missing_ok=True)
        log.warning("MariaDB backup failed: %s", error.message)
        return BackupResult(False, None, f"No backup was made: {error.message}.")
    log.info("backup made: %s", target)
    return BackupResult(True, target, f"Backup saved to {target}")


# --------------------------------------------------------------------------- restore


def restore_mysql(file: Path, url: str) -> BackupResult:
    """Replace the database at ``url`` with the dump ``file``; returns the backup of what it replaced.

    The current database is backed up first; when that fails and it has tables, nothing is changed.
    """
    client = client_tool()
    if client is None:
        raise DatabaseError(MISSING_CLIENT)
    revision = dump_revision(file)
    if revision is not None:
        from desktop.db.migrate import is_known_revision

        if not is_known_revision(revision):
            raise DatabaseTooNewError(
                f"{file.name} was made by a newer version of ClinicDesk (schema revision {revision}); "
                "this version cannot use it. Nothing was changed."
            )
    safety = backup(url, reason="before-restore")
    if not safety.made:
        if live_revision(url)[1]:
            raise DatabaseError(
                f"The current database could not be backed up first, so it was not replaced. {safety.message}"
            )
        safety = BackupResult(False, None, "There was no database to back up before restoring.")
    _drop_all_tables(url)
    with _options_file(url) as (options, database), open(file, "rb") as dump:
        ran = subprocess.run(
            [client, f"--defaults-extra-file={options}", "--binary-mode", database],
            stdin=dump,
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    restored, _ = live_revision(url)
    if ran.returncode != 0 or restored != revision:
        detail = _first_line(ran.stderr.decode("utf-8", "replace")) if ran.returncode else "revision differs"
        log.warning("restore of %s failed: %s", file, detail)
        kept = f" The replaced database was saved first: {safety.path}." if safety.path else ""
        raise DatabaseError(f"The restore from {file.name} did not complete ({detail}).{kept}")
    log.info("database restored from %s", file)
    return safety


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
