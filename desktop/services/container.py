"""The composition of all services, built once by the app (or the CLI) and passed around.

``screening`` (desktop/services/screening.py) and ``maintenance`` (desktop/services/maintenance.py)
are written by other parts of the project and are optional here: when their module is missing the
slot is None, so accounts and records work on their own. ``ScreeningService(provider)`` gets the same
PredictorProvider as ``predictions``; ``MaintenanceService(ctx)`` gets the ServiceContext.

Each service is built (and its module imported) on first use, not in :meth:`Services.create`: the
sign-in window needs only ``auth``, and importing the other services (records, predictions,
screening, maintenance with backups and migrations) would delay "sign-in possible" (issue 5 target
< 0.5 s). The app calls :meth:`Services.warm_up` on a worker once sign-in is possible, so the main
window does not pay for them either. Building is thread-safe: a service is built once.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop.db.database import Database
from desktop.db.types import utcnow
from desktop.services.auth import AuthService
from desktop.services.context import DEFAULT_BCRYPT_ROUNDS, Clock, ServiceContext
from desktop.settings import Settings

if TYPE_CHECKING:
    from desktop.services.audit import AuditService
    from desktop.services.family import FamilyService
    from desktop.services.patients import PatientService
    from desktop.services.predictions import PredictionService
    from desktop.services.profile import ProfileService
    from desktop.services.records import RecordService
    from desktop.services.users import UserAdminService

log = logging.getLogger(__name__)


class Services:
    """Every service the UI needs; see the package docstring for the rules they share.

    Attributes (read-only, built on first access): ``auth``, ``users``, ``profile``, ``records``,
    ``family``, ``predictions``, ``patients``, ``audit``, ``screening`` and ``maintenance`` (None while
    their module is absent), plus ``context``, ``database`` and ``settings``.
    """

    def __init__(self, context: ServiceContext, predictor_provider: Any | None = None, **built: Any) -> None:
        """Services over ``context``; ``built`` may hand in ready service objects by name (tests)."""
        unknown = set(built) - set(_FACTORIES)
        if unknown:
            raise TypeError(f"unknown services: {', '.join(sorted(unknown))}")
        self._context = context
        self._given_provider = predictor_provider
        self._provider: Any | None = None
        self._provider_resolved = False
        self._built: dict[str, Any] = dict(built)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Services({self._context.database.url!r}, built={sorted(self._built)})"

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
    def auth(self) -> AuthService:
        return self._get("auth")  # type: ignore[no-any-return]

    @property
    def users(self) -> UserAdminService:
        return self._get("users")  # type: ignore[no-any-return]

    @property
    def profile(self) -> ProfileService:
        return self._get("profile")  # type: ignore[no-any-return]

    @property
    def records(self) -> RecordService:
        return self._get("records")  # type: ignore[no-any-return]

    @property
    def family(self) -> FamilyService:
        return self._get("family")  # type: ignore[no-any-return]

    @property
    def predictions(self) -> PredictionService:
        return self._get("predictions")  # type: ignore[no-any-return]

    @property
    def patients(self) -> PatientService:
        return self._get("patients")  # type: ignore[no-any-return]

    @property
    def audit(self) -> AuditService:
        return self._get("audit")  # type: ignore[no-any-return]

    @property
    def screening(self) -> Any | None:
        return self._get("screening")

    @property
    def maintenance(self) -> Any | None:
        return self._get("maintenance")

    def _get(self, name: str) -> Any:
        try:
            return self._built[name]
        except KeyError:
            pass
        with self._lock:
            if name not in self._built:
                self._built[name] = _FACTORIES[name](self)
            return self._built[name]

    def predictor_provider(self) -> Any | None:
        """The PredictorProvider shared by predictions and screening (resolved once, on first need)."""
        with self._lock:
            if not self._provider_resolved:
                self._provider = self._given_provider or _shared_predictor_provider()
                self._provider_resolved = True
            return self._provider

    def warm_up(self) -> None:
        """Build every service now (imports their modules): call it on a worker once sign-in is possible,
        so opening the main window does not wait for those imports. The model is not loaded here."""
        for name in _FACTORIES:
            self._get(name)

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
        return cls.from_context(ctx, predictor_provider)

    @classmethod
    def from_context(cls, ctx: ServiceContext, predictor_provider: Any | None = None) -> Services:
        """All services over ``ctx``; one PredictorProvider shared by predictions and screening
        (the application's shared provider unless one is given, e.g. a test model folder)."""
        return cls(ctx, predictor_provider)

    def close(self) -> None:
        """Release database connections (at exit, or before a restore replaces the file)."""
        self._context.database.dispose()


# One factory per service; the imports are inside them (plain import statements, so PyInstaller's
# analysis still sees every module).


def _users(services: Services) -> Any:
    from desktop.services.users import UserAdminService

    return UserAdminService(services.context)


def _profile(services: Services) -> Any:
    from desktop.services.profile import ProfileService

    return ProfileService(services.context)


def _records(services: Services) -> Any:
    from desktop.services.records import RecordService

    return RecordService(services.context)


def _family(services: Services) -> Any:
    from desktop.services.family import FamilyService

    return FamilyService(services.context)


def _predictions(services: Services) -> Any:
    from desktop.services.predictions import PredictionService

    return PredictionService(services.context, services.predictor_provider())


def _patients(services: Services) -> Any:
    from desktop.services.patients import PatientService

    return PatientService(services.context)


def _audit(services: Services) -> Any:
    from desktop.services.audit import AuditService

    return AuditService(services.context)


_FACTORIES: dict[str, Callable[[Services], Any]] = {
    "auth": lambda services: AuthService(services.context),
    "users": _users,
    "profile": _profile,
    "records": _records,
    "family": _family,
    "predictions": _predictions,
    "patients": _patients,
    "audit": _audit,
    "screening": lambda services: _optional_service(
        "desktop.services.screening", "ScreeningService", services.predictor_provider()
    ),
    "maintenance": lambda services: _optional_service(
        "desktop.services.maintenance", "MaintenanceService", services.context
    ),
}


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
