"""The append-only audit trail: writing rows (from any service's unit of work) and reading them.

Nothing here or anywhere else updates or deletes audit rows. For every update or delete of medical
data the row's previous values go into ``before`` (JSON), so a record's history can be shown and a
wrong edit traced.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AuditLog, User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, AuditEntryDTO, AuditQuery, Page
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version, owned
from desktop.services.sessions import authenticate, require_admin


def row_values(row: Any) -> dict[str, Any]:
    """A mapped row's column values, JSON-ready (datetimes as ISO strings)."""
    values: dict[str, Any] = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        values[attr.key] = value
    values.pop("password_hash", None)
    return values


def write(
    s: OrmSession,
    ctx: ServiceContext,
    *,
    action: str,
    user: User | None = None,
    actor: str | None = None,
    entity: str = "",
    entity_id: object = "",
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row to ``s`` (committed with the caller's change, or not at all)."""
    entry = AuditLog(
        created_at=ctx.now(),
        user_id=user.id if user is not None else None,
        actor=(actor if actor is not None else (user.email if user is not None else "system"))[:320],
        action=str(action)[:50],
        entity=entity[:50],
        entity_id=str(entity_id)[:64],
        summary=summary[:500],
        before=json.dumps(before, default=str, sort_keys=True) if before is not None else None,
        after=json.dumps(after, default=str, sort_keys=True) if after is not None else None,
    )
    s.add(entry)
    return entry


def to_dto(row: AuditLog) -> AuditEntryDTO:
    return AuditEntryDTO(
        id=row.id,
        created_at=row.created_at,
        user_id=row.user_id,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        summary=row.summary,
        before=json.loads(row.before) if row.before else None,
        after=json.loads(row.after) if row.after else None,
    )


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class AuditService:
    """Reading the audit log (administrators) and recording events other services report."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(self, token: str, query: AuditQuery | None = None) -> Page[AuditEntryDTO]:
        """Admin only: one page of audit entries, newest first, filtered by ``query``."""
        query = query or AuditQuery()
        offset, limit = v.page(query.offset, query.limit)
        search = v.text(query.text, "Search text", max_length=200)
        with self._ctx.unit_of_work() as s:
            require_admin(s, self._ctx, token)
            conditions = []
            for column, value, label in (
                (AuditLog.action, query.action, "Action"),
                (AuditLog.user_id, query.user_id, "Account"),
                (AuditLog.entity, query.entity, "Kind of entry"),
                (AuditLog.entity_id, query.entity_id, "Entry id"),
            ):
                if value:
                    conditions.append(column == v.text(str(value), label, max_length=100))
            if query.date_from:
                start = dt.date.fromisoformat(v.iso_date(query.date_from, "From date"))
                conditions.append(AuditLog.created_at >= day_start(start))
            if query.date_to:
                end = dt.date.fromisoformat(v.iso_date(query.date_to, "To date"))
                conditions.append(AuditLog.created_at < day_start(end) + dt.timedelta(days=1))
            if search:
                pattern = f"%{_escape_like(search.lower())}%"
                conditions.append(
                    or_(
                        *(
                            func.lower(col).like(pattern, escape="\\")
                            for col in (AuditLog.actor, AuditLog.summary, AuditLog.entity_id)
                        )
                    )
                )
            total = s.scalar(select(func.count()).select_from(AuditLog).where(*conditions)) or 0
            order = (
                (AuditLog.created_at.desc(), AuditLog.id.desc())
                if query.descending
                else (AuditLog.created_at.asc(), AuditLog.id.asc())
            )
            rows = s.scalars(select(AuditLog).where(*conditions).order_by(*order).offset(offset).limit(limit))
            return Page(rows=tuple(to_dto(r) for r in rows), total=int(total))

    def actions(self) -> tuple[str, ...]:
        """The action names an audit filter can offer."""
        return tuple(a.value for a in AuditAction)

    def record_event(
        self,
        action: str,
        summary: str,
        *,
        token: str | None = None,
        entity: str = "",
        entity_id: str = "",
    ) -> None:
        """Record a maintenance event (migration, backup, restore). With ``token`` the signed-in user
        is the actor; without one (start-up migration, CLI) the actor is "system"."""
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token) if token is not None else None
            write(s, self._ctx, action=action, user=user, entity=entity, entity_id=entity_id, summary=summary)
            s.commit()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(search: str) -> str:
    """A case-insensitive LIKE pattern matching ``search`` anywhere (wildcards escaped; use escape='\\')."""
    return f"%{_escape_like(search.lower())}%"


def delete_owned(
    ctx: ServiceContext,
    token: str,
    model: type[Any],
    ident: object,
    *,
    label: str,
    entity: str,
    summary: Callable[[Any], str],
    expected_version: int | None = None,
) -> None:
    """Delete one of the signed-in user's rows, keeping its last values in the audit log.

    The one way records, family history and predictions are deleted: another user's id is "not
    found" (rows.owned); with ``expected_version`` a row changed since the user saw it is refused
    (ConflictError).
    """
    with ctx.unit_of_work(write=True) as s:
        user = authenticate(s, ctx, token)
        row = owned(s, model, ident, user.id, label)
        check_version(row, expected_version)
        write(
            s,
            ctx,
            action=AuditAction.DELETE,
            user=user,
            entity=entity,
            entity_id=row.id,
            summary=summary(row),
            before=row_values(row),
        )
        s.delete(row)
        s.commit()
