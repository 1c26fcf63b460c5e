"""``clinicdesk db copy-to URL``: move this computer's database to an empty clinic server.

Registered under ``clinicdesk db`` by desktop/cli/db.py through :func:`register_db_subcommand`. The
source is the database the program would open (``--database-url``, ``CLINICDESK_DATABASE_URL``,
settings.json, the default SQLite file). A target URL without a password gets the one saved by the
settings dialog, if any (else libpq's usual PGPASSWORD / ~/.pgpass apply).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop.cli.output import ExitCode, fail, paint
from desktop.domain.errors import KnownError
from desktop.services.copy_database import copy_to
from desktop.services.server_settings import database_url_with_secret
from desktop.settings import redact_url, resolve_database_url

DESCRIPTION = (
    "Copy every row of this computer's ClinicDesk database into an EMPTY database (normally the "
    "clinic's PostgreSQL server), keeping all ids, then count the rows on both sides. The copy is "
    "all-or-nothing: if anything fails the target is left without data. Nothing is changed here."
)


def register_db_subcommand(db_subparsers: Any) -> None:
    parser = db_subparsers.add_parser(
        "copy-to",
        help="copy this database to an empty server database, with a row-count check",
        description=DESCRIPTION,
    )
    parser.add_argument(
        "url",
        metavar="URL",
        help="target, e.g. postgresql+psycopg://clinicdesk@server:5432/clinicdesk",
    )
    parser.set_defaults(handler=run_copy_to)


class _ProgressLine:
    """One line rewritten in place on a terminal; one line per finished table otherwise (logs, CI)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, table: str, done: int, total: int) -> None:
        if self.tty:
            percent = 100 if total == 0 else done * 100 // total
            self.stream.write(f"\r  copying {table:<24} {done:>9,}/{total:<9,} {percent:3d}%")
            self.stream.flush()
        elif done == total:
            self.stream.write(f"  copied {table:<24} {total:>9,} rows\n")

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()


def run_copy_to(args: argparse.Namespace) -> int:
    source = resolve_database_url(getattr(args, "database_url", None))
    target = database_url_with_secret(args.url)
    print(f"Copying {redact_url(source)}\n     to {redact_url(target)}")
    line = _ProgressLine()
    try:
        result = copy_to(source, target, progress=line)
    except KnownError as error:
        line.finish()
        return fail(error.message)
    line.finish()
    print()
    print(f"  {'table':<24} {'here':>10} {'target':>10}")
    for count in result.tables:
        mark = paint("ok", "green") if count.matches else paint("DIFFERENT", "red")
        print(f"  {count.table:<24} {count.source_rows:>10,} {count.target_rows:>10,}  {mark}")
    print(
        f"\n{paint('Done:', 'green')} {result.total_rows:,} rows copied and counted; the target is at "
        f"schema revision {result.revision}. To use it, choose it in Settings (or set --database-url)."
    )
    return ExitCode.OK
