"""Shared fixtures.

QT_QPA_PLATFORM=offscreen is set before anything can import Qt. Every test gets its own data folder
(CLINICDESK_DATA_DIR) so nothing touches the real per-user folder.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CLINICDESK_DATABASE_URL", None)

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES_URL_ENV = "CLINICDESK_TEST_POSTGRES_URL"
MARIADB_URL_ENV = "CLINICDESK_TEST_MARIADB_URL"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh per-test data folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("CLINICDESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _detach_log_file() -> Iterator[None]:
    """setup_logging() (run by the app at start-up and by every ``clinicdesk db`` command) attaches a
    file handler in this test's data folder; detach it afterwards so the next test logs into its own."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_clinicdesk", False)]:
        root.removeHandler(handler)
        handler.close()


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


def mariadb_base_url() -> str | None:
    """The MariaDB test server's URL (``mysql+pymysql://root@127.0.0.1:PORT/``); required in CI."""
    url = os.environ.get(MARIADB_URL_ENV)
    if not url and os.environ.get("CI"):
        raise RuntimeError(f"{MARIADB_URL_ENV} must be set in CI: .ci/run starts the server")
    return url


@contextmanager
def fresh_mariadb_database(base: str, prefix: str = "cd_test") -> Iterator[str]:
    """A new, empty database on the MariaDB server at ``base``; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
    try:
        yield sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """URL of an empty MariaDB database, dropped afterwards. Skips locally when no server runs."""
    base = mariadb_base_url()
    if not base:
        pytest.skip(f"no MariaDB server ({MARIADB_URL_ENV} unset)")
    with fresh_mariadb_database(base) as url:
        yield url


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Parametrised over a real SQLite file, a real PostgreSQL and a real MariaDB database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clinic.db'}"
    if request.param == "mariadb":
        return request.getfixturevalue("mariadb_url")
    return request.getfixturevalue("postgres_url")
