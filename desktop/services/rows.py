"""Helpers every per-user service shares: owner-scoped lookups, version checks, who may read what."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import User
from desktop.domain.enums import Role
from desktop.domain.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from desktop.domain.validation import is_clean
from desktop.services.context import CONFLICT, ServiceContext

M = TypeVar("M")


def row_id(value: object, label: str) -> int:
    """A row id as given by the UI; anything that is not a positive int is simply "not found"."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value > 2**62:
        raise NotFoundError(f"This {label} no longer exists.")
    return value


def owned(s: OrmSession, model: type[M], ident: object, owner_id: str, label: str) -> M:
    """The row ``ident`` of ``model`` if it belongs to ``owner_id``; NotFoundError otherwise
    (also for another user's row, so ids reveal nothing)."""
    key = row_id(ident, label)
    row = s.scalars(select(model).where(model.id == key, model.user_id == owner_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFoundError(f"This {label} no longer exists.")
    return row


def check_version(row: Any, expected_version: object) -> None:
    """ConflictError when the row's version is not the one the user edited.

    This catches a change committed before we read the row; SQLAlchemy's version counter
    (``UPDATE ... WHERE version_id = :seen``) catches one committed between our read and our write.
    """
    if expected_version is None:
        return
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationError("The entry's version is missing; reload it and try again.")
    if row.version_id != expected_version:
        raise ConflictError(CONFLICT)


def readable_owner(ctx: ServiceContext, user: User, owner_id: str | None) -> str:
    """Whose medical data ``user`` may read: their own, or (admins, when the clinic's setting allows
    it) the account named by ``owner_id``."""
    if owner_id is None or owner_id == user.id:
        return user.id
    if user.role == Role.ADMIN and ctx.settings.admin_can_read_medical_data and is_clean(owner_id):
        return owner_id
    raise PermissionDeniedError("You can only see your own medical data.")
