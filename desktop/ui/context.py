"""UiContext: what every page and dialog receives instead of reaching for globals.

Pages are built as ``SomePage(ctx: UiContext, parent=None)``. A page exposes:

- ``title: str`` (sidebar entry and window title),
- optionally ``refresh()`` (called when the page is shown and after sign-in/resume),
- optionally the actions the main window's shortcuts dispatch to when the page is current:
  ``new_item()`` (Ctrl+N), ``focus_search()`` (Ctrl+F), ``print_current()`` (Ctrl+P).

The context holds the ``Services`` container (desktop/services/container.py), the runner that executes
blocking service calls off the GUI thread (``ctx.runner.run(lambda: ..., on_done=..., on_error=...)``), the
Settings, and the current session once someone has signed in. Per-user service calls take the session
token first: ``ctx.services.records.list(ctx.token, query)``.

It deliberately holds no Qt signals: the main window owns sign-in/out and tells pages by calling
``refresh()``; jobs that fail with SessionExpiredError make ``ctx.runner`` emit ``session_expired``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.errors import SessionExpiredError
from desktop.settings import Settings, database_location, log_file_path

if TYPE_CHECKING:  # importing the container pulls SQLAlchemy; the UI only needs it for type hints
    from desktop.domain.dto import CurrentUser, SessionInfo
    from desktop.services.container import Services
    from desktop.ui.workers import Runner


class UiContext:
    """Shared state of one running GUI (one per QApplication; tests build one per test)."""

    def __init__(self, services: Services, settings: Settings, runner: Runner) -> None:
        self.services = services
        self.settings = settings
        self.runner = runner
        self.session: SessionInfo | None = None

    # --- session -----------------------------------------------------------------------------------

    def set_session(self, session: SessionInfo) -> None:
        """Remember a successful sign-in (``AuthService.sign_in``'s result)."""
        self.session = session

    def clear_session(self) -> None:
        """Forget the session (after sign-out, or when it expired)."""
        self.session = None

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @property
    def token(self) -> str:
        """The session token to pass first to per-user service calls.

        Raises SessionExpiredError when nobody is signed in, so a page used after sign-out fails with
        the normal "sign in again" path instead of an AttributeError.
        """
        if self.session is None:
            raise SessionExpiredError("You are signed out. Please sign in again.")
        return self.session.token

    @property
    def user(self) -> CurrentUser | None:
        """The signed-in person, or None."""
        return self.session.user if self.session else None

    @property
    def is_admin(self) -> bool:
        return bool(self.session and self.session.user.is_admin)

    # --- helpers -----------------------------------------------------------------------------------

    @property
    def database_label(self) -> str:
        """Where the data lives, safe to show: a SQLite file's path, else the URL without its password."""
        return database_location(self.settings.database_url)

    @property
    def log_file(self) -> Path:
        """The log file, for messages telling the user where details are."""
        return log_file_path()
