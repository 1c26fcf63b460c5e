"""The cheapest possible look at a SQLite database file: header, alembic_version, head revision.

Imports only the standard library (no SQLAlchemy, no Alembic): the start-up check at head must cost a
few milliseconds on top of opening the file. The head revision comes from the committed
``alembic/fingerprints.json`` (a test keeps it equal to the scripts' head); if it were ever stale the
caller only loses speed, because anything but "at head" is decided again with Alembic.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.errors import DatabaseError
from desktop.paths import resource_path

SQLITE_HEADER = b"SQLite format 3\x00"
FINGERPRINT_FILE = "fingerprints.json"
ALEMBIC_DIR_ENV = "CLINICDESK_ALEMBIC_DIR"


NOT_SQLITE = "the file is not a SQLite database"


class RefusedError(DatabaseError):
    """The command was not carried out and nothing was changed (the CLI's "refused" exit code)."""


class NotClinicDeskDatabaseError(RefusedError):
    """The file belongs to another program (or is not a database at all): never touched."""


@dataclass(frozen=True)
class Probe:
    """``kind`` is "missing", "empty" (zero length or no tables: a new database), "stamped",
    "foreign" (SQLite but not ours), "not_sqlite" (some other kind of file), "busy" (locked by
    another writer) or "unreadable" (a SQLite file too damaged to read)."""

    kind: str
    revision: str | None = None
    detail: str = ""
    #: Rows in alembic_version (more than one is a damaged stamp).
    stamps: int = 0

    @property
    def is_other_program(self) -> bool:
        return self.kind in ("foreign", "not_sqlite")


def refuse_other_program(path: Path, allow_damaged: bool = True) -> Probe:
    """Raise NotClinicDeskDatabaseError when ``path`` holds another program's file (or, unless
    ``allow_damaged``, a SQLite file too damaged to read); else the probe. The start-up check calls the
    same files "not a database"; every ``clinicdesk db`` command refuses them, leaving them untouched.
    """
    found = probe_sqlite(path)
    if found.is_other_program:
        what = (
            f"a database of another program (tables: {found.detail})"
            if found.kind == "foreign"
            else "not a database"
        )
        raise NotClinicDeskDatabaseError(
            f"{path} is not a ClinicDesk database: it is {what}. It was not changed."
        )
    if found.kind == "unreadable" and not allow_damaged:
        raise NotClinicDeskDatabaseError(
            f"{path} cannot be read ({found.detail}); it may be damaged. It was not changed. "
            "Run `clinicdesk db check` for details, or restore a backup."
        )
    return found


def known_head() -> str | None:
    """The head revision recorded next to the migrations, or None if the file is missing."""
    override = os.environ.get(ALEMBIC_DIR_ENV)
    if override:
        path = Path(override) / FINGERPRINT_FILE
    else:
        try:
            path = resource_path("alembic", FINGERPRINT_FILE)
        except FileNotFoundError:
            return None
    try:
        with open(path, encoding="utf-8") as handle:
            head = json.load(handle).get("head")
    except (OSError, ValueError):
        return None
    return head if isinstance(head, str) else None


def open_sqlite_read_only(path: Path, timeout: float = 10.0) -> sqlite3.Connection:
    """A sqlite3 connection that cannot change (nor create) the file at ``path``.

    A WAL database on a read-only medium cannot be opened with ``mode=ro`` alone (SQLite must create
    its -shm file); when no -wal file holds unmerged changes, ``immutable=1`` reads it without one.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn
    except sqlite3.OperationalError as error:
        conn.close()
        wal = Path(f"{path}-wal")
        pending = wal.exists() and wal.stat().st_size > 0
        if pending or ("unable to open" not in str(error) and "readonly" not in str(error)):
            raise
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, timeout=timeout)


def probe_sqlite(path: Path) -> Probe:
    """What is in the file at ``path``, without changing it (read-only open, no pragmas written)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return Probe("missing")
    except OSError as error:
        return Probe("unreadable", detail=str(error))
    if size == 0:
        return Probe("empty")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        return Probe("unreadable", detail=str(error))
    if header != SQLITE_HEADER:
        return Probe("not_sqlite", detail=NOT_SQLITE)
    try:
        conn = open_sqlite_read_only(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                return Probe("empty") if not tables else Probe("foreign", detail=", ".join(sorted(tables)))
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "locked" in text or "busy" in text:  # another copy of the app is writing: not damage
            return Probe("busy", detail=str(error))
        return Probe("unreadable", detail=str(error))
    except sqlite3.DatabaseError as error:
        return Probe("unreadable", detail=str(error))
    if not rows:
        return Probe("empty")
    return Probe("stamped", revision=rows[0][0], stamps=len(rows))


def sqlite_schema_digest(path: Path) -> str | None:
    """A digest of the schema SQL SQLite keeps for the file (changes with any DDL), or None."""
    try:
        conn = open_sqlite_read_only(path)
        try:
            query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            rows = conn.execute(query).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def expected_digest(revision: str) -> str | None:
    """The committed fingerprint digest of ``revision`` (reads alembic/fingerprints.json)."""
    override = os.environ.get(ALEMBIC_DIR_ENV)
    try:
        path = Path(override) / FINGERPRINT_FILE if override else resource_path("alembic", FINGERPRINT_FILE)
        with open(path, encoding="utf-8") as handle:
            entry = json.load(handle).get("revisions", {}).get(revision)
    except (OSError, ValueError):
        return None
    return entry.get("digest") if isinstance(entry, dict) else None


def quick_check(path: Path) -> str:
    """The first problem SQLite's ``PRAGMA quick_check`` finds in the file (opened read-only), or "ok".

    Linear in the file's size and skips only the index-versus-table comparison of integrity_check: the
    start-up check runs it on every start so a damaged page is noticed before anything is built on it.
    """
    try:
        conn = open_sqlite_read_only(path)
        try:
            first = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return f"unreadable: {error}"
    return str(first[0]) if first else "unreadable"
