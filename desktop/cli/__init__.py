"""``clinicdesk``: the GUI by default; ``db``, ``users``, ``patients``, ``screen``; ``--self-test``.

Each subcommand lives in its own module exposing ``register(subparsers)``; its handler is stored with
``set_defaults(handler=...)`` and returns the process exit code. Heavy imports (Qt, SQLAlchemy,
onnxruntime) happen inside handlers, so ``clinicdesk --version`` and start-up stay fast. Without any
argument (how the GUI is started) no parser is built at all: argparse and the subcommand modules cost
about 15 ms before the first window (issue 5 start-up target).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from desktop import __version__

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

#: Subcommand modules, each with ``register(subparsers)``.
SUBCOMMAND_MODULES = ("desktop.cli.db", "desktop.cli.users", "desktop.cli.patients", "desktop.cli.screen")


def build_parser() -> argparse.ArgumentParser:
    import argparse
    import importlib

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
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a subcommand module not written yet must not break the GUI
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if not arguments:  # the GUI, exactly what the parser would decide for no arguments, without it
        import gc

        gc.disable()  # for start-up only: desktop.app enables it again (see its docstring)
        from desktop.app import run_gui

        return run_gui(database_url=None, gc_paused=True)
    args = build_parser().parse_args(arguments)
    if args.self_test:
        from desktop.cli.selftest import run_self_test

        return run_self_test()
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args) or 0)
    from desktop.app import run_gui

    return run_gui(database_url=args.database_url)


if __name__ == "__main__":
    sys.exit(main())
