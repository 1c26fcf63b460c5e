"""Database maintenance for the Database tools dialog and ``clinicdesk db`` (Qt-free).

Every method is synchronous and may be slow (backups, migrations): the dialog runs them through
ui/workers.py. One operation at a time per database: a second call while one runs raises
DatabaseError instead of starting twice.

Who may call: administrators only. The actions take an ``actor`` string (written to the audit log)
and do not check it themselves: the GUI gets it from :meth:`MaintenanceService.authorize` (session
token -> admin's e-mail, else PermissionDeniedError), the CLI passes ``cli:<os user>`` (whoever can run
the CLI can already read the database file), start-up upgrades use "system".

Every action goes to the log file and, where the schema has the ``auditlog`` table, to the audit log.
"""

from __future__ import annotations

import getpass
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from desktop.db import backup as backups
from desktop.db import migrate
from desktop.db.backup import BackupInfo, BackupResult, IntegrityReport
from desktop.db.engine import is_sqlite, make_engine, set_begin_statement, sqlite_path
from desktop.db.fingerprint import FingerprintResult
from desktop.db.fingerprint import check as check_fingerprint
from desktop.db.migrate import MigrationResult, Revision, Step
from desktop.db.models import AuditLog
from desktop.db.types import utcnow
from desktop.domain.dto import AuditAction
from desktop.domain.errors import DatabaseError
from desktop.paths import backups_dir
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.context import ServiceContext
from desktop.services.sessions import require_admin
from desktop.settings import redact_url

log = logging.getLogger(__name__)

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def record(url: str, action: str, actor: str, summary: str, entity_id: str = "") -> None:
    """Log ``summary`` and add an audit row when the database has the auditlog table (else log only)."""
    log.info("%s by %s: %s", action, actor, summary)
    try:
        engine = make_engine(url)
        try:
            with engine.connect() as conn, _write_transaction(conn):
                if not sa.inspect(conn).has_table("auditlog"):
                    return
                columns = {c["name"] for c in sa.inspect(conn).get_columns("auditlog")}
                values = {
                    "created_at": utcnow(),
                    "actor": actor[:320],
                    "action": action[:50],
                    "entity": "database",
                    "entity_id": entity_id[:64],
                    "summary": summary[:500],
                }
                row = {k: v for k, v in values.items() if k in columns}
                conn.execute(sa.insert(AuditLog).values(row))
        finally:
            engine.dispose()
    except Exception:  # the audit row is best effort after the action itself succeeded
        log.exception("could not write the audit row for %s", action)


@contextmanager
def _write_transaction(conn: Any) -> Iterator[None]:
    """A transaction that takes SQLite's write lock up front (BEGIN IMMEDIATE), so it waits for another
    writer instead of failing with "database is locked" when its read snapshot cannot be upgraded."""
    if is_sqlite(str(conn.engine.url)):
        set_begin_statement(conn, "BEGIN IMMEDIATE")
    with conn.begin():
        yield


@dataclass(frozen=True)
class DatabaseStatus:
    engine: str
    location: str
    file_size: int | None
    exists: bool
    current: str | None
    head: str
    pending: tuple[Revision, ...]
    is_too_new: bool

    @property
    def at_head(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True)
class DowngradePlan:
    """What a downgrade will undo, for the confirmation: ``lost`` names tables/columns with row counts.

    ``confirm_text`` is what the person must type for a downgrade to base (the current revision id);
    empty when a plain yes/no is enough.
    """

    current: str | None
    target: str
    steps: tuple[Revision, ...]
    lost: tuple[str, ...]
    confirm_text: str

    def summary(self) -> str:
        if not self.steps:
            return "Nothing to undo: the database is already there."
        lines = [f"Undo {len(self.steps)} revision(s), from {self.current} to {self.target}:"]
        lines += [f"  - {s.revision} {s.message}" for s in self.steps]
        if self.lost:
            lines.append("Data that will be deleted:")
            lines += [f"  - {item}" for item in self.lost]
        lines.append("A backup is made first.")
        return "\n".join(lines)


@dataclass(frozen=True)
class OperationResult:
    message: str
    backup: BackupResult | None = None
    migration: MigrationResult | None = None


@dataclass(frozen=True)
class CheckReport:
    integrity: IntegrityReport
    drift: tuple[str, ...]
    fingerprint: FingerprintResult | None

    @property
    def ok(self) -> bool:
        fingerprint_ok = self.fingerprint is None or not self.fingerprint.known or self.fingerprint.matches
        return self.integrity.ok and not self.drift and fingerprint_ok

    def lines(self) -> list[str]:
        lines = list(self.integrity.lines())
        lines.append("drift against the models: " + ("none" if not self.drift else f"{len(self.drift)}"))
        lines += [f"  {d}" for d in self.drift]
        fp = self.fingerprint
        if fp is None:
            lines.append("schema fingerprint: not checked")
        elif not fp.known:
            lines.append(f"schema fingerprint: no expected fingerprint for revision {fp.revision}")
        else:
            lines.append(f"schema fingerprint: {'matches' if fp.matches else 'DIFFERS'} ({fp.actual})")
            lines += [f"  {d}" for d in fp.differences]
        return lines


@policed
class MaintenanceService:
    """Maintenance of the database at a URL.

    Built from a URL (CLI, start-up) or from the ``ServiceContext`` (the service container): with a
    context, :meth:`authorize` turns a session token into the actor name, admins only.
    """

    def __init__(self, target: str | ServiceContext) -> None:
        self._ctx: ServiceContext | None = None
        if isinstance(target, str):
            self.url = target
        else:
            self._ctx = target
            self.url = target.database.url

    @policy_action(Action.DATABASE_MAINTAIN)
    def authorize(self, token: str) -> str:
        """The signed-in administrator's e-mail (the ``actor`` to pass to the actions).

        Raises SessionExpiredError / PermissionDeniedError (desktop.services.sessions.require_admin).
        Needs the service to have been built from the ServiceContext.
        """
        if self._ctx is None:
            raise DatabaseError("Sign-in checks are not available here (no service context).")
        with self._ctx.unit_of_work() as session:
            return str(require_admin(session, self._ctx, token).email)

    # ----------------------------------------------------------------- one at a time

    @contextmanager
    def _exclusive(self, what: str) -> Iterator[None]:
        with _locks_guard:
            lock = _locks.setdefault(self.url, threading.Lock())
        if not lock.acquire(blocking=False):
            raise DatabaseError(f"Another database operation is still running; {what} was not started.")
        try:
            yield
        finally:
            lock.release()

    # ----------------------------------------------------------------- reading

    @policy_action(Action.DATABASE_MAINTAIN)
    def status(self) -> DatabaseStatus:
        s = migrate.status(self.url)
        path = sqlite_path(self.url)
        size = path.stat().st_size if path is not None and path.exists() else None
        return DatabaseStatus(
            engine="SQLite" if is_sqlite(self.url) else "PostgreSQL",
            location=str(path) if path is not None else redact_url(self.url),
            file_size=size,
            exists=s.exists,
            current=s.current,
            head=s.head,
            pending=s.pending,
            is_too_new=s.is_too_new,
        )

    @policy_action(Action.DATABASE_MAINTAIN)
    def history(self) -> list[Revision]:
        return migrate.history(self.url)

    @policy_action(Action.DATABASE_MAINTAIN)
    def list_backups(self) -> list[BackupInfo]:
        return backups.list_backups()

    @policy_action(Action.DATABASE_MAINTAIN)
    def backups_folder(self) -> Path:
        return backups_dir()

    @policy_action(Action.DATABASE_MAINTAIN)
    def fingerprint(self) -> FingerprintResult:
        return check_fingerprint(self.url)

    @policy_action(Action.DATABASE_MAINTAIN)
    def plan_downgrade(self, target: str = "-1") -> DowngradePlan:
        """What ``downgrade(target)`` would undo and which data it deletes (with current row counts)."""
        current = migrate.status(self.url).current
        steps = migrate.downgrade_steps(None, current, target)
        resolved = target
        if target == "-1":
            resolved = (steps[-1].down_revision if steps else current) or "base"
        lost = tuple(self._describe_loss(item) for step in steps for item in step.drops)
        confirm = (current or "") if resolved == "base" else ""
        return DowngradePlan(current, resolved, steps, lost, confirm_text=confirm)

    def _describe_loss(self, item: str) -> str:
        table, _, column = item.partition(".")
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                count = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
        except Exception:  # table already gone: nothing to lose
            count = 0
        finally:
            engine.dispose()
        if column:
            return f"column {table}.{column} (values in {count} rows)"
        return f"table {table} ({count} rows)"

    # ----------------------------------------------------------------- changing

    @policy_action(Action.DATABASE_MAINTAIN)
    def upgrade(
        self,
        actor: str,
        target: str = "head",
        progress: Callable[[Step], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> OperationResult:
        with self._exclusive("the upgrade"):
            made = backups.backup(self.url, reason="before-upgrade")
            result = migrate.upgrade(self.url, target=target, progress=progress, on_wait=on_wait)
            if not result.changed:
                return OperationResult(f"Already at revision {result.after}; nothing to do.", made, result)
            summary = (
                f"upgrade {result.before or 'base'} -> {result.after}; backup: {made.path or made.message}"
            )
            record(self.url, AuditAction.MIGRATION, actor, summary, entity_id=result.after or "")
            return OperationResult(f"Upgraded to {result.after}. {made.message}", made, result)

    @policy_action(Action.DATABASE_MAINTAIN)
    def downgrade(
        self, actor: str, target: str = "-1", progress: Callable[[Step], None] | None = None
    ) -> OperationResult:
        """Back up, then undo revisions down to ``target`` ("-1", a revision id or "base")."""
        with self._exclusive("the downgrade"):
            plan = self.plan_downgrade(target)
            made = backups.backup(self.url, reason="before-downgrade")
            result = migrate.downgrade(self.url, target=target, progress=progress)
            summary = (
                f"downgrade {result.before} -> {result.after or 'base'}; deleted: "
                f"{', '.join(plan.lost) or 'nothing'}; backup: {made.path or made.message}"
            )
            record(self.url, AuditAction.MIGRATION, actor, summary, entity_id=result.after or "base")
            return OperationResult(f"Downgraded to {result.after or 'base'}. {made.message}", made, result)

    @policy_action(Action.DATABASE_MAINTAIN)
    def backup_now(self, actor: str) -> BackupResult:
        with self._exclusive("the backup"):
            made = backups.backup(self.url, reason="manual")
            record(self.url, AuditAction.BACKUP, actor, made.message)
            return made

    @policy_action(Action.DATABASE_MAINTAIN)
    def restore(self, actor: str, file: Path | str) -> OperationResult:
        """Replace the database with ``file`` (backing up the current one first).

        Every connection must be closed first (the app signs out and disposes its engine).
        """
        with self._exclusive("the restore"):
            file = Path(file)
            safety = backups.restore(file, self.url)
            summary = (
                f"restored from {file.name}; the replaced database was saved: {safety.path or safety.message}"
            )
            record(self.url, AuditAction.RESTORE, actor, summary)
            return OperationResult(f"Restored from {file.name}. {safety.message}", safety)

    @policy_action(Action.DATABASE_MAINTAIN)
    def check(self, actor: str, full: bool = True) -> CheckReport:
        """quick_check / integrity_check / foreign_key_check, drift against the models, fingerprint."""
        with self._exclusive("the check"):
            integrity = backups.integrity_check(self.url, full=full)
            drift: tuple[str, ...] = ()
            fingerprint = None
            if integrity.quick_check in ((), ("ok",)):
                if migrate.status(self.url).at_head:  # the models describe the head revision only
                    drift = tuple(migrate.drift(self.url))
                fingerprint = self.fingerprint()
            report = CheckReport(integrity, drift, fingerprint)
            record(
                self.url,
                AuditAction.INTEGRITY_CHECK,
                actor,
                "check " + ("ok" if report.ok else "found problems"),
            )
            return report
