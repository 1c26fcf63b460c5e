"""Connection settings: URL building, "Test connection" against the real PostgreSQL server, saving.

Every classification below is produced by a real connection attempt: the test server (ok, missing
database, unknown user, too old via a raised minimum), a closed port (refused), a socket that accepts
and never answers (timeout), a socket that answers like a web server (not PostgreSQL) and an
unresolvable ``.invalid`` name. The wrong-password case needs a server that checks passwords (the
test server runs with trust): it is in test_server_outage.py, against a throw-away cluster.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from desktop import credentials as password_store
from desktop.db.migrate import upgrade
from desktop.services import server_settings as ss
from desktop.services.server_settings import ConnectionMode, ConnectionProblem, ServerSettings
from desktop.settings import resolve_database_url


def _server_settings(url: str) -> ServerSettings:
    return ServerSettings.from_url(url)


@pytest.fixture
def base_settings(postgres_url: str) -> ServerSettings:
    """Settings for the test server (host, port, user of the postgres_url fixture)."""
    return _server_settings(postgres_url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and never says a word (a firewall that swallows packets)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    try:
        yield int(server.getsockname()[1])
    finally:
        server.close()


@pytest.fixture
def http_listener() -> Iterator[int]:
    """A port where something other than PostgreSQL answers (a web server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        server.close()


# --- the settings model ----------------------------------------------------------------------------


def test_url_round_trip_keeps_everything_but_the_password() -> None:
    settings = ServerSettings(ConnectionMode.POSTGRESQL, "db.clinic.lan", 6543, "clinic", "desk")
    assert settings.url() == "postgresql+psycopg://desk@db.clinic.lan:6543/clinic"
    with_password = settings.url("p@ss:w/rd")
    assert sa.engine.make_url(with_password).password == "p@ss:w/rd"
    assert ServerSettings.from_url(with_password) == settings


def test_sqlite_mode_points_at_the_default_file(data_dir) -> None:
    settings = ServerSettings.from_url("sqlite:////somewhere/clinic.db")
    assert settings.mode == ConnectionMode.SQLITE
    assert settings.url() == f"sqlite:///{(data_dir / 'clinicdesk.db').resolve()}"


def test_validate_names_each_missing_field() -> None:
    problems = ServerSettings(ConnectionMode.POSTGRESQL, host=" ", port=0, database="", user="").validate()
    assert set(problems) == {"host", "port", "database", "user"}
    result = ss.check_connection(ServerSettings(ConnectionMode.POSTGRESQL, host=""))
    assert result.problem == ConnectionProblem.OTHER and "server's name" in result.message


# --- Test connection, each case produced for real ----------------------------------------------------


@pytest.mark.postgres
def test_ok_reports_version_and_an_empty_database(postgres_url: str) -> None:
    result = ss.check_connection(_server_settings(postgres_url))
    assert result.ok, result.message
    assert result.server_version and result.server_version.split(".")[0].isdigit()
    assert result.has_clinicdesk_schema is False
    assert f"PostgreSQL {result.server_version}" in result.message and "empty" in result.message


@pytest.mark.postgres
def test_ok_recognises_an_existing_clinicdesk_database(postgres_url: str) -> None:
    settings = _server_settings(postgres_url)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:  # stamped at base only: still empty
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
    engine.dispose()
    assert ss.check_connection(settings).has_clinicdesk_schema is False

    upgrade(postgres_url, target="a8b9ec836410")  # the web version's schema
    result = ss.check_connection(settings)
    assert result.ok and result.has_clinicdesk_schema is True
    assert (
        "from an older version: the first desktop that starts with this version upgrades it" in result.message
    )

    upgrade(postgres_url)
    result = ss.check_connection(settings)
    assert result.ok and "already holds a ClinicDesk database, up to date" in result.message


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("postgres_url", marks=pytest.mark.postgres),
        pytest.param("mariadb_url", marks=pytest.mark.mariadb),
    ],
)
def test_a_server_schema_newer_than_this_program(server: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(server)
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    engine.dispose()
    result = ss.check_connection(_server_settings(url))
    assert result.problem == ConnectionProblem.SCHEMA_TOO_NEW
    assert "newer ClinicDesk (schema ffffffffffff)" in result.message


@pytest.mark.postgres
def test_database_missing(base_settings: ServerSettings) -> None:
    settings = ServerSettings(**{**base_settings.__dict__, "database": "no_such_db_4f1c"})
    result = ss.check_connection(settings)
    assert result.problem == ConnectionProblem.DATABASE_MISSING
    assert "no database named “no_such_db_4f1c”" in result.message


@pytest.mark.postgres
def test_unknown_user(base_settings: ServerSettings) -> None:
    settings = ServerSettings(**{**base_settings.__dict__, "user": "nobody_4f1c"})
    result = ss.check_connection(settings)
    assert result.problem == ConnectionProblem.UNKNOWN_USER
    assert "nobody_4f1c" in result.message


@pytest.mark.postgres
def test_server_too_old(base_settings: ServerSettings) -> None:
    """The real server is older than a (raised) minimum: the same path a PostgreSQL 11 server takes."""
    result = ss.check_connection(base_settings, min_version_num=990000)
    assert result.problem == ConnectionProblem.TOO_OLD
    assert f"runs PostgreSQL {result.server_version}" in result.message
    assert "needs PostgreSQL 99 or newer" in result.message
    assert ss.check_connection(base_settings).ok  # and the real minimum (12) is met


def test_refused_on_a_closed_port() -> None:
    port = _free_port()
    result = ss.check_connection(ServerSettings(ConnectionMode.POSTGRESQL, "127.0.0.1", port))
    assert result.problem == ConnectionProblem.REFUSED
    assert f"Nothing answers at 127.0.0.1:{port}" in result.message


def test_timeout_when_nothing_answers(silent_listener: int) -> None:
    settings = ServerSettings(ConnectionMode.POSTGRESQL, "127.0.0.1", silent_listener)
    result = ss.check_connection(settings, timeout_s=1)
    assert result.problem == ConnectionProblem.TIMEOUT, result.message
    assert "cannot be reached" in result.message


def test_not_postgresql_when_another_program_answers(http_listener: int) -> None:
    settings = ServerSettings(ConnectionMode.POSTGRESQL, "127.0.0.1", http_listener)
    result = ss.check_connection(settings, timeout_s=2)
    assert result.problem == ConnectionProblem.NOT_POSTGRESQL, result.message


def test_unknown_host_name() -> None:
    settings = ServerSettings(ConnectionMode.POSTGRESQL, "no-such-host.invalid")
    result = ss.check_connection(settings, timeout_s=2)
    assert result.problem == ConnectionProblem.HOST_UNKNOWN, result.message
    assert "“no-such-host.invalid” is not known" in result.message


def test_unrecognised_error_quotes_the_server() -> None:
    problem, message = ss.classify_connection_error(
        "FATAL:  sorry, too many clients already\nDETAIL: more",
        ServerSettings(ConnectionMode.POSTGRESQL, "h"),
    )
    assert problem == ConnectionProblem.OTHER
    assert message.endswith("FATAL:  sorry, too many clients already")


# --- saving ----------------------------------------------------------------------------------------


def test_save_keeps_the_password_out_of_settings_json(data_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(password_store.STORE_ENV, "file")
    settings = ServerSettings(ConnectionMode.POSTGRESQL, "db.clinic.lan", 5432, "clinic", "desk")
    saved = ss.save_server_settings(settings, "s3cret!")

    stored = json.loads((data_dir / "settings.json").read_text())
    assert stored["database_url"] == "postgresql+psycopg://desk@db.clinic.lan:5432/clinic"
    assert "s3cret" not in (data_dir / "settings.json").read_text()
    secret_file = data_dir / password_store.PASSWORD_FILE
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert str(secret_file) in saved.password_location

    # At start-up: settings.json gives the URL, the store gives the password back.
    url = resolve_database_url()
    assert sa.engine.make_url(url).password == "s3cret!"
    assert (
        sa.engine.make_url(url).render_as_string(hide_password=False)
        == "postgresql+psycopg://desk:s3cret%21@db.clinic.lan:5432/clinic"
    )
    assert saved.url == "postgresql+psycopg://desk@db.clinic.lan:5432/clinic"
    assert ss.current_server_settings() == settings
    assert ss.stored_password(settings) == "s3cret!"


def test_a_different_server_never_gets_another_servers_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(password_store.STORE_ENV, "file")
    ss.save_server_settings(ServerSettings(ConnectionMode.POSTGRESQL, "a", 5432, "clinic", "desk"), "pw-a")
    other = "postgresql+psycopg://desk@b:5432/clinic"
    assert ss.database_url_with_secret(other) == other
    explicit = "postgresql+psycopg://desk:given@a:5432/clinic"
    assert ss.database_url_with_secret(explicit) == explicit
    assert ss.database_url_with_secret("sqlite:////x/clinic.db") == "sqlite:////x/clinic.db"


def test_saving_without_password_removes_the_stored_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(password_store.STORE_ENV, "file")
    settings = ServerSettings(ConnectionMode.POSTGRESQL, "a", 5432, "clinic", "desk")
    ss.save_server_settings(settings, "pw")
    result = ss.save_server_settings(settings, "")
    assert ss.stored_password(settings) is None and result.password_location == ""


def test_switching_back_to_sqlite_uses_the_default_file(data_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(password_store.STORE_ENV, "file")
    ss.save_server_settings(ServerSettings(ConnectionMode.POSTGRESQL, "a"), "pw")
    ss.save_server_settings(ServerSettings(ConnectionMode.SQLITE), None)
    assert resolve_database_url() == f"sqlite:///{(data_dir / 'clinicdesk.db').resolve()}"


def test_without_a_usable_keyring_the_private_file_is_named() -> None:
    """keyring is optional; when it is not installed (as in CI) the file is used and named."""
    try:
        import keyring

        usable = keyring.get_keyring().priority >= 1
    except ImportError:
        usable = False
    info = password_store.store_info()
    assert info.kind == ("keyring" if usable and not os.environ.get(password_store.STORE_ENV) else "file")
    if info.kind == "file":
        assert "only your user account can read" in info.description


def test_override_note_names_what_wins_over_the_saved_choice(
    data_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = resolve_database_url()
    assert ss.override_note(default) == ""
    assert "--database-url" in ss.override_note("sqlite:////elsewhere/clinic.db")
    monkeypatch.setenv("CLINICDESK_DATABASE_URL", "sqlite:////elsewhere/clinic.db")
    assert "CLINICDESK_DATABASE_URL" in ss.override_note("sqlite:////elsewhere/clinic.db")


def test_a_usable_system_keyring_is_preferred(monkeypatch: pytest.MonkeyPatch, data_dir) -> None:
    """With the keyring package and a backend of priority >= 1, the password goes there, not the file.

    The backend is a minimal in-memory one registered through keyring's own API (CI machines have no
    Secret Service); skipped when the optional keyring package is not installed.
    """
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 5  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.items.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv(password_store.STORE_ENV, raising=False)
    try:
        settings = ServerSettings(ConnectionMode.POSTGRESQL, "db.clinic.lan", 5432, "clinic", "desk")
        saved = ss.save_server_settings(settings, "in-the-keyring")
        assert "system keyring (MemoryKeyring)" in saved.password_location
        assert backend.items == {("ClinicDesk", "desk@db.clinic.lan:5432/clinic"): "in-the-keyring"}
        assert not (data_dir / password_store.PASSWORD_FILE).exists()
        assert sa.engine.make_url(ss.database_url_with_secret(saved.url)).password == "in-the-keyring"
    finally:
        keyring.set_keyring(previous)


# --------------------------------------------------------------------------- MariaDB / MySQL


@pytest.mark.mariadb
def test_mariadb_ok_then_at_head(mariadb_url: str) -> None:
    settings = _server_settings(mariadb_url)
    assert settings.mode == ConnectionMode.MYSQL and settings.url().startswith("mysql+pymysql://")
    result = ss.check_connection(settings)
    assert result.ok and result.message.startswith("Connected to MariaDB 10.")
    assert "empty" in result.message and result.has_clinicdesk_schema is False
    upgrade(mariadb_url)
    result = ss.check_connection(settings)
    assert result.ok and "up to date" in result.message and result.has_clinicdesk_schema


@pytest.mark.mariadb
def test_mariadb_missing_database_and_closed_port(mariadb_url: str) -> None:
    settings = _server_settings(mariadb_url)
    missing = ss.check_connection(ServerSettings(**{**settings.__dict__, "database": "no_such_clinic_db"}))
    assert missing.problem == ConnectionProblem.DATABASE_MISSING and "no_such_clinic_db" in missing.message
    refused = ss.check_connection(ServerSettings(**{**settings.__dict__, "port": _free_port()}))
    assert refused.problem == ConnectionProblem.REFUSED and "MariaDB/MySQL is not running" in refused.message


@pytest.mark.mariadb
def test_mariadb_settings_save_and_come_back(mariadb_url: str) -> None:
    settings = _server_settings(mariadb_url)
    ss.save_server_settings(settings, None)
    assert ss.current_server_settings() == settings
    assert ServerSettings(mode=ConnectionMode.MYSQL, host="h", port=0).validate()["port"].endswith("3306).")
