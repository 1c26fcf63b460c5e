"""Session rows: opening one at sign-in and checking the token on every call.

A token is the session row's UUID. It is valid while the row is active, unexpired and its account
is active; the check reads the database each time, so signing out or deactivating an account on one
desktop takes effect on every other desktop at its next call.

A session of an account whose password an administrator set (see ``accounts.must_change_password``)
is refused by :func:`authenticate`, which every service call with a token goes through: a script or
a second client holding that token reads and writes nothing until the person has chosen their own
password. Only the few ``AuthService`` methods that choosing it needs (who is signed in, change the
password, sign out) use :func:`signed_in_user`, which skips that one check.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import Session, User
from desktop.domain.dto import CurrentUser
from desktop.domain.enums import Role
from desktop.domain.errors import PasswordChangeRequiredError, PermissionDeniedError, SessionExpiredError
from desktop.services.accounts import must_change_password
from desktop.services.context import ServiceContext

SIGNED_OUT = "You have been signed out. Please sign in again."
EXPIRED = "Your session has expired. Please sign in again."
DEACTIVATED = "This account has been deactivated. Ask an administrator."
NEW_PASSWORD_FIRST = "You must choose a new password before you continue."


def open_session(s: OrmSession, ctx: ServiceContext, user: User) -> Session:
    """Add a new session row for ``user`` lasting ``settings.session_hours``."""
    now = ctx.now()
    row = Session(
        id=str(uuid.uuid4()),
        user_id=user.id,
        created_at=now,
        expires_at=now + dt.timedelta(hours=ctx.settings.session_hours),
        is_active=True,
    )
    s.add(row)
    return row


def authenticate(s: OrmSession, ctx: ServiceContext, token: object) -> User:
    """The active user behind ``token``; SessionExpiredError when the session is not valid, and
    PasswordChangeRequiredError while the account must still choose its own password."""
    user = signed_in_user(s, ctx, token)
    if must_change_password(s, user.id):
        raise PasswordChangeRequiredError(NEW_PASSWORD_FIRST)
    return user


def signed_in_user(s: OrmSession, ctx: ServiceContext, token: object) -> User:
    """The active user behind ``token`` even if they must choose a new password first: only for
    what choosing it takes. Raises SessionExpiredError when the session is not valid."""
    if not isinstance(token, str):
        raise SessionExpiredError(SIGNED_OUT)
    try:
        token = str(uuid.UUID(token))
    except ValueError:
        raise SessionExpiredError(SIGNED_OUT) from None
    row = s.get(Session, token)
    if row is None or not row.is_active:
        raise SessionExpiredError(SIGNED_OUT)
    if row.expires_at <= ctx.now():
        raise SessionExpiredError(EXPIRED)
    user = s.get(User, row.user_id)
    if user is None or not user.is_active:
        raise SessionExpiredError(DEACTIVATED)
    return user


def session_row(s: OrmSession, token: str) -> Session | None:
    try:
        return s.get(Session, str(uuid.UUID(token)))
    except (ValueError, TypeError, AttributeError):
        return None


def require_admin(s: OrmSession, ctx: ServiceContext, token: object) -> User:
    """The signed-in user if an administrator; PermissionDeniedError otherwise."""
    user = authenticate(s, ctx, token)
    if user.role != Role.ADMIN:
        raise PermissionDeniedError("Only an administrator can do this.")
    return user


def end_all_sessions(s: OrmSession, user_id: str, keep: str | None = None) -> None:
    """Deactivate every session of an account (deactivation, password reset), but the session
    ``keep`` (a password change ends the others, not the one that made it)."""
    conditions = [Session.user_id == user_id, Session.is_active.is_(True)]
    if keep is not None:
        conditions.append(Session.id != keep)
    s.execute(update(Session).where(*conditions).values(is_active=False))


def current_user(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, email=user.email, name=user.name, role=Role(user.role))


def any_user_exists(s: OrmSession) -> bool:
    return s.execute(select(User.id).limit(1)).first() is not None
