"""All services over one database, built once by the app (or the CLI) and passed around.

The sign-in window needs only ``auth``. Importing the other service modules (maintenance brings the
migration and backup code, screening the CSV reader, predictions the prediction types) would delay
the moment a sign-in is possible, so each of them is built, and its module imported, on first use. The
app calls :meth:`Services.warm_up` on a worker once sign-in is possible, so opening the main window
does not pay for those imports either.

Those lazy imports are declared in one place, the ``_build_*`` functions at the end of this module,
as plain import statements: a missing module fails loudly (ImportError on first use, and in
``warm_up`` right after start-up), and PyInstaller, mypy and import-linter see every edge. Building is
thread-safe: each service is built once.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from desktop.db.database import Database
from desktop.db.types import utcnow
from desktop.services.auth import AuthService
from desktop.services.context import DEFAULT_BCRYPT_ROUNDS, Clock, ServiceContext
from desktop.services.predictor_provider import PredictorProvider, shared_provider
from desktop.settings import Settings

if TYPE_CHECKING:  # built lazily, see the module docstring
    from desktop.services.audit import AuditService
    from desktop.services.family import FamilyService
    from desktop.services.maintenance import MaintenanceService
    from desktop.services.patients import PatientService
    from desktop.services.predictions import PredictionService
    from desktop.services.profile import ProfileService
    from desktop.services.records import RecordService
    from desktop.services.screening import ScreeningService
    from desktop.services.users import UserAdminService

_S = TypeVar("_S")


class Services:
    """Every service the UI and the CLI need; see the package docstring for the rules they share.

    ``auth`` exists from the start; the other services are built on first access (or by
    :meth:`warm_up`). Predictions and screening share one :class:`PredictorProvider`.
    """

    def __init__(self, context: ServiceContext, predictor_provider: PredictorProvider | None = None) -> None:
        """Services over ``context``; ``predictor_provider`` defaults to the application's bundled model."""
        self._context = context
        self._provider = predictor_provider or shared_provider()
        self._auth = AuthService(context)
        self._built: dict[Callable[[Services], object], object] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Services({self._context.database.url!r})"

    @property
    def context(self) -> ServiceContext:
        return self._context

    @property
    def database(self) -> Database:
        return self._context.database

    @property
    def settings(self) -> Settings:
        return self._context.settings

    @property
    def predictor_provider(self) -> PredictorProvider:
        """The model holder shared by predictions and screening (the model loads on first use)."""
        return self._provider

    @property
    def auth(self) -> AuthService:
        return self._auth

    @property
    def users(self) -> UserAdminService:
        return self._once(_build_users)

    @property
    def profile(self) -> ProfileService:
        return self._once(_build_profile)

    @property
    def records(self) -> RecordService:
        return self._once(_build_records)

    @property
    def family(self) -> FamilyService:
        return self._once(_build_family)

    @property
    def predictions(self) -> PredictionService:
        return self._once(_build_predictions)

    @property
    def patients(self) -> PatientService:
        return self._once(_build_patients)

    @property
    def audit(self) -> AuditService:
        return self._once(_build_audit)

    @property
    def screening(self) -> ScreeningService:
        return self._once(_build_screening)

    @property
    def maintenance(self) -> MaintenanceService:
        return self._once(_build_maintenance)

    def _once(self, build: Callable[[Services], _S]) -> _S:
        service = self._built.get(build)
        if service is None:
            with self._lock:
                service = self._built.get(build)
                if service is None:
                    service = self._built[build] = build(self)
        return cast(_S, service)

    def apply_settings(self, settings: Settings) -> None:
        """Run with changed preferences from now on (Edit > Preferences): the services are rebuilt
        over them; a call already running finishes with the old ones."""
        with self._lock:
            self._context = dataclasses.replace(self._context, settings=settings)
            self._auth = AuthService(self._context)
            self._built = {}

    def warm_up(self) -> None:
        """Build every service now (imports their modules): call it on a worker once sign-in is
        possible, so opening the main window does not wait for those imports. The model is not loaded."""
        for build in _LAZY_SERVICES:
            self._once(build)

    @classmethod
    def create(
        cls,
        database_url: str,
        settings: Settings | None = None,
        *,
        database: Database | None = None,
        clock: Clock = utcnow,
        bcrypt_rounds: int = DEFAULT_BCRYPT_ROUNDS,
        predictor_provider: PredictorProvider | None = None,
    ) -> Services:
        """All services over one ``Database`` for ``database_url``.

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
        return cls(ctx, predictor_provider)

    def close(self) -> None:
        """Release database connections (at exit, or before a restore replaces the file)."""
        self._context.database.dispose()


# The lazily built services: the only function-level imports of this package's service modules
# (see the module docstring for why they are not at the top).


def _build_users(services: Services) -> UserAdminService:
    from desktop.services.users import UserAdminService

    return UserAdminService(services.context)


def _build_profile(services: Services) -> ProfileService:
    from desktop.services.profile import ProfileService

    return ProfileService(services.context)


def _build_records(services: Services) -> RecordService:
    from desktop.services.records import RecordService

    return RecordService(services.context)


def _build_family(services: Services) -> FamilyService:
    from desktop.services.family import FamilyService

    return FamilyService(services.context)


def _build_predictions(services: Services) -> PredictionService:
    from desktop.services.predictions import PredictionService

    return PredictionService(services.context, services.predictor_provider)


def _build_patients(services: Services) -> PatientService:
    from desktop.services.patients import PatientService

    return PatientService(services.context)


def _build_audit(services: Services) -> AuditService:
    from desktop.services.audit import AuditService

    return AuditService(services.context)


def _build_screening(services: Services) -> ScreeningService:
    from desktop.services.screening import ScreeningService

    return ScreeningService(services.predictor_provider)


def _build_maintenance(services: Services) -> MaintenanceService:
    from desktop.services.maintenance import MaintenanceService

    return MaintenanceService(services.context)


_LAZY_SERVICES: tuple[Callable[[Services], object], ...] = (
    _build_users,
    _build_profile,
    _build_records,
    _build_family,
    _build_predictions,
    _build_patients,
    _build_audit,
    _build_screening,
    _build_maintenance,
)
