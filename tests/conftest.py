"""Shared fixtures.

QT_QPA_PLATFORM=offscreen is set before anything can import Qt. Every test gets its own data folder
(CLINICDESK_DATA_DIR) so nothing touches the real per-user folder.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CLINICDESK_DATABASE_URL", None)

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES_URL_ENV = "CLINICDESK_TEST_POSTGRES_URL"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh per-test data folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("CLINICDESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a not-yet-existing SQLite file in tmp_path."""
    return f"sqlite:///{tmp_path / 'clinic.db'}"


def postgres_base_url() -> str | None:
    """The test server's URL; in CI it must be set (tests fail instead of skipping there)."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url and os.environ.get("CI"):
        raise RuntimeError(f"{POSTGRES_URL_ENV} must be set in CI: .ci/run starts the server")
    return url


@pytest.fixture
def postgres_url() -> str:
    """URL of an empty PostgreSQL database, dropped afterwards. Skips locally when no server runs."""

    base = postgres_base_url()
    if not base:
        pytest.skip(f"no PostgreSQL server ({POSTGRES_URL_ENV} unset)")
    name = f"cd_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Parametrised over a real SQLite file and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clinic.db'}"
    return request.getfixturevalue("postgres_url")
