"""Terminal output for the CLI: colour only on a terminal and when NO_COLOR is unset (no-color.org),
and the one table of exit codes every command uses."""

from __future__ import annotations

import os
import sys
from enum import IntEnum
from typing import TextIO

_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "bold": "1", "dim": "2"}


class ExitCode(IntEnum):
    """What ``clinicdesk`` commands return (README, "Exit codes"; printed by ``clinicdesk db --help``)."""

    OK = 0
    #: The operation failed, or a check found problems (the message says which).
    FAILED = 1
    #: Refused: nothing was changed (another program's file, a newer database, a damaged backup, not
    #: confirmed, wrong arguments).
    REFUSED = 2
    #: An unexpected error inside ClinicDesk; the traceback is in the log file.
    BUG = 3
    #: Interrupted with Ctrl+C.
    INTERRUPTED = 130


EXIT_CODES_HELP = """exit codes:
  0    done (a check: no problems found)
  1    the operation failed, or a check found problems
  2    refused, nothing changed: not a ClinicDesk database, made by a newer version,
       a backup that fails its checks, not confirmed, wrong arguments
  3    unexpected error inside ClinicDesk (details in the log file)
  130  interrupted (Ctrl+C)"""


def use_colour(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def paint(text: str, colour: str, stream: TextIO | None = None) -> str:
    """``text`` wrapped in the ANSI colour when :func:`use_colour`, else unchanged."""
    if not use_colour(stream):
        return text
    return f"\033[{_CODES[colour]}m{text}\033[0m"


def fail(message: str, code: int = ExitCode.FAILED) -> int:
    """Print a one-line reason to stderr and return the exit code to use."""
    print(f"{paint('error:', 'red', sys.stderr)} {message}", file=sys.stderr)
    return int(code)
