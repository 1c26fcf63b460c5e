"""Merging a duplicate registration into the right patient.

The duplicate's records, family history, predictions and access-log rows move to the patient they
belong to; the duplicate is deactivated (never deleted) and its sessions end. The audit log gets one
row under each id, each naming both, so either identity leads to the merge. Moved rows get a new
version number, so an editor still holding one of them gets a conflict instead of saving it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Result, update
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AccessLog, BreastCancerPrediction, FamilyHistory, MedicalRecord, User
from desktop.domain.dto import AuditAction
from desktop.domain.errors import ValidationError
from desktop.services import audit
from desktop.services.context import ServiceContext
from desktop.services.sessions import end_all_sessions

MOVED_TABLES = (MedicalRecord, FamilyHistory, BreastCancerPrediction)


@dataclass(frozen=True)
class MergeResult:
    """What a merge moved (counts by table name) from ``duplicate_id`` into ``into_id``."""

    duplicate_id: str
    into_id: str
    moved: dict[str, int]


def _count(result: Result[Any]) -> int:
    """Rows an UPDATE changed (Session.execute types its result as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def merge_rows(s: OrmSession, ctx: ServiceContext, actor: User, duplicate: User, into: User) -> MergeResult:
    if duplicate.id == into.id:
        raise ValidationError("Choose two different patients: a patient cannot be merged into themselves.")
    if not into.is_active:
        raise ValidationError("The patient to keep is deactivated: reactivate them first, then merge.")
    moved: dict[str, int] = {}
    for model in MOVED_TABLES:
        result = s.execute(
            update(model)
            .where(model.user_id == duplicate.id)
            .values(user_id=into.id, version_id=model.version_id + 1)
            .execution_options(synchronize_session=False)
        )
        moved[model.__tablename__] = _count(result)
    result = s.execute(
        update(AccessLog)
        .where(AccessLog.patient_id == duplicate.id)
        .values(patient_id=into.id)
        .execution_options(synchronize_session=False)
    )
    moved[AccessLog.__tablename__] = _count(result)
    duplicate.is_active = False
    duplicate.updated_at = ctx.now()
    end_all_sessions(s, duplicate.id)
    both = {
        "duplicate_id": duplicate.id,
        "duplicate_mrn": duplicate.mrn,
        "into_id": into.id,
        "into_mrn": into.mrn,
    }
    for entity_id in (duplicate.id, into.id):
        audit.write(
            s,
            ctx,
            action=AuditAction.MERGE,
            user=actor,
            entity="user",
            entity_id=entity_id,
            summary=f"Patient MRN {duplicate.mrn} merged into MRN {into.mrn}",
            before={"id": duplicate.id, "mrn": duplicate.mrn, "name": duplicate.name},
            after={**both, "moved": moved},
        )
    return MergeResult(duplicate_id=duplicate.id, into_id=into.id, moved=moved)
