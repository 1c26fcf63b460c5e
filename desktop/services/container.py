"""The composition of all services, built once by the app (or the CLI) and passed around.

``screening`` (desktop/services/screening.py) and ``maintenance`` (desktop/services/maintenance.py)
are written by other parts of the project and are optional here: when their module is missing the
slot is None, so accounts and records work on their own. ``ScreeningService(provider)`` gets the same
PredictorProvider as ``predictions``; ``MaintenanceService(ctx)`` gets the ServiceContext.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

from desktop.db.database import Database
from desktop.db.types import utcnow
from desktop.services.audit import AuditService
from desktop.services.auth import AuthService
from desktop.services.context import DEFAULT_BCRYPT_ROUNDS, Clock, ServiceContext
from desktop.services.family import FamilyService
from desktop.services.predictions import PredictionService
from desktop.services.profile import ProfileService
from desktop.services.records import RecordService
from desktop.services.users import UserAdminService
from desktop.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """Every service the UI needs; see the package docstring for the rules they share."""

    context: ServiceContext
    auth: AuthService
    users: UserAdminService
    profile: ProfileService
    records: RecordService
    family: FamilyService
    predictions: PredictionService
    audit: AuditService
    screening: Any | None = None
    maintenance: Any | None = None

    @property
    def database(self) -> Database:
        return self.context.database

    @property
    def settings(self) -> Settings:
        return self.context.settings

    @classmethod
    def create(
        cls,
        database_url: str,
        settings: Settings | None = None,
        *,
        database: Database | None = None,
        clock: Clock = utcnow,
        bcrypt_rounds: int = DEFAULT_BCRYPT_ROUNDS,
        predictor_provider: Any | None = None,
    ) -> Services:
        """Build all services over one ``Database`` for ``database_url``.

        The schema must already be current (the app migrates before calling this). ``clock`` and
        ``bcrypt_rounds`` exist for tests (a movable clock; cost 4 instead of 12).
        """
        settings = settings or Settings(database_url=database_url)
        ctx = ServiceContext(
            database=database or Database(database_url),
            settings=settings,
            clock=clock,
            bcrypt_rounds=bcrypt_rounds,
        )
        return cls.from_context(ctx, predictor_provider)

    @classmethod
    def from_context(cls, ctx: ServiceContext, predictor_provider: Any | None = None) -> Services:
        """All services over ``ctx``; one PredictorProvider shared by predictions and screening
        (the application's shared provider unless one is given, e.g. a test model folder)."""
        provider = predictor_provider or _shared_predictor_provider()
        return cls(
            context=ctx,
            auth=AuthService(ctx),
            users=UserAdminService(ctx),
            profile=ProfileService(ctx),
            records=RecordService(ctx),
            family=FamilyService(ctx),
            predictions=PredictionService(ctx, provider),
            audit=AuditService(ctx),
            screening=_optional_service("desktop.services.screening", "ScreeningService", provider),
            maintenance=_optional_service("desktop.services.maintenance", "MaintenanceService", ctx),
        )

    def close(self) -> None:
        """Release database connections (at exit, or before a restore replaces the file)."""
        self.context.database.dispose()


def _shared_predictor_provider() -> Any | None:
    """The application's PredictorProvider (the model loads on first use, not here), or None while
    the ML part is absent."""
    try:
        module = importlib.import_module("desktop.services.predictor_provider")
    except ModuleNotFoundError as error:
        if error.name != "desktop.services.predictor_provider":
            raise
        return None
    return module.shared_provider()


def _optional_service(module_name: str, class_name: str, argument: Any) -> Any | None:
    """``class_name(argument)`` from a module another part of the project provides, or None while the
    module is absent (screening takes the PredictorProvider, maintenance the ServiceContext)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        log.info("%s not available; its features are disabled", module_name)
        return None
    return getattr(module, class_name)(argument)
