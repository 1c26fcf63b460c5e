"""Uncaught exceptions: logged with their traceback, shown as a short apology, never as a traceback."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QApplication

from desktop.domain.errors import KnownError
from desktop.ui.errors import apology

log = logging.getLogger(__name__)


def install_excepthook() -> None:
    """Log any uncaught exception with its traceback and show a short apology, never the traceback."""
    showing = {"now": False}

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if showing["now"] or QApplication.instance() is None:
            return
        showing["now"] = True
        try:
            # Here, not at the top: the message boxes are not needed before the first window.
            from desktop.ui.dialogs import prompts

            text = exc.message if isinstance(exc, KnownError) else apology()
            prompts.error(None, text)
        finally:
            showing["now"] = False

    sys.excepthook = hook
