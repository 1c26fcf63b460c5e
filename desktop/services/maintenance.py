"""Database maintenance for the Database tools dialog and ``clinicdesk db`` (Qt-free).

Every method is synchronous and may be slow (backups, migrations): the dialog runs them through
ui/workers.py. One operation at a time per database: a second call while one runs raises
DatabaseError instead of starting twice.

Who may call: administrators only, checked here. Built from the ``ServiceContext`` (the service
container, what the GUI gets), every action takes the session token and runs only for a signed-in
administrator (else PermissionDeniedError / SessionExpiredError); the audit log names that person.
Built with :meth:`MaintenanceService.local` (the CLI, and the start-up dialogs before anyone can sign
in), it acts as the local maintainer: whoever can run it can already read and replace the database
file, so the token is not asked for and the audit log names ``cli:<os user>`` or "start-up".

Every command first refuses a file that belongs to another program (desktop.db.probe), exactly as the
start-up check calls it "not a database"; reading commands open the database read-only.

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
from desktop.db import backup_schedule, migrate
from desktop.db import restore as restoring
from desktop.db.backup import BackupResult
from desktop.db.backup_catalog import BackupInfo, list_backups
from desktop.db.engine import engine_label, is_sqlite, make_engine, set_begin_statement, sqlite_path
from desktop.db.fingerprint import FingerprintResult
from desktop.db.fingerprint import check as fingerprint_check
from desktop.db.integrity import IntegrityReport, integrity_check
from desktop.db.migrate import MigrationResult, Revision, Step
from desktop.db.models import AuditLog
from desktop.db.probe import refuse_other_program
from desktop.db.types import utcnow
from desktop.domain.dto import AuditAction
from desktop.domain.errors import DatabaseError, DatabaseTooNewError, PermissionDeniedError
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
        log.warning("could not write the audit row for %s", action, exc_info=True)


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


#: A downgrade's dropped tables and columns in words (singular, plural); others are internal.
_PLAIN_LOSS = {
    "auditlog": ("the audit log, {n:,} entry", "the audit log, {n:,} entries"),
    "loginattempt": (
        "the record of sign-in attempts, {n:,} entry",
        "the record of sign-in attempts, {n:,} entries",
    ),
    "user.role": ("{n:,} administrator's role", "{n:,} administrators' roles"),
    "breastcancerprediction": ("{n:,} prediction", "{n:,} predictions"),
    "breastcancerprediction.probability": (
        "the probability of {n:,} prediction",
        "the probability of {n:,} predictions",
    ),
    "breastcancerprediction.model_version": (
        "the model version of {n:,} prediction",
        "the model version of {n:,} predictions",
    ),
    "user": ("{n:,} account", "{n:,} accounts"),
    "medicalrecord": ("{n:,} medical record", "{n:,} medical records"),
    "familyhistory": ("{n:,} family history entry", "{n:,} family history entries"),
    "session": ("{n:,} sign-in session", "{n:,} sign-in sessions"),
    "accesslog": ("the chart access log, {n:,} entry", "the chart access log, {n:,} entries"),
    "user.mrn": (
        "the MRN, date of birth, sex and allergy statement of {n:,} patient",
        "the MRNs, dates of birth, sex and allergy statements of {n:,} patients",
    ),
    "medicalrecord.created_by": ("who wrote {n:,} medical record", "who wrote {n:,} medical records"),
    "familyhistory.created_by": (
        "who wrote {n:,} family history entry",
        "who wrote {n:,} family history entries",
    ),
    "breastcancerprediction.created_by": ("who ran {n:,} prediction", "who ran {n:,} predictions"),
    "breastcancerprediction.model_sha256": (
        "the model file hash of {n:,} prediction",
        "the model file hash of {n:,} predictions",
    ),
}


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
            lines.append("What the older version will not show (kept aside, back after the next upgrade):")
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
        """Only a database whose structure was compared with what its revision should have can be ok: a
        revision this version does not know (or no comparison at all) is not."""
        fp = self.fingerprint
        return self.integrity.ok and not self.drift and fp is not None and fp.known and fp.matches

    def lines(self) -> list[str]:
        lines = list(self.integrity.lines())
        lines.append("drift against the models: " + ("none" if not self.drift else f"{len(self.drift)}"))
        lines += [f"  {d}" for d in self.drift]
        fp = self.fingerprint
        if fp is None:
            lines.append("schema fingerprint: not checked")
        elif not fp.known:
            lines.append(
                f"schema fingerprint: revision {fp.revision} is unknown to this version (made by a newer "
                "ClinicDesk?); its structure cannot be checked"
            )
        else:
            lines.append(f"schema fingerprint: {'matches' if fp.matches else 'DIFFERS'} ({fp.actual})")
            lines += [f"  {d}" for d in fp.differences]
        return lines


@policed
class MaintenanceService:
    """Maintenance of one database; see the module docstring for who may call what.

    ``MaintenanceService(ctx)``: the GUI's, every action checks the session token. ``MaintenanceService
    (url)``: reading only (status, history, backups). ``MaintenanceService.local(url, actor)``: the local
    maintainer (CLI, start-up dialogs), whose actions need no token.
    """

    def __init__(self, target: str | ServiceContext, *, local_actor: str | None = None) -> None:
        self._ctx: ServiceContext | None = None
        self._local_actor = local_actor
        # Tokens this service found to be an administrator's while the database could tell. After a
        # downgrade the older schema may have no sessions table to ask; the same signed-in admin can
        # then still upgrade it back from the open dialog (everyone is signed out when it closes).
        self._admins: dict[str, str] = {}
        if isinstance(target, str):
            self.url = target
        else:
            self._ctx = target
            self.url = target.database.url

    @classmethod
    def local(cls, url: str, actor: str | None = None) -> MaintenanceService:
        """The local maintainer's service (CLI: ``cli:<os user>``; the start-up dialogs: "start-up")."""
        return cls(url, local_actor=actor or cli_actor())

    @policy_action(Action.DATABASE_MAINTAIN)
    def authorize(self, token: str | None) -> str:
        """The name the audit log gives the caller: the signed-in administrator's e-mail for the GUI's
        service, the local maintainer for the CLI's. PermissionDeniedError / SessionExpiredError else."""
        if self._local_actor is not None:
            return self._local_actor
        if self._ctx is None or not token:
            raise PermissionDeniedError("Only a signed-in administrator can maintain the database.")
        try:
            with self._ctx.unit_of_work() as session:
                email = str(require_admin(session, self._ctx, token).email)
        except (sa.exc.DBAPIError, sa.exc.InvalidRequestError) as error:
            # The schema cannot answer (an older revision after a downgrade): only a token this
            # service already saw as an administrator's is accepted.
            if token in self._admins:
                return self._admins[token]
            raise PermissionDeniedError(
                "The administrator check cannot be made on this database revision; sign in again after "
                "upgrading it from the command line (`clinicdesk db migrate`)."
            ) from error
        self._admins[token] = email
        return email

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

    def _refuse_foreign(self, allow_damaged: bool = False) -> None:
        """Another program's file (or, unless ``allow_damaged``, an unreadable one) is never touched."""
        path = sqlite_path(self.url)
        if path is not None:
            refuse_other_program(path, allow_damaged=allow_damaged)

    @policy_action(Action.DATABASE_MAINTAIN)
    def status(self) -> DatabaseStatus:
        self._refuse_foreign()
        s = migrate.status(self.url)
        path = sqlite_path(self.url)
        size = path.stat().st_size if path is not None and path.exists() else None
        return DatabaseStatus(
            engine=engine_label(self.url),
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
        self._refuse_foreign()
        return migrate.history(self.url)

    @policy_action(Action.DATABASE_MAINTAIN)
    def list_backups(self) -> list[BackupInfo]:
        """The backups of this program, newest first (the sidecar tells which were verified)."""
        return list_backups(backups.backups_folder())

    @policy_action(Action.DATABASE_MAINTAIN)
    def backups_folder(self) -> Path:
        return backups.backups_folder()

    @policy_action(Action.DATABASE_MAINTAIN)
    def backup_tools_message(self) -> str:
        """Why no backup can be made here, in plain words (the server's client tools); empty when one can."""
        return backup_schedule.tools_missing_message(self.url)

    @policy_action(Action.DATABASE_MAINTAIN)
    def fingerprint(self) -> FingerprintResult:
        self._refuse_foreign()
        status = migrate.status(self.url)
        if status.is_too_new:  # no expected fingerprint, and reading its schema is not needed
            return FingerprintResult(status.current, None, "", ())
        return fingerprint_check(self.url)

    @policy_action(Action.DATABASE_MAINTAIN)
    def plan_downgrade(self, target: str = "-1") -> DowngradePlan:
        """What ``downgrade(target)`` would undo and which data it deletes (with current row counts)."""
        self._refuse_foreign()
        status = migrate.status(self.url)
        if status.is_too_new:
            raise DatabaseTooNewError(
                f"This database is at revision {status.current}, made by a newer version of ClinicDesk; "
                "this version cannot downgrade it. Nothing was changed."
            )
        current = status.current
        steps = migrate.downgrade_steps(None, current, target)
        resolved = target
        if target == "-1":
            resolved = (steps[-1].down_revision if steps else current) or "base"
        lost = tuple(text for step in steps for item in step.drops if (text := self._describe_loss(item)))
        confirm = (current or "") if resolved == "base" else ""
        return DowngradePlan(current, resolved, steps, lost, confirm_text=confirm)

    def _describe_loss(self, item: str) -> str:
        """What the older version will not show, in plain words with a count ("" when nothing is)."""
        table, _, column = item.partition(".")
        if column and item not in _PLAIN_LOSS:
            return ""  # internal columns (edit counters): kept aside and put back all the same
        wording = _PLAIN_LOSS.get(item, (f"table {table}, {{n:,}} row", f"table {table}, {{n:,}} rows"))
        # Built, not written as text: MySQL / MariaDB quote names with backticks.
        query = sa.select(sa.func.count()).select_from(sa.table(table))
        if item == "user.role":
            query = query.where(sa.column("role") == "admin")
        elif column:  # only the rows that hold a value lose something
            query = query.where(sa.column(column).is_not(None))
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                count = int(conn.execute(query).scalar_one())
        except Exception:  # table already gone: nothing to lose
            count = 0
        finally:
            engine.dispose()
        if not count:
            return ""
        singular, plural = wording
        return (singular if count == 1 else plural).format(n=count)

    # ----------------------------------------------------------------- changing

    @policy_action(Action.DATABASE_MAINTAIN)
    def upgrade(
        self,
        token: str | None = None,
        target: str = "head",
        progress: Callable[[Step], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> OperationResult:
        actor = self.authorize(token)
        self._refuse_foreign()
        with self._exclusive("the upgrade"):
            made = backups.backup(self.url, reason="before-upgrade")
            result = migrate.upgrade(self.url, target=target, progress=progress, on_wait=on_wait, backup=made)
            if not result.changed:
                return OperationResult(f"Already at revision {result.after}; nothing to do.", made, result)
            summary = (
                f"upgrade {result.before or 'base'} -> {result.after}; backup: {made.path or made.message}"
            )
            record(self.url, AuditAction.MIGRATION, actor, summary, entity_id=result.after or "")
            return OperationResult(f"Upgraded to {result.after}. {made.message}", made, result)

    @policy_action(Action.DATABASE_MAINTAIN)
    def downgrade(
        self, token: str | None = None, target: str = "-1", progress: Callable[[Step], None] | None = None
    ) -> OperationResult:
        """Back up, then undo revisions down to ``target`` ("-1", a revision id or "base")."""
        actor = self.authorize(token)
        with self._exclusive("the downgrade"):
            plan = self.plan_downgrade(target)
            made = backups.backup(self.url, reason="before-downgrade")
            result = migrate.downgrade(self.url, target=target, progress=progress, backup=made)
            summary = (
                f"downgrade {result.before} -> {result.after or 'base'}; deleted: "
                f"{', '.join(plan.lost) or 'nothing'}; backup: {made.path or made.message}"
            )
            record(self.url, AuditAction.MIGRATION, actor, summary, entity_id=result.after or "base")
            return OperationResult(f"Downgraded to {result.after or 'base'}. {made.message}", made, result)

    @policy_action(Action.DATABASE_MAINTAIN)
    def backup_now(self, token: str | None = None) -> BackupResult:
        actor = self.authorize(token)
        self._refuse_foreign()
        with self._exclusive("the backup"):
            made = backups.backup(self.url, reason="manual")
            record(self.url, AuditAction.BACKUP, actor, made.message)
            return made

    @policy_action(Action.DATABASE_MAINTAIN)
    def automatic_backup(self, moment: str) -> BackupResult | None:
        """The scheduled backups: ``"start"`` (the first start of each day) and ``"close"`` (the program
        closes after changes). None when none is due. Runs as the program itself, no sign-in needed:
        it only adds a verified copy to the backups folder."""
        self._refuse_foreign()
        with self._exclusive("the automatic backup"):
            return backup_schedule.run_due(self.url, moment)

    @policy_action(Action.DATABASE_MAINTAIN)
    def restore(self, token: str | None = None, file: Path | str = "") -> OperationResult:
        """Replace the database with ``file`` (backing up the current one first).

        Every connection must be closed first (the app signs out and disposes its engine).
        """
        actor = self.authorize(token)
        self._refuse_foreign(allow_damaged=True)  # a damaged database is what a restore is for
        with self._exclusive("the restore"):
            file = Path(file)
            safety = restoring.restore(file, self.url)
            summary = (
                f"restored from {file.name}; the replaced database was saved: {safety.path or safety.message}"
            )
            record(self.url, AuditAction.RESTORE, actor, summary)
            return OperationResult(f"Restored from {file.name}. {safety.message}", safety)

    @policy_action(Action.DATABASE_MAINTAIN)
    def check(self, token: str | None = None, full: bool = True) -> CheckReport:
        """quick_check / integrity_check / foreign_key_check, drift against the models, fingerprint.

        Reads only (the file's bytes stay identical, a read-only file can be checked); the outcome goes
        to the log file, not to the audit log, which would be a write.
        """
        actor = self.authorize(token)
        self._refuse_foreign(allow_damaged=True)
        with self._exclusive("the check"):
            integrity = integrity_check(self.url, full=full)
            drift: tuple[str, ...] = ()
            fingerprint = None
            if integrity.quick_check in ((), ("ok",)):
                status = migrate.status(self.url)
                if status.at_head:  # the models describe the head revision only
                    drift = tuple(migrate.drift(self.url))
                fingerprint = self.fingerprint()
            report = CheckReport(integrity, drift, fingerprint)
            log.info("integrity check by %s: %s", actor, "ok" if report.ok else "found problems")
            return report
