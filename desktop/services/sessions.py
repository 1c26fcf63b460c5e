"""Session rows: opening one at sign-in and checking the token on every call.

A token is the session row's UUID. It is valid while the row is active, unexpired and its account
is active; the check reads the database each time, so signing out or deactivating an account on one
desktop takes effect on every other desktop at its next call.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import Session, User
from desktop.domain.dto import CurrentUser
from desktop.domain.enums import Role
from desktop.domain.errors import PermissionDeniedError, SessionExpiredError
from desktop.services.context import ServiceContext

SIGNED_OUT = "You have been signed out. Please sign in again."
EXPIRED = "Your session has expired. Please sign in again."
DEACTIVATED = "This account has been deactivated. Ask an administrator."


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
    """The active user behind ``token``; raises SessionExpiredError otherwise."""
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
