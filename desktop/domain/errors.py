"""The error family every layer raises.

``KnownError`` and its subclasses carry a message a clinician or maintainer understands; the UI shows
it as it is. Any other exception is our fault: the UI shows a short apology with the log file's
location and logs the traceback, never showing it.
"""

from __future__ import annotations


class KnownError(Exception):
    """An expected failure whose message is fit to show to the person using the program."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(KnownError):
    """Input that breaks a rule. ``fields`` maps a field name to its own message, for inline display."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


class UnreliableInputError(KnownError):
    """Measurements outside the model's training range: the result is not reliable, so it is stored
    only when the person saving confirms it. ``names`` are the measurements concerned."""

    def __init__(self, message: str, names: tuple[str, ...]) -> None:
        super().__init__(message)
        self.names = names


class NotFoundError(KnownError):
    """The row does not exist *for this user* (also raised for another user's rows: no leak)."""


class AuthenticationError(KnownError):
    """Sign-in refused; the message never reveals whether the e-mail exists."""


class AccountLockedError(AuthenticationError):
    """Too many failed attempts; carries when the lock ends."""


class SessionExpiredError(KnownError):
    """The session ended (timeout, sign-out, account deactivated): sign in again."""


class PermissionDeniedError(KnownError):
    """The signed-in account may not do this (e.g. a non-admin calling an admin action)."""


class PasswordChangeRequiredError(PermissionDeniedError):
    """The session's password was set by an administrator: until the person chooses their own, the
    session may only change it, say who is signed in, and sign out."""


class ConflictError(KnownError):
    """Someone else changed the row since it was read (optimistic concurrency)."""


class DatabaseError(KnownError):
    """A database problem in plain words: locked, disk full, unreachable server, corrupt file."""


class DatabaseTooNewError(DatabaseError):
    """The database was made by a newer ClinicDesk: it is never modified by this version."""


class MigrationError(DatabaseError):
    """An upgrade or downgrade failed; the database is still at its previous revision."""


class MigrationInterruptedError(MigrationError):
    """A MySQL / MariaDB migration stopped halfway: the database must be restored before any use."""


class ModelError(KnownError):
    """The prediction model is missing, altered or unusable."""
