"""Schema migrations, Qt-free: status, history, upgrade, downgrade, create_migration, drift.

Every upgrade / downgrade runs inside :func:`migration_connection` (desktop/db/migration_lock.py): one
transaction that holds the database's write lock (SQLite ``BEGIN IMMEDIATE`` with foreign_keys=OFF and
a foreign_key_check before COMMIT; a PostgreSQL advisory lock) for its whole length. Authoring and the
drift check live in desktop/db/drift.py, the scripts folder and Alembic Config in desktop/db/scripts.py;
all are re-exported here so callers need one module.

Inside the lock the current revision is read again, so a second copy of the app that waited finds
nothing left to do. A database stamped with a revision this version does not know is never touched
(:class:`DatabaseTooNewError`); any failure raises :class:`MigrationError` with the database still at
the revision it had (the whole run is one transaction).

Alembic is imported inside functions: the at-head start-up check (desktop.services.startup) must not
pay for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import exc

from desktop.db import migration_marker
from desktop.db.backup import BackupResult
from desktop.db.backup import backup as make_backup
from desktop.db.backup_catalog import read_info
from desktop.db.database import translate_db_error
from desktop.db.drift import create_migration, describe_diff, drift
from desktop.db.engine import is_mysql, make_engine, sqlite_path
from desktop.db.migration_lock import (
    ADVISORY_LOCK_KEY,
    LOCK_WAIT_SECONDS,
    PG_WAIT_MESSAGE,
    SQLITE_WAIT_MESSAGE,
    WaitCallback,
    migration_connection,
    read_current,
)
from desktop.db.scripts import ALEMBIC_DIR_ENV, alembic_dir, head_revision, make_config, script_directory
from desktop.domain.errors import (
    DatabaseError,
    DatabaseTooNewError,
    MigrationError,
    MigrationInterruptedError,
)

if TYPE_CHECKING:
    from alembic.script import Script, ScriptDirectory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Revision:
    """One revision as a maintainer sees it."""

    revision: str
    message: str
    down_revision: str | None
    created: str = ""
    applied: bool = False
    is_current: bool = False
    is_head: bool = False
    drops: tuple[str, ...] = ()


@dataclass(frozen=True)
class MigrationStatus:
    exists: bool
    current: str | None
    head: str
    pending: tuple[Revision, ...] = ()
    is_too_new: bool = False

    @property
    def at_head(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True)
class Step:
    """Progress report: step ``index`` (1-based) of ``total``; ``done`` False before, True after it."""

    index: int
    total: int
    revision: str
    message: str
    done: bool
    direction: str = "upgrade"


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str | None
    applied: tuple[Revision, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.applied)


ProgressCallback = Callable[[Step], None]

__all__ = [
    "ADVISORY_LOCK_KEY",
    "ALEMBIC_DIR_ENV",
    "LOCK_WAIT_SECONDS",
    "PG_WAIT_MESSAGE",
    "SQLITE_WAIT_MESSAGE",
    "MigrationResult",
    "MigrationStatus",
    "Revision",
    "Step",
    "WaitCallback",
    "alembic_dir",
    "assert_single_head",
    "create_migration",
    "describe_diff",
    "downgrade",
    "downgrade_steps",
    "drift",
    "head_revision",
    "history",
    "is_known_revision",
    "make_config",
    "migration_connection",
    "read_current",
    "script_directory",
    "status",
    "upgrade",
]


def _to_revision(
    script_rev: Script, *, current: str | None = None, applied: bool = False, head: str | None = None
) -> Revision:
    module = script_rev.module
    doc = (script_rev.doc or "").strip().splitlines()
    created = ""
    for line in (script_rev.longdoc or "").splitlines():
        if line.startswith("Create Date:"):
            created = line.split(":", 1)[1].strip()
    down = script_rev.down_revision
    return Revision(
        revision=script_rev.revision,
        message=doc[0] if doc else "",
        down_revision=down if isinstance(down, str) or down is None else ",".join(down),
        created=created,
        applied=applied,
        is_current=script_rev.revision == current,
        is_head=script_rev.revision == head,
        drops=tuple(getattr(module, "DOWNGRADE_DROPS", ())),
    )


# --------------------------------------------------------------------------- status / history


def status(url: str) -> MigrationStatus:
    """Where the database stands; never modifies it (does not even create a missing SQLite file)."""
    script = script_directory()
    head = head_revision(script)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return MigrationStatus(exists=False, current=None, head=head, pending=_pending(script, None, head))
    current = _read_current_readonly(url)
    if current is not None and not _known(script, current):
        return MigrationStatus(exists=True, current=current, head=head, is_too_new=True)
    return MigrationStatus(exists=True, current=current, head=head, pending=_pending(script, current, head))


def _read_current_readonly(url: str) -> str | None:
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            if is_mysql(url):
                migration_marker.refuse_if_interrupted(conn)
            return read_current(conn)
    except exc.DBAPIError as error:
        translated = translate_db_error(error)
        if isinstance(translated, DatabaseError):
            raise translated from error
        raise DatabaseError(f"The database cannot be read: {error.orig}") from error
    finally:
        engine.dispose()


def _known(script: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def is_known_revision(revision: str) -> bool:
    """True when this version's migrations contain ``revision``."""
    return _known(script_directory(), revision)


def _pending(script: ScriptDirectory, current: str | None, target: str) -> tuple[Revision, ...]:
    """Revisions from ``current`` (exclusive) up to ``target`` (inclusive), oldest first."""
    revs = list(script.iterate_revisions(target, current or "base"))
    revs.reverse()
    return tuple(_to_revision(r) for r in revs if r.revision != current)


def history(url: str | None = None) -> list[Revision]:
    """Every revision, newest first, with applied / current markers for ``url`` when given."""
    script = script_directory()
    head = head_revision(script)
    current = None
    if url is not None:
        path = sqlite_path(url)
        if path is None or path.exists():
            current = _read_current_readonly(url)
    applied: set[str] = set()
    if current is not None and _known(script, current):
        applied = {r.revision for r in script.iterate_revisions(current, "base")}
    return [
        _to_revision(r, current=current, applied=r.revision in applied, head=head)
        for r in script.walk_revisions()
    ]


def _refuse_unknown(script: ScriptDirectory, current: str | None) -> None:
    if current is not None and not _known(script, current):
        raise DatabaseTooNewError(
            f"This database was made by a newer version of ClinicDesk (its schema revision {current} "
            "is unknown to this version). It has not been changed. Install the newer ClinicDesk, or "
            "open a backup made before the upgrade."
        )


# --------------------------------------------------------------------------- upgrade / downgrade


def upgrade(
    url: str,
    target: str = "head",
    progress: ProgressCallback | None = None,
    on_wait: WaitCallback | None = None,
    backup: BackupResult | None = None,
) -> MigrationResult:
    """Bring the database up to ``target``; returns what was applied (nothing if already there).

    ``backup``: the one the caller made just before. MySQL / MariaDB migrate only after a verified
    backup (see desktop/db/migration_marker.py); that one is used when it is of the revision found,
    so a migration makes one backup, not two."""
    script = script_directory()
    head_revision(script)
    return _run_steps(
        url,
        "upgrade",
        lambda current: _pending(script, current, target),
        lambda rev: rev.revision,
        script,
        progress,
        on_wait,
        backup,
    )


def downgrade(
    url: str,
    target: str = "-1",
    progress: ProgressCallback | None = None,
    on_wait: WaitCallback | None = None,
    backup: BackupResult | None = None,
) -> MigrationResult:
    """Undo revisions down to ``target``: ``"-1"`` (one step), a revision id, or ``"base"``
    (``backup`` as for :func:`upgrade`)."""
    script = script_directory()
    return _run_steps(
        url,
        "downgrade",
        lambda current: downgrade_steps(script, current, target),
        lambda rev: rev.down_revision or "base",
        script,
        progress,
        on_wait,
        backup,
    )


def _run_steps(
    url: str,
    direction: str,
    plan: Callable[[str | None], tuple[Revision, ...]],
    destination: Callable[[Revision], str],
    script: ScriptDirectory,
    progress: ProgressCallback | None,
    on_wait: WaitCallback | None,
    backup: BackupResult | None,
) -> MigrationResult:
    """Run one revision at a time inside the one locked, checked migration transaction.

    The revision is read (and the steps planned) only once the lock is held, so a second copy of the
    app that waited finds nothing left to do. Any failure rolls the whole run back.
    """
    from alembic import command

    apply = command.upgrade if direction == "upgrade" else command.downgrade
    config = make_config()
    marker: migration_marker.Marker | None = None
    try:
        with migration_connection(url, on_wait) as conn:
            current = read_current(conn)
            _refuse_unknown(script, current)
            steps = plan(current)
            if steps and is_mysql(url):  # no transactional DDL there: backup + marker first
                made = _backup_of(url, current, direction, backup)
                marker = migration_marker.begin(conn, direction, current, destination(steps[-1]), made)
                migration_marker.prepare_schema(conn)
            for index, rev in enumerate(steps, start=1):
                _report(progress, index, len(steps), rev, False, direction)
                config.attributes["connection"] = conn
                apply(config, destination(rev))
                _report(progress, index, len(steps), rev, True, direction)
            after = read_current(conn)
    except (DatabaseError, KeyboardInterrupt, Exception) as error:
        if marker is not None:
            log.exception("database %s failed halfway (MySQL / MariaDB)", direction)
            message = migration_marker.recovery_message(marker)
            raise MigrationInterruptedError(message) from error
        if isinstance(error, (DatabaseError, KeyboardInterrupt)):
            raise
        raise _failure(direction, error) from error
    if steps:
        log.info("database %sd %s -> %s (%d revisions)", direction, current, after, len(steps))
    return MigrationResult(before=current, after=after, applied=steps)


def _backup_of(url: str, current: str | None, direction: str, made: BackupResult | None) -> BackupResult:
    """The caller's backup when it holds the revision the migration starts from, else a new one."""
    info = read_info(made.path) if made is not None and made.path is not None else None
    if made is not None and info is not None and info.revision == (current or "base"):
        return made
    return make_backup(url, reason=f"before-{direction}")


def downgrade_steps(script: ScriptDirectory | None, current: str | None, target: str) -> tuple[Revision, ...]:
    """The revisions a downgrade from ``current`` to ``target`` undoes, newest first."""
    script = script or script_directory()
    if current is None:
        return ()
    if target == "-1":
        rev = script.get_revision(current)
        target = (rev.down_revision if isinstance(rev.down_revision, str) else None) or "base"
    if target != "base" and not _known(script, target):
        raise MigrationError(f"There is no revision {target!r} to go back to.")
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    try:
        revs = [r for r in script.iterate_revisions(current, target) if r.revision != target]
    except (CommandError, RevisionError) as error:
        raise MigrationError(
            f"Revision {target} is not an earlier revision of this database ({current}); nothing to undo."
        ) from error
    return tuple(_to_revision(r) for r in revs)


def _report(
    progress: ProgressCallback | None, index: int, total: int, rev: Revision, done: bool, direction: str
) -> None:
    if progress is not None:
        progress(Step(index, total, rev.revision, rev.message, done, direction))


def _failure(action: str, error: Exception) -> MigrationError:
    log.exception("database %s failed", action)
    text = str(getattr(error, "orig", None) or error).strip()
    reason = text.splitlines()[0] if text else type(error).__name__
    return MigrationError(
        f"The database {action} failed ({reason}). The database was left unchanged, at the revision "
        "it had before."
    )


def assert_single_head() -> str:
    """Raise MigrationError unless the revisions form one line; returns the head."""
    return head_revision()
