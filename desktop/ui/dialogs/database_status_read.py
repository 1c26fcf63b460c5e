"""What the database tools show first: the schema's state, its revisions, its fingerprint, and who
may change it. Read in one job on a worker thread (each part is a query or a file read)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.services.maintenance import DatabaseStatus, FingerprintResult, MaintenanceService, Revision

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusRead:
    status: DatabaseStatus
    history: list[Revision]
    fingerprint: FingerprintResult | None  # None when not checked (no schema, or one too new)
    actor: str | None  # the admin the audit log names; None when not checked
    refused: BaseException | None  # why the admin check failed (the tools stay read-only)


def read_status(service: MaintenanceService, authorize: Callable[[DatabaseStatus], str] | None) -> StatusRead:
    """Worker thread: the status, and (``authorize`` given, the first time) the admin check."""
    status = service.status()
    actor, refused = None, None
    if authorize is not None:
        try:
            actor = authorize(status)
        except Exception as error:  # shown with the status; actions stay disabled
            refused = error
    history = service.history() if not status.is_too_new else []
    fingerprint = None
    if status.exists and status.current and not status.is_too_new:
        try:
            fingerprint = service.fingerprint()
        except Exception:  # the fingerprint is informative only; the status must still show
            log.exception("schema fingerprint check failed")
    return StatusRead(status, history, fingerprint, actor, refused)
