"""The append-only audit trail: writing rows (from any service's unit of work) and reading them.

Nothing here or anywhere else updates or deletes audit rows. For every update or delete of medical
data the row's previous values go into ``before`` (JSON), so a record's history can be shown and a
wrong edit traced.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AuditLog, BreastCancerPrediction, FamilyHistory, MedicalRecord, User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, AuditEntryDTO, AuditQuery, Page
from desktop.domain.entry_rules import search_text
from desktop.domain.enums import Role
from desktop.services import rows
from desktop.services.access_policy import Action, allowed, policed, policy_action
from desktop.services.context import ServiceContext
from desktop.services.rows import text_matches, to_dataclass
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


def account_event(
    s: OrmSession,
    ctx: ServiceContext,
    action: str,
    account: User,
    summary: str,
    *,
    by: User | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """An audit row about ``account`` (sign-up, password, profile, lock): who did it is ``by``, or the
    account itself. One call for the many places that audit an account, so they all name it alike."""
    return write(
        s,
        ctx,
        action=action,
        user=by or account,
        entity="user",
        entity_id=account.id,
        summary=summary,
        before=before,
        after=after,
    )


#: Entities whose values are medical data (an audit row's entity is the table name of its row).
MEDICAL_ENTITIES = frozenset(
    {MedicalRecord.__tablename__, FamilyHistory.__tablename__, BreastCancerPrediction.__tablename__}
)
#: The medical fields of an account's profile; the rest (name, e-mail, phone...) is demographics.
MEDICAL_PROFILE_FIELDS = frozenset({"age", "blood_type", "allergies", "medications"})


def to_dto(row: AuditLog) -> AuditEntryDTO:
    return to_dataclass(
        AuditEntryDTO, row, before=_from_json(row.before), after=_from_json(row.after), values_hidden=False
    )


def _owner(entry: AuditEntryDTO) -> str | None:
    """The account whose data the entry's values are (a row's ``user_id``, an account's own id)."""
    if entry.entity == User.__tablename__:
        return entry.entity_id
    for values in (entry.before, entry.after):
        if values and isinstance(values.get("user_id"), str):
            return str(values["user_id"])
    return entry.user_id


def _without_medical(values: Any, entity: str) -> dict[str, Any] | None:
    if values is None or entity not in MEDICAL_ENTITIES | {User.__tablename__}:
        return values
    if entity in MEDICAL_ENTITIES:
        return {}
    return {k: v for k, v in values.items() if k not in MEDICAL_PROFILE_FIELDS}


def readable(ctx: ServiceContext, reader: User, entry: AuditEntryDTO) -> AuditEntryDTO:
    """``entry`` as ``reader`` may see it: the medical values are left out unless the access policy
    lets the reader read that chart's medical data (a patient their own; an administrator only where
    the clinic's setting ``admin_can_read_medical_data`` allows it), the rule the chart services apply."""
    if entry.entity not in MEDICAL_ENTITIES | {User.__tablename__}:
        return entry
    owner = _owner(entry)
    if allowed(Role(reader.role), Action.CHART_READ_MEDICAL, ctx.settings, own=owner == reader.id):
        return entry
    # A row's summary names it ("Prediction saved: Malignant, High risk"): keep only the what.
    summary = entry.summary.split(":", 1)[0] if entry.entity in MEDICAL_ENTITIES else entry.summary
    return replace(
        entry,
        summary=summary,
        before=_without_medical(entry.before, entry.entity),
        after=_without_medical(entry.after, entry.entity),
        values_hidden=True,
    )


def _from_json(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _conditions(query: AuditQuery) -> list[Any]:
    """The SQL filter of ``query`` (each value checked first)."""
    conditions: list[Any] = []
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
    search = search_text(query.text)
    if search:
        conditions.append(text_matches(search, AuditLog.actor, AuditLog.summary, AuditLog.entity_id))
    return conditions


@policed
class AuditService:
    """Reading the audit log (administrators) and recording events other services report."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @policy_action(Action.AUDIT_READ)
    def list(self, token: str, query: AuditQuery | None = None) -> Page[AuditEntryDTO]:
        """Admin only: one page of audit entries, newest first, filtered by ``query``."""
        query = query or AuditQuery()
        offset, limit = v.page(query.offset, query.limit)
        conditions = _conditions(query)
        with self._ctx.unit_of_work() as s:
            admin = require_admin(s, self._ctx, token)
            total = s.scalar(select(func.count()).select_from(AuditLog).where(*conditions)) or 0
            order = rows.sort_order(AuditLog, "created_at", query.descending)
            found = s.scalars(
                select(AuditLog).where(*conditions).order_by(*order).offset(offset).limit(limit)
            )
            return Page(rows=tuple(readable(self._ctx, admin, to_dto(r)) for r in found), total=int(total))

    @policy_action(Action.AUDIT_READ)
    def ids(self, token: str, query: AuditQuery | None = None) -> tuple[int, ...]:
        """Admin only: the ids of every entry matching ``query``'s filters, newest first unless
        ``descending`` is False (paging fields ignored): what the audit table holds."""
        query = query or AuditQuery()
        conditions = _conditions(query)
        with self._ctx.unit_of_work() as s:
            require_admin(s, self._ctx, token)
            return rows.ordered_ids(
                s, AuditLog, conditions, rows.sort_order(AuditLog, "created_at", query.descending)
            )

    @policy_action(Action.AUDIT_READ)
    def rows(self, token: str, ids: Sequence[int]) -> tuple[AuditEntryDTO, ...]:
        """Admin only: the entries ``ids`` (at most 1000) in that order."""
        keys = rows.checked_ids(ids, "audit entry")
        with self._ctx.unit_of_work() as s:
            admin = require_admin(s, self._ctx, token)
            return tuple(readable(self._ctx, admin, to_dto(r)) for r in rows.load_in_order(s, AuditLog, keys))

    @policy_action(Action.REFERENCE_READ)
    def actions(self) -> tuple[str, ...]:
        """The action names an audit filter can offer."""
        return tuple(a.value for a in AuditAction)

    @policy_action(Action.EVENT_RECORD)
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
