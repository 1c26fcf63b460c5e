"""Terminal output for the CLI: colour only on a terminal and when NO_COLOR is unset (no-color.org)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "bold": "1", "dim": "2"}


def use_colour(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def paint(text: str, colour: str, stream: TextIO | None = None) -> str:
    """``text`` wrapped in the ANSI colour when :func:`use_colour`, else unchanged."""
    if not use_colour(stream):
        return text
    return f"\033[{_CODES[colour]}m{text}\033[0m"


def fail(message: str, code: int = 1) -> int:
    """Print a one-line reason to stderr and return the exit code to use."""
    print(f"{paint('error:', 'red', sys.stderr)} {message}", file=sys.stderr)
    return code
