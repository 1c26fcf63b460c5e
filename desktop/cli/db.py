"""``clinicdesk db ...``: database maintenance from a terminal.

init | status | migrate | create-migration MSG | history | downgrade [REV|base] [--yes] | backup |
restore FILE [--yes] | check | fingerprint [--write] (and copy-to, from desktop/cli/db_copy.py).

Every subcommand takes ``--database-url`` (also accepted before ``db``). Errors print one line and
exit non-zero: 1 for an operation that failed or found problems, 2 for a refused one (database too
new, confirmation declined).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.cli.db_copy import register_db_subcommand
from desktop.cli.output import fail, paint
from desktop.db.backup import validate_backup
from desktop.db.fingerprint import write as write_fingerprints
from desktop.db.migrate import Step, create_migration
from desktop.domain.errors import DatabaseTooNewError, KnownError
from desktop.services.maintenance import MaintenanceService, cli_actor
from desktop.settings import resolve_database_url

Handler = Callable[[argparse.Namespace], int]


def register(subparsers: Any) -> None:
    db = subparsers.add_parser(
        "db", help="database maintenance (status, migrate, backup, ...)", description="Database maintenance."
    )
    db.set_defaults(handler=lambda args: (db.print_help(), 0)[1])
    sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text, description=help_text)
        parser.add_argument(
            "--database-url",
            default=argparse.SUPPRESS,
            help="SQLAlchemy URL of the database (default: the per-user SQLite file)",
        )
        parser.set_defaults(handler=_guarded(handler))
        return parser

    add("init", cmd_init, "create the database at the newest schema (or say where it stands)")
    add("status", cmd_status, "show the database location, current and head revisions, pending migrations")
    add("migrate", cmd_migrate, "back up, then upgrade the database to the newest schema")
    create = add(
        "create-migration",
        cmd_create_migration,
        "write a new migration file (developers), compared with the database by default",
    )
    create.add_argument("message")
    create.add_argument("--empty", action="store_true", help="an empty revision instead of autogenerate")
    add("history", cmd_history, "list every migration, marking those applied and the current one")
    down = add("downgrade", cmd_downgrade, "back up, then undo migrations (default: one step)")
    down.add_argument("target", nargs="?", default="-1", metavar="REV|base")
    down.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add("backup", cmd_backup, "copy the database into the backups folder now")
    restore = add("restore", cmd_restore, "replace the database with a backup (the current one is kept)")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add("check", cmd_check, "integrity_check, foreign_key_check, drift against the models, fingerprint")
    fp = add("fingerprint", cmd_fingerprint, "compare the schema with its expected fingerprint")
    fp.add_argument(
        "--write",
        action="store_true",
        help="regenerate alembic/fingerprints.json from the migrations (developers)",
    )
    before = set(sub.choices)
    register_db_subcommand(sub)
    for name in set(sub.choices) - before:
        sub.choices[name].add_argument(
            "--database-url", default=argparse.SUPPRESS, help="SQLAlchemy URL of the source database"
        )


def _guarded(handler: Handler) -> Handler:
    """Turn KnownError into a one-line reason and exit code; let real bugs show their traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except DatabaseTooNewError as error:
            return fail(error.message, code=2)
        except KnownError as error:
            return fail(error.message)
        except KeyboardInterrupt:
            return fail("interrupted", code=130)

    return run


def _url(args: argparse.Namespace) -> str:
    return resolve_database_url(getattr(args, "database_url", None))


def _service(args: argparse.Namespace) -> MaintenanceService:
    return MaintenanceService(_url(args))


def _actor() -> str:
    return cli_actor()


def _progress(step: Step) -> None:
    if not step.done:
        line = f"  [{step.index}/{step.total}] {step.direction} {step.revision}  {step.message} ..."
        print(line, flush=True)


def _on_wait(message: str) -> None:
    print(paint(message, "yellow"), flush=True)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


# --------------------------------------------------------------------------- commands


def cmd_status(args: argparse.Namespace) -> int:
    st = _service(args).status()
    size = f" ({st.file_size:,} bytes)" if st.file_size is not None else ""
    print(f"database: {st.engine} {st.location}{size}" + ("" if st.exists else " (does not exist yet)"))
    print(f"current:  {st.current or 'none (empty database)'}")
    print(f"head:     {st.head}")
    if st.is_too_new:
        note = f"pending: 0 - the database is NEWER than this ClinicDesk (revision {st.current} unknown)"
        print(paint(note, "red"))
        return 2
    colour = "green" if not st.pending else "yellow"
    print(paint(f"pending: {len(st.pending)}", colour))
    for rev in st.pending:
        print(f"  {rev.revision}  {rev.message}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    service = _service(args)
    st = service.status()
    if st.is_too_new:
        return fail(f"the database is at revision {st.current}, made by a newer ClinicDesk; not changed", 2)
    if st.exists and st.current is not None:
        print(f"The database already exists at revision {st.current} (pending: {len(st.pending)}).")
        if st.pending:
            print("Run `clinicdesk db migrate` to upgrade it.")
        return 0
    service.upgrade(_actor(), progress=_progress, on_wait=_on_wait)
    print(paint(f"Created the database at {service.status().current}: {st.location}", "green"))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    result = _service(args).upgrade(_actor(), progress=_progress, on_wait=_on_wait)
    print(paint(result.message, "green"))
    return 0


def cmd_create_migration(args: argparse.Namespace) -> int:
    path = create_migration(args.message, autogenerate=not args.empty, url=_url(args))
    print(f"Wrote {path}")
    print("Edit it (DOWNGRADE_DROPS, the downgrade), then run `clinicdesk db fingerprint --write`.")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    for rev in _service(args).history():
        mark = paint("applied", "green") if rev.applied else paint("pending", "yellow")
        flags = " (current)" if rev.is_current else ""
        flags += " (head)" if rev.is_head else ""
        print(f"{rev.revision}  {mark:<7}  {rev.created[:10]:<10}  {rev.message}{flags}")
    return 0


def cmd_downgrade(args: argparse.Namespace) -> int:
    service = _service(args)
    plan = service.plan_downgrade(args.target)
    if not plan.steps:
        print(plan.summary())
        return 0
    print(plan.summary())
    if not args.yes:
        if plan.confirm_text:
            if not sys.stdin.isatty():
                return fail("refusing to downgrade to base without a terminal; pass --yes", 2)
            prompt = f"This deletes every table. Type the current revision ({plan.confirm_text}) to go on: "
            typed = input(prompt)
            if typed.strip() != plan.confirm_text:
                return fail("not confirmed; nothing was changed", 2)
        elif not _confirm("Downgrade?"):
            return fail("not confirmed; nothing was changed (use --yes in scripts)", 2)
    result = service.downgrade(_actor(), args.target, progress=_progress)
    print(paint(result.message, "green"))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    result = _service(args).backup_now(_actor())
    if not result.made:
        print(paint(result.message, "yellow"))
        return 1
    print(paint(result.message, "green"))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    file = Path(args.file)
    revision = validate_backup(file)
    service = _service(args)
    print(f"Restore {file} (revision {revision}) over {service.status().location}.")
    if not args.yes and not _confirm("The current database is backed up first. Restore?"):
        return fail("not confirmed; nothing was changed (use --yes in scripts)", 2)
    result = service.restore(_actor(), file)
    print(paint(result.message, "green"))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    report = _service(args).check(_actor())
    for line in report.lines():
        print(line)
    if report.ok:
        print(paint("check: ok", "green"))
        return 0
    return fail("the check found problems (see above)")


def cmd_fingerprint(args: argparse.Namespace) -> int:
    if args.write:
        print(f"Wrote {write_fingerprints()}")
        return 0
    result = _service(args).fingerprint()
    print(f"revision: {result.revision}")
    print(f"expected: {result.expected or 'unknown revision'}")
    print(f"actual:   {result.actual}")
    if not result.known:
        return fail(f"no expected fingerprint for revision {result.revision}")
    if not result.matches:
        for line in result.differences:
            print(f"  {line}")
        return fail("the schema differs from what its revision should have")
    print(paint("fingerprint: matches", "green"))
    return 0
