"""The composition root's view of the services: built once, sharing one database and one predictor."""

from __future__ import annotations

from desktop.services.container import Services
from desktop.settings import Settings


def test_services_share_one_context_and_one_predictor_provider(db_url):
    services = Services.create(db_url, Settings(database_url=db_url, session_hours=2), bcrypt_rounds=4)
    try:
        assert services.settings.session_hours == 2 and services.database.url == db_url
        assert services.context.bcrypt_rounds == 4
        for name in ("auth", "users", "profile", "records", "family", "predictions", "patients", "audit"):
            assert getattr(services, name)._ctx is services.context
        if services.screening is not None:
            assert services.screening._provider is services.predictions._provider
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
