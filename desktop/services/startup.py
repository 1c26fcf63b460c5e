"""The start-up decision, before sign-in: create, upgrade, refuse, or offer a way out (Qt-free).

The app (desktop/app/sequence.py, through the start-up dialogs) calls :func:`inspect` on a worker
thread, behind the sign-in window, and acts on its state:

* ``MISSING``: :func:`run_startup_upgrade` creates the database at head.
* ``BEHIND``: show a progress dialog naming each revision and call :func:`run_startup_upgrade`
  (automatic backup, then the upgrade). On :class:`StartupUpgradeError` show its message, its
  ``backup_path`` and ``log_path``, and do not continue.
* ``AT_HEAD``: start at once. ``FINGERPRINT_MISMATCH`` (only when asked for with
  ``check_fingerprint=True``): start, but warn, naming the Database tools dialog.
* ``TOO_NEW``: never touch the database; explain, offer to quit or open a backup.
* ``NOT_A_DATABASE``: explain; offer to restore a backup (desktop.services.maintenance) or to start a
  new database after :func:`quarantine_corrupt` (the old file is renamed, never deleted).
* ``CORRUPT``: SQLite's quick_check found damage in a ClinicDesk database; the check names the
  problem and the newest verified backup (``backup``), which the dialog offers to restore in one click.

Every SQLite file that holds a ClinicDesk database gets ``PRAGMA quick_check`` here, before anything
is built on it (about 0.1 s for 100,000 records; tests/perf/bench_migrations.py measures the check).
The services (and so every sign-in and every write) are opened only after it passed.

The at-head path for SQLite uses only the standard library (desktop.db.probe, desktop.db.backup_catalog):
no SQLAlchemy reflection, no Alembic import. That is why the database modules (migrate, backup, fingerprint,
engine) and the maintenance service are imported inside the functions that need them: this module runs
before the sign-in window is usable, and those imports would delay it on every ordinary start.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.db.backup_catalog import newest_verified
from desktop.db.probe import expected_digest, known_head, probe_sqlite, quick_check, sqlite_schema_digest
from desktop.domain.dto import AuditAction
from desktop.domain.errors import (
    DatabaseError,
    DatabaseTooNewError,
    MigrationError,
    MigrationInterruptedError,
)
from desktop.paths import backups_dir, data_dir
from desktop.settings import database_location, log_file_path, sqlite_file_of

if TYPE_CHECKING:
    from desktop.db.backup import BackupResult
    from desktop.db.migrate import MigrationResult, Revision, Step

log = logging.getLogger(__name__)


class StartupState(StrEnum):
    MISSING = "missing"
    AT_HEAD = "at_head"
    BEHIND = "behind"
    TOO_NEW = "too_new"
    NOT_A_DATABASE = "not_a_database"
    CORRUPT = "corrupt"
    FINGERPRINT_MISMATCH = "fingerprint_mismatch"


@dataclass(frozen=True)
class StartupCheck:
    state: StartupState
    location: str
    current: str | None = None
    head: str | None = None
    pending: tuple[Revision, ...] = ()
    message: str = ""
    differences: tuple[str, ...] = field(default_factory=tuple)
    #: The newest verified backup (offered for a one-click restore when the database is damaged).
    backup: Path | None = None


class StartupUpgradeError(MigrationError):
    """The start-up upgrade failed; the database is at its previous revision. Carries where the backup
    and the log file are, for the dialog."""

    def __init__(self, message: str, backup_path: Path | None, log_path: Path | None) -> None:
        super().__init__(message)
        self.backup_path = backup_path
        self.log_path = log_path


def inspect(url: str, check_fingerprint: bool = False) -> StartupCheck:
    """Where the database at ``url`` stands. Never modifies it.

    Server problems (unreachable PostgreSQL) raise DatabaseError with a plain message.
    """
    location = database_location(url)
    path = sqlite_file_of(url)
    if path is not None:
        probe = probe_sqlite(path)
        head = known_head()
        if probe.kind in ("missing", "empty"):
            return StartupCheck(
                StartupState.MISSING,
                location,
                head=head,
                message="There is no ClinicDesk database here yet; a new one will be made.",
            )
        if probe.kind == "not_sqlite":
            return StartupCheck(
                StartupState.NOT_A_DATABASE,
                location,
                message="This file is not a database (it belongs to another program, or is damaged).",
            )
        if probe.kind == "unreadable":
            reason = f"The database file cannot be read ({probe.detail}); it may be damaged."
            return StartupCheck(StartupState.NOT_A_DATABASE, location, message=reason)
        if probe.kind == "foreign":
            return StartupCheck(
                StartupState.NOT_A_DATABASE,
                location,
                message="This file is a database, but not a ClinicDesk database.",
            )
        if probe.kind == "stamped":
            damage = quick_check(path)
            if damage != "ok":
                return _corrupt(location, damage, probe.revision)
        if probe.kind == "stamped" and probe.revision == head and head is not None:
            check = StartupCheck(StartupState.AT_HEAD, location, current=head, head=head)
            return _with_fingerprint(url, check) if check_fingerprint else check
    return _slow_inspect(url, location, check_fingerprint)


def _corrupt(location: str, damage: str, revision: str | None) -> StartupCheck:
    try:
        newest = newest_verified(backups_dir())
    except OSError:  # an unreadable data folder: no backup to offer
        newest = None
    if newest is not None:
        when = newest.created.astimezone().strftime("%Y-%m-%d %H:%M")
        offer = f"The newest good backup is from {when} ({newest.path.name}); it can be restored now."
    else:
        offer = "No verified backup was found in the backups folder; choose a backup file to restore."
    return StartupCheck(
        StartupState.CORRUPT,
        location,
        current=revision,
        backup=newest.path if newest is not None else None,
        message=(
            f"The database file is damaged (SQLite's check found: {damage}). Nothing has been written "
            f"to it. {offer} The damaged file is kept next to it under a new name."
        ),
    )


def _slow_inspect(url: str, location: str, check_fingerprint: bool) -> StartupCheck:
    """Anything but a SQLite file at head: ask Alembic (and SQLAlchemy for PostgreSQL)."""
    from desktop.db import migrate

    try:
        status = migrate.status(url)
    except DatabaseError:
        raise
    except Exception as error:  # reading a damaged or read-only file: a message, the log keeps the rest
        log.warning("start-up check of %s failed", location, exc_info=True)
        raise DatabaseError(f"The database at {location} cannot be read ({error}).") from error
    if status.is_too_new:
        return StartupCheck(
            StartupState.TOO_NEW,
            location,
            current=status.current,
            head=status.head,
            message=(
                f"This database was made by a newer version of ClinicDesk (schema revision "
                f"{status.current}; this version knows up to {status.head}). It has not been changed."
            ),
        )
    if not status.exists or status.current is None:
        if status.exists and _has_foreign_tables(url):
            return StartupCheck(
                StartupState.NOT_A_DATABASE,
                location,
                message="This database has tables, but is not a ClinicDesk database.",
            )
        return StartupCheck(
            StartupState.MISSING,
            location,
            head=status.head,
            pending=status.pending,
            message="There is no ClinicDesk database here yet; a new one will be made.",
        )
    if status.pending:
        return StartupCheck(
            StartupState.BEHIND,
            location,
            current=status.current,
            head=status.head,
            pending=status.pending,
            message=f"The database needs {len(status.pending)} upgrade step(s); a backup is made first.",
        )
    check = StartupCheck(StartupState.AT_HEAD, location, current=status.current, head=status.head)
    return _with_fingerprint(url, check) if check_fingerprint else check


def _has_foreign_tables(url: str) -> bool:
    from sqlalchemy import inspect as sa_inspect

    from desktop.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(sa_inspect(conn).get_table_names())
    finally:
        engine.dispose()


VERIFIED_FILE = "schema-verified.json"


def _with_fingerprint(url: str, check: StartupCheck) -> StartupCheck:
    """Compare with the committed fingerprint. For SQLite a verified result is remembered per file,
    keyed by a digest of sqlite_master (any DDL changes it), so later starts skip the reflection."""
    path = sqlite_file_of(url)
    name = str(path.resolve()) if path is not None else ""
    key = _verified_key(path, check.current) if path is not None else None
    if key is not None and _verified().get(name) == key:
        return check
    from desktop.db.fingerprint import check as fingerprint_check

    result = fingerprint_check(url)
    if not result.known or result.matches:
        if key is not None and result.matches:
            _remember_verified(name, key)
        return check
    return StartupCheck(
        StartupState.FINGERPRINT_MISMATCH,
        check.location,
        current=check.current,
        head=check.head,
        differences=result.differences,
        message=(
            "The database's structure differs from what this version expects (it may have been "
            "changed by hand). Open Tools > Database tools and run the integrity check for details."
        ),
    )


def _verified_key(path: Path, revision: str | None) -> str | None:
    schema = sqlite_schema_digest(path)
    expected = expected_digest(revision or "")
    return f"{revision}:{expected}:{schema}" if schema and expected else None


def _verified() -> dict[str, str]:
    try:
        data = json.loads((data_dir() / VERIFIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember_verified(path: str, key: str) -> None:
    data = _verified()
    data[path] = key
    target = data_dir() / VERIFIED_FILE
    tmp = target.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:  # only a cache
        log.debug("could not remember the verified schema", exc_info=True)


@dataclass(frozen=True)
class StartupUpgradeResult:
    backup: BackupResult
    migration: MigrationResult


def run_startup_upgrade(
    url: str,
    progress: Callable[[Step], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> StartupUpgradeResult:
    """Automatic backup, then upgrade to head; records the upgrade in the audit log.

    A second copy of the app calling this at the same moment waits (``on_wait`` tells it why) and then
    finds nothing to do. Raises DatabaseTooNewError untouched, StartupUpgradeError on failure.
    """
    from desktop.db import backup, migrate

    try:
        made = backup.backup(url, reason="before-upgrade")
    except DatabaseError as error:
        raise StartupUpgradeError(
            f"No upgrade was attempted because the automatic backup failed: {error.message}",
            None,
            log_file_path(),
        ) from error
    try:
        result = migrate.upgrade(url, progress=progress, on_wait=on_wait, backup=made)
    except (DatabaseTooNewError, MigrationInterruptedError):
        # Interrupted (MySQL / MariaDB): the database is half-changed, so not "left as it was"; the
        # error names the backup to restore.
        raise
    except DatabaseError as error:
        where = f" A backup made just before is at {made.path}." if made.path else f" {made.message}"
        raise StartupUpgradeError(
            f"{error.message}{where} Details are in the log file {log_file_path()}.",
            made.path,
            log_file_path(),
        ) from error
    if result.changed:
        from desktop.services.maintenance import record

        steps = ", ".join(r.revision for r in result.applied)
        record(
            url,
            AuditAction.MIGRATION,
            "system",
            f"start-up upgrade {result.before or 'new database'} -> "
            f"{result.after} ({steps}); backup: {made.path or made.message}",
            entity_id=result.after or "",
        )
    elif made.path is not None:
        # Another copy upgraded while we waited: our backup is a copy of the upgraded database.
        log.info("start-up upgrade: nothing left to do (another copy upgraded); keeping backup %s", made.path)
    return StartupUpgradeResult(made, result)


def quarantine_corrupt(path: Path | str) -> Path:
    """Rename a damaged database file (and its -wal / -shm) aside so a new one can be made.

    Never deletes anything; returns the new name of the main file.
    """
    path = Path(path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
        counter += 1
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(str(path) + suffix)
        if side.exists():
            os.replace(side, Path(str(target) + suffix))
    log.warning("damaged database %s kept as %s", path, target)
    return target


def describe(check: StartupCheck) -> dict[str, Any]:
    """A plain dict of the check (for logging and the --self-test output)."""
    return {
        "state": check.state.value,
        "location": check.location,
        "current": check.current,
        "head": check.head,
        "pending": [r.revision for r in check.pending],
        "message": check.message,
    }


def automatic_backup(url: str, moment: str) -> str:
    """The scheduled backup for ``moment`` ("start": first start of the day; "close": closing after
    changes), as the program itself; returns what to tell the person ("" for nothing). Never raises:
    a failed automatic backup is logged and said, and the program goes on."""
    from desktop.services.maintenance import MaintenanceService

    try:
        made = MaintenanceService.local(url, "system").automatic_backup(moment)
    except Exception as error:  # a backup that cannot be made must not stop the program
        log.warning("automatic %s backup failed", moment, exc_info=True)
        return f"The automatic backup failed: {getattr(error, 'message', error)}"
    if made is None:
        return ""
    return made.mirror_warning or ("" if made.made else made.message)


def backups_folder() -> Path:
    """The backups folder (DatabaseError in plain words when it cannot be made)."""
    from desktop.db.backup import backups_folder as folder

    return folder()


def validate_backup(file: Path) -> None:
    """Refuse (RefusedError / DatabaseTooNewError) a file that is not a sound ClinicDesk backup."""
    from desktop.db.restore import validate_backup as validate

    validate(file)


def restore_backup(url: str, file: Path) -> str:
    """Restore ``file`` before sign-in, as the person at this computer (see the dialogs); the message."""
    from desktop.services.maintenance import MaintenanceService

    return MaintenanceService.local(url, "start-up").restore(file=file).message
