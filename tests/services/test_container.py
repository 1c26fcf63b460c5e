"""Services: each built once, sharing one database and one predictor; only auth at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop.services.container import Services
from desktop.services.predictor_provider import PredictorProvider
from desktop.settings import Settings


def test_services_share_one_context_and_one_predictor_provider(db_url):
    provider = PredictorProvider()  # the bundled model, not yet loaded
    settings = Settings(database_url=db_url, session_hours=2)
    services = Services.create(db_url, settings, bcrypt_rounds=4, predictor_provider=provider)
    try:
        assert services.settings.session_hours == 2 and services.database.url == db_url
        assert services.context.bcrypt_rounds == 4
        for name in (
            "auth",
            "users",
            "profile",
            "records",
            "family",
            "predictions",
            "patients",
            "audit",
            "maintenance",
        ):
            assert getattr(services, name) is getattr(services, name)
        assert services.predictor_provider is provider and not provider.is_loaded
        services.predictions.model_info()  # loads the model through the shared provider
        assert provider.is_loaded
        services.auth.create_first_admin("a@clinic.example", "A", "correct horse battery")
        session = services.auth.sign_in("a@clinic.example", "correct horse battery")
        assert (session.expires_at - services.context.now()).total_seconds() > 7100
    finally:
        services.close()


def test_default_bcrypt_cost_is_12(sqlite_url):
    services = Services.create(sqlite_url)
    try:
        assert services.context.bcrypt_rounds == 12
    finally:
        services.close()


# The modules of the services built on first use (audit's module is needed by auth itself).
LAZY_MODULES = (
    "users",
    "profile",
    "records",
    "family",
    "predictions",
    "patients",
    "screening",
    "maintenance",
)

START_UP = """
import sys
from desktop.services.container import Services
from desktop.services.predictor_provider import PredictorProvider
services = Services.create(sys.argv[1], bcrypt_rounds=4)
print(" ".join(m for m in %r if "desktop.services." + m in sys.modules))
services.warm_up()
print(" ".join(m for m in %r if "desktop.services." + m not in sys.modules))
"""


def test_sign_in_needs_only_auth_and_warm_up_builds_the_rest(sqlite_url: str) -> None:
    """The sign-in window must not wait for the other services' imports (start-up time)."""
    code = START_UP % (LAZY_MODULES, LAZY_MODULES)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code, sqlite_url], capture_output=True, text=True, check=True, cwd=root
    )
    imported_before, missing_after = out.stdout.split("\n")[:2]
    assert imported_before == ""
    assert missing_after == ""
