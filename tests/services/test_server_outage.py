"""A throw-away PostgreSQL cluster of our own: server restarts and password checks.

The shared test server (CLINICDESK_TEST_POSTGRES_URL) is used by every other test at the same time, so
it is never stopped; instead this module starts its own cluster (initdb + pg_ctl, about 0.7 s) with
scram-sha-256 authentication, which also gives the "wrong password" case the trust-mode test server
cannot. initdb refuses to run as root, so as root (CI) the cluster belongs to the ``postgres`` system
user and is driven through ``su``; as anyone else it runs as that user (as build_scripts/dev.sh does).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db.database import Database
from desktop.db.migrate import upgrade
from desktop.domain.dto import RecordDraft
from desktop.domain.enums import Role
from desktop.domain.errors import DatabaseError
from desktop.services import server_settings as ss
from desktop.services.container import Services
from desktop.services.server_settings import ConnectionProblem, ServerSettings
from desktop.settings import Settings

PASSWORD = "Clinic-Secret-7"


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        _run_as_owner(" ".join([_pg_bin("pg_ctl") or "pg_ctl", "-D", str(self.folder / "data"), *args]))

    def start(self) -> None:
        options = f"'-h 127.0.0.1 -p {self.port} -k {self.folder} -F'"
        self._pg_ctl("-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")


def _pg_bin(name: str) -> str | None:
    """A PostgreSQL server program: on PATH, else Debian's /usr/lib/postgresql/<version>/bin (absolute,
    because ``su`` may reset PATH)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    return str(candidates[-1]) if candidates else None


def _run_as_owner(command: str) -> None:
    """Run a shell command as the cluster's owner: ``postgres`` when we are root, else ourselves."""
    argv = ["su", "postgres", "-c", command] if os.geteuid() == 0 else ["bash", "-c", command]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not _pg_bin("initdb") or not _pg_bin("pg_ctl"):
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) are not installed")
    root = os.geteuid() == 0
    if root and shutil.which("su") is None:
        pytest.skip("running as root without `su`: cannot start PostgreSQL as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="cd-pg-"))  # not under pytest's root-only tmp folders
    (folder / "pw").write_text(PASSWORD + "\n")
    if root:
        shutil.chown(folder, "postgres")
        shutil.chown(folder / "pw", "postgres")
    _run_as_owner(
        f"{_pg_bin('initdb')} -D {folder}/data -U postgres -A scram-sha-256 --pwfile={folder}/pw -N"
    )
    hba = folder / "data" / "pg_hba.conf"
    hba.write_text("host all blocked 127.0.0.1/32 reject\n" + hba.read_text())  # first match wins
    running = Cluster(folder, _free_port())
    running.start()
    try:
        yield running
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by a failed test
            running.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


# --- passwords -------------------------------------------------------------------------------------


def test_wrong_password_is_reported_as_such(cluster: Cluster) -> None:
    settings = ServerSettings.from_url(cluster.url)
    result = ss.check_connection(settings, "not-the-password")
    assert result.problem == ConnectionProblem.WRONG_PASSWORD, result.message
    assert "refused the password for user “postgres”" in result.message


def test_missing_password_is_reported_as_such(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSFILE", os.devnull)  # no ~/.pgpass fallback
    result = ss.check_connection(ServerSettings.from_url(cluster.url), None)
    assert result.problem == ConnectionProblem.PASSWORD_REQUIRED, result.message


def test_server_rule_refusing_this_user(cluster: Cluster) -> None:
    """pg_hba.conf rejects the user (a real rule in this cluster's pg_hba.conf)."""
    settings = ServerSettings.from_url(cluster.url.replace("postgres:", "blocked:", 1))
    result = ss.check_connection(settings, "whatever")
    assert result.problem == ConnectionProblem.NOT_ALLOWED, result.message
    assert "does not accept connections from this computer" in result.message


def test_user_without_connect_permission(cluster: Cluster) -> None:
    engine = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS locked")
        conn.exec_driver_sql("DROP ROLE IF EXISTS clerk")
        conn.exec_driver_sql("CREATE ROLE clerk LOGIN PASSWORD 'clerk-pass'")
        conn.exec_driver_sql("CREATE DATABASE locked")
        conn.exec_driver_sql("REVOKE CONNECT ON DATABASE locked FROM PUBLIC")
    engine.dispose()
    settings = ServerSettings.from_url(f"postgresql+psycopg://clerk@127.0.0.1:{cluster.port}/locked")
    result = ss.check_connection(settings, "clerk-pass")
    assert result.problem == ConnectionProblem.NOT_ALLOWED, result.message
    assert "“clerk” may not open the database “locked”" in result.message


def test_right_password_connects(cluster: Cluster) -> None:
    settings = ServerSettings.from_url(cluster.url)
    result = ss.check_connection(settings, PASSWORD)
    assert result.ok, result.message


# --- connection loss -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_url(cluster: Cluster) -> str:
    """The throw-away cluster's database at head, made by the real migrations."""
    upgrade(cluster.url)
    return cluster.url


def test_services_survive_a_server_restart(cluster: Cluster, cluster_url: str) -> None:
    """What a desktop sees: a plain message while the server is down, then everything works again
    with the same session; a save that failed during the outage left nothing behind and can be retried
    with the same input."""
    services = Services.create(cluster_url, Settings(database_url=cluster_url), bcrypt_rounds=4)
    try:
        services.auth.create_first_admin("admin@outage.example", "Admin", "outage-pass-123")
        admin = services.auth.sign_in("admin@outage.example", "outage-pass-123").token
        services.users.create_user(admin, "pat@outage.example", "Pat", "outage-pass-123", Role.PATIENT)
        token = services.auth.sign_in("pat@outage.example", "outage-pass-123").token
        services.auth.set_required_password(token, "chosen-by-pat-456")  # the admin set the first one
        draft = RecordDraft(date="2026-03-01", type="Blood test", notes="typed before the outage")
        services.records.create(token, draft)
        assert services.records.list(token).total == 1

        cluster.stop("fast")
        try:
            with pytest.raises(DatabaseError, match="clinic server cannot be reached"):
                services.records.list(token)
            with pytest.raises(DatabaseError, match="your input is kept"):
                services.records.create(token, draft)
        finally:
            cluster.start()

        assert services.records.list(token).total == 1  # the failed save left nothing behind
        services.records.create(token, draft)  # the same input, saved on retry
        assert services.records.list(token).total == 2
    finally:
        services.close()


def _select_one(database: Database) -> int:
    with database.unit_of_work() as session:
        return int(session.execute(sa.text("SELECT 1")).scalar_one())


def test_query_during_restart_fails_plainly_then_recovers(cluster: Cluster) -> None:
    database = Database(cluster.url)
    try:
        assert _select_one(database) == 1  # a pooled connection now exists

        # A query running on a connection the server drops as it shuts down.
        with pytest.raises(DatabaseError, match="clinic server cannot be reached"):  # noqa: SIM117
            with database.unit_of_work() as session:
                session.execute(sa.text("SELECT 1"))
                cluster.stop("fast")
                session.execute(sa.text("SELECT 1"))

        # While the server is down: a clear message, not a driver traceback.
        with pytest.raises(DatabaseError, match="clinic server cannot be reached") as raised:
            _select_one(database)
        assert "your input is kept" in raised.value.message

        cluster.start()
        # Back up: the stale pooled connections are replaced (pool_pre_ping), the next call just works.
        assert _select_one(database) == 1
        assert _select_one(database) == 1
    finally:
        database.dispose()
        if not (cluster.folder / "data" / "postmaster.pid").exists():
            cluster.start()
