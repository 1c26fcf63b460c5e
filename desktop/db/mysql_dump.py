"""MySQL / MariaDB backup files (``mariadb-dump`` / ``mysqldump``): the client tools, reading and
verifying a dump.

Shared by making a backup (desktop/db/backup.py) and restoring one (desktop/db/mysql_restore.py), as
desktop/db/pg_archive.py is for PostgreSQL. A dump is read as text: it must end with the tools'
"Dump completed" line (a cut-off file does not), hold the ``user`` table and exactly one
``alembic_version`` row, and its rows per table (counted in the extended INSERT statements) are what
the verification compares with the database.

The password goes to the tools in a temporary option file readable only by this user, never on the
command line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from desktop.db.engine import make_engine
from desktop.db.integrity import server_table_counts
from desktop.db.migration_lock import read_current
from desktop.domain.errors import DatabaseError

TIMEOUT_S = 3600
_HEADER = re.compile(r"^-- (MariaDB|MySQL) dump ")
_COMPLETED = "-- Dump completed"
_CREATE = re.compile(r"^CREATE TABLE `(?P<name>[^`]+)`")
_INSERT = re.compile(r"^INSERT INTO `(?P<name>[^`]+)` VALUES\s*")
#: A quoted value in an INSERT (mysqldump escapes quotes and backslashes with a backslash).
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'", re.DOTALL)
MISSING_DUMP = (
    "No backup was made: the MariaDB / MySQL client tools (mariadb-dump or mysqldump) are not installed "
    "on this computer. Install the MariaDB client package."
)
MISSING_CLIENT = (
    "Restoring a clinic server (MariaDB / MySQL) backup needs the mariadb or mysql client program, "
    "which was not found on this computer. Install the MariaDB client package; nothing was changed."
)


def dump_tool() -> str | None:
    return shutil.which("mariadb-dump") or shutil.which("mysqldump")


def client_tool() -> str | None:
    return shutil.which("mariadb") or shutil.which("mysql")


def tools_missing_message() -> str:
    """Why no backup can be made and restored here ("" when both tools are present)."""
    if dump_tool() is None:
        return MISSING_DUMP
    if client_tool() is None:
        return MISSING_CLIENT
    return ""


@contextmanager
def options_file(url: str) -> Iterator[tuple[str, str]]:
    """A private option file with host, port, user and password; yields (its path, the database)."""
    parsed = make_url(url)
    lines = ["[client]", f"host={parsed.host or 'localhost'}", f"port={parsed.port or 3306}"]
    if parsed.username:
        lines.append(f"user={parsed.username}")
    if parsed.password:
        lines.append(f'password="{parsed.password}"')
    lines.append("default-character-set=utf8mb4")
    with tempfile.TemporaryDirectory(prefix="clinicdesk-mysql-") as folder:
        path = Path(folder) / "client.cnf"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        yield str(path), str(parsed.database or "")


def run(command: list[str], stdin: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a client tool; one that cannot start or hangs is a DatabaseError, not a traceback."""
    try:
        if stdin is None:
            return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        with open(stdin, "rb") as source:
            ran = subprocess.run(command, stdin=source, capture_output=True, timeout=TIMEOUT_S, check=False)
        out, err = (stream.decode("utf-8", "replace") for stream in (ran.stdout, ran.stderr))
        return subprocess.CompletedProcess(ran.args, ran.returncode, out, err)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DatabaseError(f"{Path(command[0]).name} could not run or did not finish ({error}).") from error


def first_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return " ".join((lines[0] if lines else "unknown error").split())[:300]


def dump_to(tool: str, url: str, partial: Path) -> None:
    """Write a ``--single-transaction`` dump of the database at ``url`` into ``partial``."""
    with options_file(url) as (options, database):
        done = run(
            [
                tool,
                f"--defaults-extra-file={options}",
                "--single-transaction",
                "--skip-lock-tables",
                "--no-tablespaces",
                "--hex-blob",
                f"--result-file={partial}",
                database,
            ]
        )
    if done.returncode != 0:
        raise DatabaseError(f"{Path(tool).name} failed ({first_line(done.stderr)})")


def load(client: str, url: str, file: Path) -> None:
    """Run the dump ``file`` through the ``mariadb`` / ``mysql`` client into the database at ``url``."""
    with options_file(url) as (options, database):
        ran = run([client, f"--defaults-extra-file={options}", "--binary-mode", database], stdin=file)
    if ran.returncode != 0:
        raise DatabaseError(first_line(ran.stderr))


# --------------------------------------------------------------------------- reading a dump


def is_mysql_dump(file: Path) -> bool:
    """True when ``file`` starts like a mariadb-dump / mysqldump file (newer MariaDB tools put a
    sandbox-mode comment first)."""
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            head = [handle.readline() for _ in range(3)]
    except OSError:
        return False
    return any(_HEADER.match(line) for line in head)


@dataclass(frozen=True)
class DumpFacts:
    completed: bool
    revisions: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def tables(self) -> set[str]:
        return set(self.counts)


def read_dump(file: Path) -> DumpFacts:
    """Whether the dump finished, its alembic_version rows and its rows per table (every table it
    creates, 0 for an empty one). DatabaseError when the file cannot be read."""
    counts: dict[str, int] = {}
    revisions: list[str] = []
    completed = False
    inserting: str | None = None  # the table whose INSERT statement runs on (one row per line)
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if inserting is None:
                    created = _CREATE.match(line)
                    if created is not None:
                        counts.setdefault(created["name"], 0)
                        continue
                    insert = _INSERT.match(line)
                    if insert is None:
                        completed = completed or line.startswith(_COMPLETED)
                        continue
                    inserting, line = insert["name"], line[insert.end() :]
                # Strings blanked (mysqldump escapes quotes and newlines in them with a backslash),
                # every remaining "(" opens one row: numbers, NULL and the hex literals --hex-blob
                # writes hold no parentheses.
                values = _STRING.sub("''", line)
                counts[inserting] = counts.get(inserting, 0) + values.count("(")
                if inserting == "alembic_version":
                    revisions += re.findall(r"'([0-9a-z]+)'", line)
                if values.rstrip().endswith(";"):
                    inserting = None
    except OSError as error:
        raise DatabaseError(f"{file.name} cannot be read ({error}).") from error
    return DumpFacts(completed, tuple(revisions), counts)


def validate_dump(file: Path) -> str | None:
    """Raise DatabaseError unless ``file`` is a complete dump of a ClinicDesk database with one
    revision; return that revision."""
    facts = read_dump(file)
    if not facts.completed:
        raise DatabaseError(f"{file.name} is incomplete (the dump did not finish); it cannot be used")
    if "user" not in facts.tables or "alembic_version" not in facts.tables:
        raise DatabaseError(f"{file.name} is a MariaDB / MySQL dump but not of a ClinicDesk database")
    if len(facts.revisions) > 1:
        raise DatabaseError(
            f"{file.name} records several schema revisions at once ({', '.join(facts.revisions)}); "
            "it is damaged"
        )
    return facts.revisions[0] if facts.revisions else None


def verify_dump(file: Path, revision: str | None, counts: dict[str, int]) -> str:
    """What is wrong with the dump (unfinished, revision, a table or row counts); empty if nothing."""
    try:
        facts = read_dump(file)
    except DatabaseError as error:
        return error.message
    if not facts.completed:
        return "the dump did not finish"
    if facts.revisions != ((revision,) if revision else ()):
        return f"revision {', '.join(facts.revisions) or 'none'} instead of {revision}"
    differ = sorted(name for name in counts if facts.counts.get(name) != counts[name])
    if differ:
        return "row counts differ in " + ", ".join(differ)
    return ""


# --------------------------------------------------------------------------- the live database


def live_facts(url: str) -> tuple[str | None, dict[str, int]]:
    """The database's revision and rows per table, read in one consistent snapshot."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # The session reads READ COMMITTED (desktop/db/engine.py); a snapshot needs REPEATABLE READ.
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT")
            return read_current(conn), server_table_counts(conn)
    finally:
        engine.dispose()
