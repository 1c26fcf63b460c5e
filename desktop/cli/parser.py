"""The ``clinicdesk`` argument parser: global options plus one subcommand module each.

Each subcommand module exposes ``register(subparsers)`` and stores its handler with
``set_defaults(handler=...)``; a handler returns the process exit code.

A command loads only its own module: ``clinicdesk db`` needs SQLAlchemy, Alembic and the maintenance
service (about 0.8 s of imports), ``clinicdesk screen`` numpy and onnxruntime, and neither should pay for
the other. So each module is imported inside its registration function below, and :func:`build_parser`
registers just the command named on the command line (all of them for ``--help`` or a typo, so argparse
can list them).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from desktop import __version__


def _db(subparsers: Any) -> None:
    from desktop.cli import db  # imported here: see the module docstring

    db.register(subparsers)


def _users(subparsers: Any) -> None:
    from desktop.cli import users  # imported here: see the module docstring

    users.register(subparsers)


def _patients(subparsers: Any) -> None:
    from desktop.cli import patients  # imported here: see the module docstring

    patients.register(subparsers)


def _screen(subparsers: Any) -> None:
    from desktop.cli import screen  # imported here: see the module docstring

    screen.register(subparsers)


COMMANDS: dict[str, Callable[[Any], None]] = {
    "db": _db,
    "users": _users,
    "patients": _patients,
    "screen": _screen,
}


def command_named(arguments: Sequence[str]) -> str | None:
    """The subcommand in ``arguments`` (the first word that is neither an option nor its value)."""
    skip_next = False
    for word in arguments:
        if skip_next:
            skip_next = False
        elif word == "--database-url":
            skip_next = True
        elif not word.startswith("-"):
            return word
    return None


def build_parser(arguments: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clinicdesk",
        description="ClinicDesk offline clinical desktop. Without a command, opens the application window.",
    )
    parser.add_argument("--version", action="version", version=f"ClinicDesk {__version__}")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL of the database (default: the per-user SQLite file)"
    )
    parser.add_argument("--self-test", action="store_true", help="run the headless self-test and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = command_named(arguments)
    if wanted is None and "--version" in arguments:
        return parser  # prints the version and exits before any command would be looked at
    for name, register in COMMANDS.items():
        if wanted not in COMMANDS or name == wanted:
            register(subparsers)
    return parser
