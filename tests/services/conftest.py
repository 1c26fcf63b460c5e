"""Service fixtures: a migrated database (SQLite file, PostgreSQL, MariaDB), a movable clock, signed-in users.

The schema is made by the real migrations (desktop.db.migrate.upgrade), as in the app, once per
session per database kind; every test then gets an empty copy (SQLite: a copied file; PostgreSQL:
truncated tables; MariaDB: the same). Same parametrisation and skip/CI rules as tests/conftest.py's ``any_db_url``.
bcrypt runs at cost 4 here so the suite stays fast.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db.base import Base
from desktop.db.migrate import upgrade
from desktop.domain.dto import SessionInfo
from desktop.domain.enums import Role
from desktop.services.container import Services
from desktop.settings import Settings

POSTGRES_URL_ENV = "CLINICDESK_TEST_POSTGRES_URL"
PASSWORD = "correct horse battery"
GIVEN_PASSWORD = "given at the desk 1"  # what an administrator types when creating an account
TEST_ROUNDS = 4


class Clock:
    """A clock tests move by hand (lockout and session expiry without sleeping)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file brought to head by the real migrations, copied for each test (saves ~0.4 s a test)."""
    path = tmp_path_factory.mktemp("template") / "clinic.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres_url() -> Iterator[str]:
    """One PostgreSQL database brought to head by the real migrations for the whole session; each
    test starts from emptied tables (TRUNCATE is ~50 ms, where CREATE + DROP DATABASE costs ~2 s a
    test because PostgreSQL 15 checkpoints on both). Skips locally without a server, fails in CI."""
    base = os.environ.get(POSTGRES_URL_ENV)
    if not base:
        if os.environ.get("CI"):
            raise RuntimeError(f"{POSTGRES_URL_ENV} must be set in CI: .ci/run starts the server")
        pytest.skip(f"no PostgreSQL server ({POSTGRES_URL_ENV} unset)")
    name = f"cd_svc_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                "AND pid <> pg_backend_pid()"
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_mariadb_url() -> Iterator[str]:
    """One MariaDB database brought to head for the session; each test starts from emptied tables."""
    from tests.conftest import MARIADB_URL_ENV, fresh_mariadb_database, mariadb_base_url

    base = mariadb_base_url()
    if not base:
        pytest.skip(f"no MariaDB server ({MARIADB_URL_ENV} unset)")
    with fresh_mariadb_database(base, prefix="cd_svc") as url:
        upgrade(url)
        yield url


def empty_mariadb_tables(url: str) -> None:
    """TRUNCATE every table (which also restarts AUTO_INCREMENT); InnoDB refuses TRUNCATE of a table
    other tables reference unless foreign-key checks are off for the session."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET SESSION FOREIGN_KEY_CHECKS=0")
            for table in Base.metadata.sorted_tables:
                conn.exec_driver_sql(f"TRUNCATE TABLE `{table.name}`")
            conn.exec_driver_sql("SET SESSION FOREIGN_KEY_CHECKS=1")
    finally:
        engine.dispose()


def empty_postgres_tables(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite_template: Path) -> str:
    """A migrated, empty database: a real SQLite file, a real PostgreSQL and a real MariaDB database."""
    if request.param == "mariadb":
        url = request.getfixturevalue("migrated_mariadb_url")
        empty_mariadb_tables(url)
        return url
    if request.param == "postgresql":
        url = request.getfixturevalue("migrated_postgres_url")
        empty_postgres_tables(url)
        return url
    target = tmp_path / "clinic.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{migrated_sqlite_template}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{target}{suffix}")
    return f"sqlite:///{target}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_services(url: str, clock: Clock, **settings: object) -> Services:
    return Services.create(
        url, Settings(database_url=url, **settings), clock=clock, bcrypt_rounds=TEST_ROUNDS
    )


@pytest.fixture
def services(db_url: str, clock: Clock) -> Iterator[Services]:
    """Services with self-registration on (a kiosk's set-up), so the registration tests can run;
    tests of it being refused build their own with the default."""
    svc = make_services(db_url, clock, self_registration=True)
    yield svc
    svc.close()


@pytest.fixture
def admin(services: Services) -> SessionInfo:
    """The first administrator, signed in."""
    services.auth.create_first_admin("admin@clinic.example", "Ada Admin", PASSWORD)
    return services.auth.sign_in("admin@clinic.example", PASSWORD)


def add_user(
    services: Services,
    admin: SessionInfo,
    email: str,
    role: Role = Role.USER,
    *,
    choose_password: bool = True,
) -> SessionInfo:
    """Create an account through the admin service and sign it in. The person then chooses their own
    password, PASSWORD, as the app asks them to before anything else; with ``choose_password=False``
    the session returned may only choose it (the account's password is PASSWORD, set by the admin)."""
    name = email.split("@")[0].title()
    if not choose_password:
        services.users.create_user(admin.token, email, name, PASSWORD, role)
        return services.auth.sign_in(email, PASSWORD)
    services.users.create_user(admin.token, email, name, GIVEN_PASSWORD, role)
    session = services.auth.sign_in(email, GIVEN_PASSWORD)
    services.auth.set_required_password(session.token, PASSWORD)
    return dataclasses.replace(session, must_change_password=False)


@pytest.fixture
def alice(services: Services, admin: SessionInfo) -> SessionInfo:
    return add_user(services, admin, "alice@clinic.example")


@pytest.fixture
def bob(services: Services, admin: SessionInfo) -> SessionInfo:
    return add_user(services, admin, "bob@clinic.example")


def passlib_style_hash(password: str, salt: bytes, rounds: int) -> str:
    """Independent re-implementation of passlib's pbkdf2_sha256 format, built from its documentation:
    ``$pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 32-byte digest>``; ab64 = base64 with '.' for '+',
    no '=' padding."""

    def ab64(data: bytes) -> str:
        return base64.b64encode(data).decode().replace("+", ".").rstrip("=")

    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, rounds)
    return f"$pbkdf2-sha256${rounds}${ab64(salt)}${ab64(digest)}"
