"""The database connection an administrator chooses: this computer's SQLite file or the clinic server.

Qt-free so the settings dialog, the CLI and tests share it. ``check_connection`` opens one real
connection through SQLAlchemy + psycopg with a short ``connect_timeout`` and turns the driver's error
into a :class:`ConnectionProblem` plus a sentence a clinic administrator can act on. psycopg 3 gives
connection failures no SQLSTATE, so the classification reads libpq's message text (English; a server
configured with another ``lc_messages`` falls back to :attr:`ConnectionProblem.OTHER`, whose message
still quotes the server).

A MariaDB / MySQL server (``mysql+pymysql``) is checked the same way; its error texts are classified in
desktop/services/mysql_server.py.

Saving writes the URL *without* the password to settings.json (``database_url``) and the password to
:mod:`desktop.credentials`; :func:`database_url_with_secret` puts it back at start-up.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import create_engine, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from desktop import credentials as password_store
from desktop import paths
from desktop.db import migrate
from desktop.domain.errors import DatabaseError
from desktop.services import mysql_server
from desktop.settings import DATABASE_URL_ENV, resolve_database_url, save_setting, sqlite_url

log = logging.getLogger(__name__)

DEFAULT_PORT = password_store.DEFAULT_PORT
#: PostgreSQL 12 is the oldest release still supported when ClinicDesk's schema was written
#: (generated columns, ``to_regclass``, advisory locks as we use them).
MIN_SERVER_VERSION_NUM = 120000
CONNECT_TIMEOUT_S = 5


class ConnectionMode(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"  # MariaDB or MySQL


#: The engine's usual port, which the dialog proposes when the engine is switched.
DEFAULT_PORTS = {ConnectionMode.POSTGRESQL: DEFAULT_PORT, ConnectionMode.MYSQL: mysql_server.DEFAULT_PORT}
ENGINE_NAMES = {ConnectionMode.POSTGRESQL: "PostgreSQL", ConnectionMode.MYSQL: "MariaDB/MySQL"}


@dataclass(frozen=True)
class ServerSettings:
    """What the settings dialog edits. The password is never part of it (see module docstring)."""

    mode: ConnectionMode = ConnectionMode.SQLITE
    host: str = ""
    port: int = DEFAULT_PORT
    database: str = "clinicdesk"
    user: str = "clinicdesk"

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL; with ``password`` for connecting, without it for settings.json."""
        if self.mode == ConnectionMode.SQLITE:
            return sqlite_url(paths.default_database_path())
        url = URL.create(
            "mysql+pymysql" if self.mode == ConnectionMode.MYSQL else "postgresql+psycopg",
            username=self.user or None,
            password=password or None,
            host=self.host or None,
            port=self.port or None,
            database=self.database or None,
        )
        return url.render_as_string(hide_password=False)

    @property
    def secret_key(self) -> str:
        return password_store.secret_key(self.user, self.host, self.port, self.database)

    def validate(self) -> dict[str, str]:
        """Field name -> what is wrong, for inline display; empty when the settings can be tried."""
        if self.mode == ConnectionMode.SQLITE:
            return {}
        problems = {}
        if not self.host.strip():
            problems["host"] = "Enter the clinic server's name or address."
        if not 1 <= int(self.port) <= 65535:
            usual = DEFAULT_PORTS.get(self.mode, DEFAULT_PORT)
            name = ENGINE_NAMES.get(self.mode, "PostgreSQL")
            problems["port"] = f"The port is a number from 1 to 65535 ({name}'s usual port is {usual})."
        if not self.database.strip():
            problems["database"] = "Enter the database name on the server."
        if not self.user.strip():
            problems["user"] = "Enter the user name ClinicDesk signs in to the server with."
        return problems

    @classmethod
    def from_url(cls, url: str) -> ServerSettings:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend in ("mysql", "mariadb"):
            mode = ConnectionMode.MYSQL
        elif backend == "postgresql":
            mode = ConnectionMode.POSTGRESQL
        else:
            return cls(mode=ConnectionMode.SQLITE)
        return cls(
            mode=mode,
            host=parsed.host or "",
            port=parsed.port or DEFAULT_PORTS[mode],
            database=parsed.database or "",
            user=parsed.username or "",
        )


class ConnectionProblem(StrEnum):
    OK = "ok"
    HOST_UNKNOWN = "host_unknown"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    NOT_POSTGRESQL = "not_postgresql"
    WRONG_PASSWORD = "wrong_password"
    PASSWORD_REQUIRED = "password_required"
    UNKNOWN_USER = "unknown_user"
    NOT_ALLOWED = "not_allowed"
    DATABASE_MISSING = "database_missing"
    TOO_OLD = "too_old"
    SCHEMA_TOO_NEW = "schema_too_new"
    OTHER = "other"


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of "Test connection"."""

    problem: ConnectionProblem
    message: str
    server_version: str | None = None
    has_clinicdesk_schema: bool | None = None

    @property
    def ok(self) -> bool:
        return self.problem == ConnectionProblem.OK


def classify_connection_error(text: str, settings: ServerSettings) -> tuple[ConnectionProblem, str]:
    """libpq's message for a failed connection -> (problem, plain sentence).

    The fragments are libpq's and the server's own wording, as printed by psycopg 3.3 against
    PostgreSQL 15 (see tests/services/test_server_settings.py for the texts it is checked with).
    A MariaDB / MySQL server's errors are PyMySQL's (desktop/services/mysql_server.py).
    """
    if settings.mode == ConnectionMode.MYSQL:
        problem, message = mysql_server.classify_mysql_error(text, settings)
        return ConnectionProblem(problem), message
    low = text.lower()

    def has(*fragments: str) -> bool:
        return any(fragment in low for fragment in fragments)

    where = f"{settings.host}:{settings.port}"
    if has("failed to resolve host", "could not translate host name", "name or service not known"):
        return ConnectionProblem.HOST_UNKNOWN, (
            f"The server name “{settings.host}” is not known on this network. Check the spelling, or "
            "use the server's IP address."
        )
    if has("connection refused"):
        return ConnectionProblem.REFUSED, (
            f"Nothing answers at {where}: the server is switched off, PostgreSQL is not running, or the "
            "port is wrong (PostgreSQL's usual port is 5432)."
        )
    if has("timeout expired", "timed out", "no route to host", "network is unreachable"):
        return ConnectionProblem.TIMEOUT, (
            f"The server at {where} cannot be reached (no answer in time). Check that this computer is on "
            "the clinic network and that a firewall is not blocking the port."
        )
    if has("password authentication failed"):
        return ConnectionProblem.WRONG_PASSWORD, (
            f"The server refused the password for user “{settings.user}”. Check the password (it is "
            "case-sensitive)."
        )
    if has("no password supplied", "password is required"):
        return ConnectionProblem.PASSWORD_REQUIRED, f"The server needs a password for user “{settings.user}”."
    if "role" in low and "does not exist" in low:
        return ConnectionProblem.UNKNOWN_USER, f"The server has no user named “{settings.user}”."
    if "database" in low and "does not exist" in low:
        return ConnectionProblem.DATABASE_MISSING, (
            f"The server has no database named “{settings.database}”. Ask the server's administrator to "
            "create it (an empty one is fine: ClinicDesk sets it up)."
        )
    if has("permission denied for database"):
        return ConnectionProblem.NOT_ALLOWED, (
            f"User “{settings.user}” may not open the database “{settings.database}” (no CONNECT "
            "permission). Ask the server's administrator to grant it."
        )
    if has("no pg_hba.conf entry", "pg_hba.conf rejects", "permission denied"):
        return ConnectionProblem.NOT_ALLOWED, (
            "The server does not accept connections from this computer for that user and database "
            "(its pg_hba.conf). Ask the server's administrator to allow it."
        )
    if has("ssl negotiation", "server closed the connection unexpectedly", "invalid response"):
        return ConnectionProblem.NOT_POSTGRESQL, (
            f"Something answered at {where}, but it is not a PostgreSQL server. Check the port."
        )
    first_line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return ConnectionProblem.OTHER, f"The server could not be used: {first_line}"


def check_connection(
    settings: ServerSettings,
    password: str | None = None,
    *,
    timeout_s: int = CONNECT_TIMEOUT_S,
    min_version_num: int = MIN_SERVER_VERSION_NUM,
) -> ConnectionCheck:
    """Connect once and report what works or what is wrong. Never raises for connection problems.

    Blocking for up to ``timeout_s`` seconds: the dialog runs it through ui/workers.py.
    """
    if settings.mode == ConnectionMode.SQLITE:
        return ConnectionCheck(ConnectionProblem.OK, "This computer's own database file is used.")
    invalid = settings.validate()
    if invalid:
        return ConnectionCheck(ConnectionProblem.OTHER, " ".join(invalid.values()))
    if settings.mode == ConnectionMode.MYSQL:
        return _check_mysql(settings, password, timeout_s)
    engine = create_engine(
        settings.url(password),
        poolclass=NullPool,
        connect_args={"connect_timeout": max(1, int(timeout_s)), "application_name": "ClinicDesk test"},
    )
    try:
        with engine.connect() as conn:
            version_num = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
            version = str(conn.exec_driver_sql("SHOW server_version").scalar_one()).split(" ")[0]
            has_schema = conn.exec_driver_sql(
                "SELECT to_regclass('alembic_version') IS NOT NULL"
            ).scalar_one()
    except exc.DBAPIError as error:
        text = str(error.orig if error.orig is not None else error)
        log.info("connection test to %s failed: %s", settings.url(), text)
        problem, message = classify_connection_error(text, settings)
        return ConnectionCheck(problem, message)
    finally:
        engine.dispose()
    if version_num < min_version_num:
        needed = f"{min_version_num // 10000}"
        return ConnectionCheck(
            ConnectionProblem.TOO_OLD,
            f"The server runs PostgreSQL {version}; ClinicDesk needs PostgreSQL {needed} or newer. Ask "
            "the server's administrator to upgrade it.",
            server_version=version,
        )
    state = migrate.status(settings.url(password)) if has_schema else None
    return _connected(f"PostgreSQL {version}", version, state)


def _connected(product: str, version: str, state: migrate.MigrationStatus | None) -> ConnectionCheck:
    """A server that answered and is new enough: what its database holds (``state`` None: no schema)."""
    if state is not None and state.is_too_new:
        return ConnectionCheck(
            ConnectionProblem.SCHEMA_TOO_NEW,
            f"The server's database was set up by a newer ClinicDesk (schema {state.current}). Update "
            "ClinicDesk on this computer before using it.",
            server_version=version,
            has_clinicdesk_schema=True,
        )
    if state is None or state.current is None:
        contents = "Its database is empty: ClinicDesk will set it up (or copy this computer's data to it)."
    elif state.at_head:
        contents = "It already holds a ClinicDesk database, up to date."
    else:
        contents = (
            "It already holds a ClinicDesk database from an older version: the first desktop that starts "
            "with this version upgrades it (the others wait)."
        )
    return ConnectionCheck(
        ConnectionProblem.OK,
        f"Connected to {product}. {contents}",
        server_version=version,
        has_clinicdesk_schema=state is not None and state.current is not None,
    )


def _check_mysql(settings: ServerSettings, password: str | None, timeout_s: int) -> ConnectionCheck:
    """check_connection for a MariaDB / MySQL server (same outcomes, the server's own wording)."""
    url = settings.url(password)
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": max(1, int(timeout_s))})
    try:
        with engine.connect() as conn:
            product, new_enough, has_schema = mysql_server.server_facts(conn)
    except exc.DBAPIError as error:
        text = str(error.orig if error.orig is not None else error)
        log.info("connection test to %s failed: %s", settings.url(), text)
        return ConnectionCheck(*classify_connection_error(text, settings))
    finally:
        engine.dispose()
    version = product.split(" ", 1)[1]
    if not new_enough:
        return ConnectionCheck(
            ConnectionProblem.TOO_OLD,
            f"The server runs {product}; ClinicDesk needs {mysql_server.minimum_text(product)} or newer. "
            "Ask the server's administrator to upgrade it.",
            server_version=version,
        )
    try:
        state = migrate.status(url) if has_schema else None
    except DatabaseError as error:  # e.g. an upgrade that was cut short: say what recovers it
        return ConnectionCheck(ConnectionProblem.OTHER, error.message, server_version=version)
    return _connected(product, version, state)


@dataclass(frozen=True)
class SaveResult:
    url: str  # as stored, without the password
    password_location: str  # "" for SQLite


def save_server_settings(settings: ServerSettings, password: str | None) -> SaveResult:
    """Persist the choice; it takes effect the next time ClinicDesk starts.

    SQLite mode stores an empty ``database_url`` so the default file in the data folder is used.
    """
    if settings.mode == ConnectionMode.SQLITE:
        save_setting("database_url", "")
        return SaveResult(url=settings.url(), password_location="")
    url = settings.url()
    save_setting("database_url", url)
    info = password_store.save_password(settings.secret_key, password or "")
    return SaveResult(url=url, password_location=info.description if password else "")


def password_location() -> str:
    """Where a password would be stored now, for the dialog's note."""
    return password_store.store_info().description


def current_server_settings() -> ServerSettings:
    """The settings in effect (flag/env/settings.json/default), for pre-filling the dialog."""
    return ServerSettings.from_url(resolve_database_url())


def override_note(running_url: str) -> str:
    """A warning when a saved choice would not take effect: the database is chosen by the
    ``CLINICDESK_DATABASE_URL`` environment variable or was given with ``--database-url``."""
    if os.environ.get(DATABASE_URL_ENV):
        return (
            f"The {DATABASE_URL_ENV} environment variable chooses the database on this computer: "
            "it takes precedence over what is saved here."
        )

    def plain(url: str) -> str:
        return make_url(url).set(password=None).render_as_string(hide_password=False)

    try:
        if plain(running_url) != plain(resolve_database_url()):
            return (
                "ClinicDesk was started with a database given on the command line (--database-url); "
                "what is saved here applies when it is started without it."
            )
    except exc.ArgumentError:
        return ""
    return ""


def stored_password(settings: ServerSettings) -> str | None:
    if settings.mode == ConnectionMode.SQLITE:
        return None
    return password_store.load_password(settings.secret_key)


def database_url_with_secret(url: str) -> str:
    """``url`` with the stored password (see password_store.database_url_with_secret)."""
    return password_store.database_url_with_secret(url)
