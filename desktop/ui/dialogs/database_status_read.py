"""What the database tools show first: the schema's state, its revisions, its fingerprint, the
backups, and who may change it. Read in one job on a worker thread (each part is a query or a file
read)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.domain.errors import PermissionDeniedError
from desktop.ui.context import UiContext

if TYPE_CHECKING:
    from desktop.services.maintenance import (
        BackupInfo,
        DatabaseStatus,
        FingerprintResult,
        MaintenanceService,
        Revision,
    )

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusRead:
    status: DatabaseStatus
    history: list[Revision]
    fingerprint: FingerprintResult | None  # None when not checked (no schema, or one too new)
    actor: str | None  # the admin the audit log names; None when not checked
    refused: BaseException | None  # why the admin check failed (the tools stay read-only)
    backups: list[BackupInfo]  # newest first
    backup_tools: str  # why no backup can be made here ("" when one can)


def read_status(service: MaintenanceService, admin_check: UiContext | None) -> StatusRead:
    """Worker thread: the status, and (the first time, ``admin_check`` given) the admin check of that
    context's session."""
    status = service.status()
    actor, refused = None, None
    if admin_check is not None:
        try:
            actor = authorize(service, admin_check)
        except Exception as error:  # shown with the status; actions stay disabled
            refused = error
    history = service.history() if not status.is_too_new else []
    fingerprint = None
    if status.exists and status.current and not status.is_too_new:
        try:
            fingerprint = service.fingerprint()
        except Exception:  # the fingerprint is informative only; the status must still show
            log.exception("schema fingerprint check failed")
    backups = service.list_backups()
    return StatusRead(status, history, fingerprint, actor, refused, backups, service.backup_tools_message())


def authorize(service: MaintenanceService, ctx: UiContext) -> str:
    """The service's admin check of this session: the e-mail the audit log names.

    The service checks the token again for every action; this first check only decides whether the
    dialog enables its actions. A database that cannot answer it (an older revision with no sessions
    table, and a token the service has not seen) leaves the dialog read-only.
    """
    if not ctx.is_admin:
        raise PermissionDeniedError("Only administrators may use the database tools.")
    return service.authorize(ctx.token)
