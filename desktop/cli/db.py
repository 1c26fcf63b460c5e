"""``clinicdesk db ...``: database maintenance from a terminal.

init | status | migrate | create-migration MSG | history | downgrade [REV|base] [--yes] | backup |
restore FILE [--yes] | check | fingerprint [--write] (and copy-to, from desktop/cli/db_copy.py).

Every subcommand takes ``--database-url`` (also accepted before ``db``). Errors print one line and
exit with a code from the one table in desktop/cli/output.py (``ExitCode``, shown by ``clinicdesk db
--help``); tracebacks go to the log file only. Every command refuses another program's file (exit 2,
the file untouched); status, history, fingerprint and check open the database read-only.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.cli.db_copy import register_db_subcommand
from desktop.cli.output import EXIT_CODES_HELP, ExitCode, fail, paint
from desktop.db.fingerprint import write as write_fingerprints
from desktop.db.migrate import Step, create_migration
from desktop.db.restore import validate_backup
from desktop.services.maintenance import MaintenanceService
from desktop.settings import database_location, resolve_database_url

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]

BACKUPS_HELP = """backups:
  Kept in the data folder's backups/ (CLINICDESK_DATA_DIR overrides the data folder), each with a
  .json note (why it was made, verified, revision, row counts). Made before every upgrade, downgrade
  and restore, at the first start of each day and when the program closes after changes; every copy is
  verified before it is called saved. Old ones are thinned (10 newest, then 7 daily, 5 weekly, 12 monthly).
  CLINICDESK_BACKUP_MIRROR_DIR (or backup_mirror_dir in settings.json) names a second folder that gets
  a copy of each verified backup. PostgreSQL: pg_dump -Fc; MariaDB / MySQL: mariadb-dump (a .sql file);
  each when the client tools are installed."""


def register(subparsers: Any) -> None:
    db = subparsers.add_parser(
        "db",
        help="database maintenance (status, migrate, backup, ...)",
        description="Database maintenance.",
        epilog=BACKUPS_HELP + "\n\n" + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        parser.set_defaults(handler=handler)
        parser.epilog = EXIT_CODES_HELP
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
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


def _url(args: argparse.Namespace) -> str:
    return resolve_database_url(getattr(args, "database_url", None))


def _service(args: argparse.Namespace) -> MaintenanceService:
    """The local maintainer's service: whoever runs the CLI can already read and replace the file."""
    return MaintenanceService.local(_url(args))


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
        return ExitCode.REFUSED
    colour = "green" if not st.pending else "yellow"
    print(paint(f"pending: {len(st.pending)}", colour))
    for rev in st.pending:
        print(f"  {rev.revision}  {rev.message}")
    return ExitCode.OK


def cmd_init(args: argparse.Namespace) -> int:
    service = _service(args)
    st = service.status()
    if st.is_too_new:
        return fail(
            f"the database is at revision {st.current}, made by a newer ClinicDesk; not changed",
            ExitCode.REFUSED,
        )
    if st.exists and st.current is not None:
        print(f"The database already exists at revision {st.current} (pending: {len(st.pending)}).")
        if st.pending:
            print("Run `clinicdesk db migrate` to upgrade it.")
        return ExitCode.OK
    service.upgrade(progress=_progress, on_wait=_on_wait)
    print(paint(f"Created the database at {service.status().current}: {st.location}", "green"))
    return ExitCode.OK


def cmd_migrate(args: argparse.Namespace) -> int:
    result = _service(args).upgrade(progress=_progress, on_wait=_on_wait)
    print(paint(result.message, "green"))
    return ExitCode.OK


def cmd_create_migration(args: argparse.Namespace) -> int:
    path = create_migration(args.message, autogenerate=not args.empty, url=_url(args))
    print(f"Wrote {path}")
    print("Edit it (DOWNGRADE_DROPS, the downgrade), then run `clinicdesk db fingerprint --write`.")
    return ExitCode.OK


def cmd_history(args: argparse.Namespace) -> int:
    for rev in _service(args).history():
        mark = paint("applied", "green") if rev.applied else paint("pending", "yellow")
        flags = " (current)" if rev.is_current else ""
        flags += " (head)" if rev.is_head else ""
        print(f"{rev.revision}  {mark:<7}  {rev.created[:10]:<10}  {rev.message}{flags}")
    return ExitCode.OK


def cmd_downgrade(args: argparse.Namespace) -> int:
    service = _service(args)
    plan = service.plan_downgrade(args.target)
    if not plan.steps:
        print(plan.summary())
        return ExitCode.OK
    print(plan.summary())
    if not args.yes:
        if plan.confirm_text:
            if not sys.stdin.isatty():
                return fail("refusing to downgrade to base without a terminal; pass --yes", ExitCode.REFUSED)
            prompt = f"Every table goes (its data kept aside). Type {plan.confirm_text} to go on: "
            typed = input(prompt)
            if typed.strip() != plan.confirm_text:
                return fail("not confirmed; nothing was changed", ExitCode.REFUSED)
        elif not _confirm("Downgrade?"):
            return fail("not confirmed; nothing was changed (use --yes in scripts)", ExitCode.REFUSED)
    result = service.downgrade(target=args.target, progress=_progress)
    print(paint(result.message, "green"))
    return ExitCode.OK


def cmd_backup(args: argparse.Namespace) -> int:
    result = _service(args).backup_now()
    if not result.made:
        print(paint(result.message, "yellow"))
        return ExitCode.FAILED
    print(paint(result.message, "green"))
    return ExitCode.OK


def cmd_restore(args: argparse.Namespace) -> int:
    file = Path(args.file)
    revision = validate_backup(file)
    service = _service(args)
    # Not service.status(): it refuses a database whose MariaDB migration was cut short, which is
    # exactly the database this command must be able to replace.
    print(f"Restore {file} (revision {revision}) over {database_location(service.url)}.")
    if not args.yes and not _confirm("The current database is backed up first. Restore?"):
        return fail("not confirmed; nothing was changed (use --yes in scripts)", ExitCode.REFUSED)
    result = service.restore(file=file)
    print(paint(result.message, "green"))
    return ExitCode.OK


def cmd_check(args: argparse.Namespace) -> int:
    report = _service(args).check()
    for line in report.lines():
        print(line)
    if report.ok:
        print(paint("check: ok", "green"))
        return ExitCode.OK
    return fail("the check found problems (see above)")


def cmd_fingerprint(args: argparse.Namespace) -> int:
    if args.write:
        print(f"Wrote {write_fingerprints()}")
        return ExitCode.OK
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
    return ExitCode.OK
