"""``clinicdesk users create --role ...``, ``users create-admin`` (short for ``create --role admin``)
and ``clinicdesk users list``: accounts from a terminal.

create-admin is how a clinic without a screen session (a server install, a lost admin password)
gets an administrator: whoever can run it can already read the database file or server, so it needs
no sign-in; the account is written to the audit log with the actor "console". The password is read
from a hidden prompt (asked twice) or, with ``--password-stdin``, from the first line of standard
input (for scripts; never from the command line, where it would land in shell history).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from desktop.cli.output import ExitCode, fail, paint
from desktop.db import migrate
from desktop.domain.enums import Role
from desktop.domain.errors import KnownError
from desktop.services.container import Services
from desktop.settings import load_settings, redact_url


def _account_options(parser: argparse.ArgumentParser) -> None:
    """The options every account-creating command takes (one wording for create and create-admin)."""
    parser.add_argument("--email", required=True, help="the e-mail (sign-in name)")
    parser.add_argument("--name", required=True, help="the person's full name")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of a prompt",
    )
    _database_option(parser)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("users", help="manage user accounts")
    commands = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    create = commands.add_parser("create-admin", help="create an administrator account")
    _account_options(create)
    create.set_defaults(handler=create_admin)

    generic = commands.add_parser("create", help="create an account of any role")
    generic.add_argument(
        "--role",
        required=True,
        choices=("clinician", "reception", "admin", "patient"),
        help="the account's role",
    )
    _account_options(generic)
    generic.set_defaults(handler=create_account)

    listing = commands.add_parser("list", help="list every account (e-mail, name, role, active)")
    _database_option(listing)
    listing.set_defaults(handler=list_users)


def _database_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: without the flag here, keep a --database-url given before the subcommand.
    parser.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL of the database (default: the per-user SQLite file)",
    )


def _services(args: argparse.Namespace) -> Services:
    """Services over the resolved database; an empty database gets the schema first."""
    settings = load_settings(getattr(args, "database_url", None))
    url = settings.database_url
    state = migrate.status(url)
    if state.is_too_new:
        raise SystemExit(
            fail(f"The database {redact_url(url)} was made by a newer ClinicDesk; use that version.")
        )
    if state.current is None:
        migrate.upgrade(url)
        print(f"Created a new ClinicDesk database: {redact_url(url)}")
    elif not state.at_head:
        raise SystemExit(
            fail(f"The database {redact_url(url)} needs an upgrade first: run `clinicdesk db migrate`.")
        )
    return Services.create(url, settings)


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat the password: ")
    if first != second:
        fail("The two passwords differ.")
        return None
    return first


def create_admin(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    if password is None:
        return ExitCode.FAILED
    try:
        services = _services(args)
        try:
            account = services.users.create_admin_from_console(args.email, args.name, password)
        finally:
            services.close()
    except KnownError as error:
        return fail(error.message)
    print(f"{paint('Created', 'green')} administrator {account.email} ({account.name}).")
    return ExitCode.OK


def create_account(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    if password is None:
        return ExitCode.FAILED
    try:
        services = _services(args)
        try:
            account = services.users.create_account_from_console(
                args.email, args.name, password, Role(args.role)
            )
        finally:
            services.close()
    except KnownError as error:
        return fail(error.message)
    print(f"{paint('Created', 'green')} {account.role.label.lower()} {account.email} ({account.name}).")
    return ExitCode.OK


def list_users(args: argparse.Namespace) -> int:
    try:
        services = _services(args)
        try:
            accounts = services.users.list_accounts_from_console()
        finally:
            services.close()
    except KnownError as error:
        return fail(error.message)
    if not accounts:
        print("No accounts yet. Create the first with: clinicdesk users create-admin --email E --name N")
        return ExitCode.OK
    width = max(len(a.email or "-") for a in accounts)
    for account in accounts:
        state = "active" if account.is_active else paint("deactivated", "dim")
        print(f"{account.email or '-':<{width}}  {account.role.value:<9}  {state:<11}  {account.name}")
    return ExitCode.OK
