"""``clinicdesk``: the GUI by default; ``db``, ``users``, ``patients``, ``screen``; ``--self-test``.

The parser and the subcommands live in desktop.cli.parser. Without any argument (how the GUI is
started) no parser is built at all: argparse and the subcommand modules cost about 15 ms before the
first window. That is why :func:`main` imports what each path needs inside its branch.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if not arguments:  # the GUI, exactly what the parser would decide for no arguments, without it
        gc.disable()  # for start-up only: desktop.app enables it again (see its docstring)
        from desktop.app import run_gui

        return run_gui(database_url=None, gc_paused=True)
    from desktop.cli.parser import build_parser

    args = build_parser(arguments).parse_args(arguments)
    if args.self_test:
        from desktop.cli.selftest import run_self_test

        return run_self_test()
    handler = getattr(args, "handler", None)
    if handler is not None:
        from desktop.cli.guard import run_guarded

        return run_guarded(handler, args)
    from desktop.app import run_gui

    return run_gui(database_url=args.database_url)


if __name__ == "__main__":
    sys.exit(main())
