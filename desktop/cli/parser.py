"""The ``clinicdesk`` argument parser: global options plus one subcommand module each.

Each subcommand module exposes ``register(subparsers)`` and stores its handler with
``set_defaults(handler=...)``; a handler returns the process exit code.
"""

from __future__ import annotations

import argparse

from desktop import __version__
from desktop.cli import db, patients, screen, users


def build_parser() -> argparse.ArgumentParser:
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
    for module in (db, users, patients, screen):
        module.register(subparsers)
    return parser
