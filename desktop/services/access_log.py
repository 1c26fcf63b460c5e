"""The chart access log: writing it where a chart is read, and reading it (admins, the patient).

:func:`open_patient` is the one door to a patient's chart for every service: it applies the access
policy, finds the patient (a missing or non-patient id is "not found") and, for a read by anyone
other than the patient, adds the access-log row in the caller's unit of work, so the row is
committed with the read's transaction or not at all. Reads open read transactions that never commit,
so the log is written in a short unit of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased

from desktop.db.models import AccessLog, User
from desktop.domain import validation as v
from desktop.domain.dto import Page
from desktop.domain.enums import Role
from desktop.domain.errors import NotFoundError, ValidationError
from desktop.domain.patient_dto import AccessLogEntry, AccessLogQuery
from desktop.services import rows
from desktop.services.access_policy import CHART_READS, NOT_FOUND, Action, require
from desktop.services.context import ServiceContext

DETAIL_MAX = 200
NO_PATIENT = "Open a patient's chart first: no patient was chosen."


def find_patient(s: OrmSession, patient_id: object) -> User:
    """The patient row ``patient_id``; NotFoundError for anything else (staff accounts included)."""
    user = s.get(User, patient_id) if v.is_clean(patient_id) else None
    if user is None or user.role != Role.PATIENT.value:
        raise NotFoundError(NOT_FOUND)
    return user


def open_patient(
    s: OrmSession, ctx: ServiceContext, user: User, action: Action, patient_id: str | None, detail: str = ""
) -> User:
    """The patient ``user`` may act on with ``action``; the access is logged for chart reads by
    anyone other than the patient (in a unit of work of its own, committed now)."""
    target = require(user.id, user.role, action, ctx.settings, patient_id=patient_id)
    if target is None:  # staff always name the patient; only a patient's own chart goes without
        raise ValidationError(NO_PATIENT)
    patient = find_patient(s, target)
    if action in CHART_READS or action is Action.PATIENTS_READ:
        log_access(ctx, user, patient.id, action, detail)
    return patient


def log_access(ctx: ServiceContext, user: User, patient_id: str, action: Action, detail: str = "") -> None:
    """Write one access-log row (nothing when people read their own chart)."""
    if user.id == patient_id:
        return
    with ctx.unit_of_work(write=True) as s:
        s.add(
            AccessLog(
                created_at=ctx.now(),
                user_id=user.id,
                patient_id=patient_id,
                action=str(action),
                detail=detail[:DETAIL_MAX],
            )
        )
        s.commit()


def _filters(query: AccessLogQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.patient_id:
        conditions.append(AccessLog.patient_id == v.text(query.patient_id, "Patient", max_length=64))
    if query.user_id:
        conditions.append(AccessLog.user_id == v.text(query.user_id, "Account", max_length=64))
    return conditions


def _entries(*conditions: Any) -> Select[AccessLog, str, str, str]:
    """The entries matching ``conditions`` with the names of the person who looked and of the patient."""
    viewer, patient = aliased(User), aliased(User)
    return (
        select(AccessLog, viewer.name, viewer.role, patient.name)
        .join(patient, patient.id == AccessLog.patient_id)
        .outerjoin(viewer, viewer.id == AccessLog.user_id)
        .where(*conditions)
    )


def _to_entry(
    row: AccessLog, viewer_name: str | None, viewer_role: str | None, patient_name: str
) -> AccessLogEntry:
    return AccessLogEntry(
        id=row.id,
        created_at=row.created_at,
        user_id=row.user_id,
        user_name=viewer_name or "",
        user_role=Role(viewer_role).label if viewer_role else "",
        patient_id=row.patient_id,
        patient_name=patient_name,
        action=row.action,
        detail=row.detail,
    )


def read_log(s: OrmSession, query: AccessLogQuery) -> Page[AccessLogEntry]:
    """A page of the access log, newest first, filtered by patient and/or by the person who looked."""
    offset, limit = v.page(query.offset, query.limit)
    conditions = _filters(query)
    total = s.scalar(select(func.count()).select_from(AccessLog).where(*conditions)) or 0
    found = s.execute(
        _entries(*conditions)
        .order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return Page(rows=tuple(_to_entry(*row) for row in found), total=total)


def log_ids(s: OrmSession, query: AccessLogQuery) -> tuple[int, ...]:
    """The ids of every entry matching ``query``'s filters, newest first (paging fields ignored):
    what the access log table holds."""
    order = rows.sort_order(AccessLog, "created_at", descending=True)
    return rows.ordered_ids(s, AccessLog, _filters(query), order)


def log_rows(s: OrmSession, ids: object, patient_id: str | None = None) -> tuple[AccessLogEntry, ...]:
    """The entries ``ids`` (at most MAX_PAGE_SIZE) in that order; with ``patient_id``, only those about
    that patient (another patient's ids select nothing)."""
    keys = rows.checked_ids(ids, "access log entry")
    if not keys:
        return ()
    conditions: list[Any] = [AccessLog.id.in_(keys)]
    if patient_id is not None:
        conditions.append(AccessLog.patient_id == patient_id)
    by_id = {row[0].id: _to_entry(*row) for row in s.execute(_entries(*conditions)).all()}
    return tuple(by_id[key] for key in keys if key in by_id)
