"""One way every ``clinicdesk`` command ends: an exit code from the table in desktop/cli/output.py.

Log records go to the log file, never to the terminal. A refusal or a known error becomes one line on
stderr; anything else is a bug in ClinicDesk: one line naming the log file, which keeps the traceback.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable

from desktop.cli.output import ExitCode, fail
from desktop.db.probe import RefusedError
from desktop.domain.errors import DatabaseTooNewError, KnownError
from desktop.settings import setup_logging

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def run_guarded(handler: Handler, args: argparse.Namespace) -> int:
    """``handler(args)`` with logging to the log file and every error turned into an exit code."""
    where = log_to_file()
    try:
        return int(handler(args) or 0)
    except (DatabaseTooNewError, RefusedError) as error:
        log.info("refused: %s", error.message)
        return fail(error.message, ExitCode.REFUSED)
    except KnownError as error:
        log.info("failed: %s", error.message, exc_info=True)
        return fail(error.message, ExitCode.FAILED)
    except KeyboardInterrupt:
        return fail("interrupted", ExitCode.INTERRUPTED)
    except Exception as error:
        log.exception("clinicdesk %s failed unexpectedly", getattr(args, "command", ""))
        return fail(
            f"unexpected error ({type(error).__name__}: {error}); details are in {where}", ExitCode.BUG
        )


def log_to_file() -> str:
    """Send log records to the log file (never to the terminal); where they go, for messages."""
    try:
        return str(setup_logging())
    except OSError as error:  # a read-only data folder: no log file, and still nothing on the terminal
        logging.getLogger().addHandler(logging.NullHandler())
        return f"no log file ({error.strerror or error})"
