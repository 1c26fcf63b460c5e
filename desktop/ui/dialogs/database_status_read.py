"""What the database tools show first: the schema's state, its revisions, its fingerprint, and who
may change it. Read in one job on a worker thread (each part is a query or a file read)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.domain.errors import PermissionDeniedError
from desktop.ui.context import UiContext

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


def read_status(service: MaintenanceService, admin_check: UiContext | None) -> StatusRead:
    """Worker thread: the status, and (the first time, ``admin_check`` given) the admin check of that
    context's session."""
    status = service.status()
    actor, refused = None, None
    if admin_check is not None:
        try:
            actor = authorize(service, admin_check, status)
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


def authorize(service: MaintenanceService, ctx: UiContext, status: DatabaseStatus) -> str:
    """The service's admin check of this session: the e-mail the audit log names.

    Only a database at head can answer it (older revisions have no sessions table, e.g. after an
    earlier downgrade); the UI's own admin check (the Tools menu is admin-only) is then all there is.
    """
    if status.exists and not status.is_too_new and status.at_head:
        return service.authorize(ctx.token)
    if not ctx.is_admin:
        raise PermissionDeniedError("Only administrators may use the database tools.")
    user = ctx.user
    return user.email if user else "admin"
