"""Sign-in lockout, counted in the database so it holds across several desktops.

5 failed attempts for one e-mail within 15 minutes lock it for 15 minutes after the fifth. Attempts
are counted from ``loginattempt`` by normalised e-mail, whether or not an account has it, so the
answer never reveals whether an account exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import LoginAttempt
from desktop.domain.errors import AccountLockedError

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)


def locked_until(s: OrmSession, email: str, now: dt.datetime) -> dt.datetime | None:
    """When the lock on ``email`` ends, or None if not locked.

    Looks at the last five failures since the last success: if they fall within 15 minutes of each
    other, the lock lasts 15 minutes from the fifth.
    """
    # By id, not time: a success and a failure may share a timestamp.
    last_success = s.scalar(
        select(func.max(LoginAttempt.id)).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True))
    )
    conditions = [
        LoginAttempt.email == email,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.created_at > now - FAILURE_WINDOW - LOCK_DURATION,
    ]
    if last_success is not None:
        conditions.append(LoginAttempt.id > last_success)
    recent = list(
        s.scalars(
            select(LoginAttempt.created_at)
            .where(*conditions)
            .order_by(LoginAttempt.created_at.desc(), LoginAttempt.id.desc())
            .limit(MAX_FAILURES)
        )
    )
    if len(recent) < MAX_FAILURES:
        return None
    newest, oldest = recent[0], recent[-1]
    if newest - oldest > FAILURE_WINDOW:
        return None
    until = newest + LOCK_DURATION
    return until if until > now else None


def lift(s: OrmSession, email: str) -> int:
    """Forget the failed attempts of ``email`` that could still count towards a lock (an
    administrator unlocked the account or reset its password); returns how many were forgotten.

    Each failure stays in the audit log, so nothing about the attempts is lost.
    """
    result = s.execute(
        delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def locked_error(until: dt.datetime) -> AccountLockedError:
    local = until.astimezone()
    error = AccountLockedError(
        f"Too many failed sign-in attempts. Sign-in is blocked until {local:%H:%M}; try again then."
    )
    error.until = until  # type: ignore[attr-defined]
    return error
