"""Turn any exception into a message fit for a dialog (never a traceback).

``KnownError`` (desktop.domain.errors) carries a message written for the person using the program: it is
shown as it is. Anything else is our fault: the traceback goes to the log file and the person sees a
short apology naming that file. Qt-free on purpose, so it is also usable from the app's excepthook
(desktop/app/excepthook.py).
"""

from __future__ import annotations

import logging

from desktop.domain.errors import KnownError

log = logging.getLogger(__name__)


def apology() -> str:
    """The text shown for an unexpected fault."""
    # Here, not at the top: desktop.app imports this module before the first window, which must not
    # wait for the settings module (json, the credentials store).
    from desktop.settings import log_file_path

    return (
        "Sorry, something went wrong inside ClinicDesk. Your last action may not have been completed.\n\n"
        f"The details were written to the log file:\n{log_file_path()}"
    )


def user_message(error: BaseException, *, already_logged: bool = False) -> str:
    """The message to show for ``error``; logs unexpected errors with their traceback.

    ``already_logged`` avoids a second log entry when the caller (e.g. the worker runner) logged it.
    """
    if isinstance(error, KnownError):
        return error.message or str(error)
    if not already_logged:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return apology()
