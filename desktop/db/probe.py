"""The cheapest possible look at a SQLite database file: header, alembic_version, head revision.

Imports only the standard library (no SQLAlchemy, no Alembic): the start-up check at head must cost a
few milliseconds on top of opening the file. The head revision comes from the committed
``alembic/fingerprints.json`` (a test keeps it equal to the scripts' head); if it were ever stale the
caller only loses speed, because anything but "at head" is decided again with Alembic.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
FINGERPRINT_FILE = "fingerprints.json"
ALEMBIC_DIR_ENV = "CLINICDESK_ALEMBIC_DIR"


@dataclass(frozen=True)
class Probe:
    """``kind`` is "missing", "empty", "stamped", "foreign" (SQLite but not ours), "busy"
    (locked by another writer) or "unreadable" (damaged / not a database)."""

    kind: str
    revision: str | None = None
    detail: str = ""


def known_head() -> str | None:
    """The head revision recorded next to the migrations, or None if the file is missing."""
    override = os.environ.get(ALEMBIC_DIR_ENV)
    if override:
        path = Path(override) / FINGERPRINT_FILE
    else:
        from desktop.paths import resource_path

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
        return Probe("unreadable", detail="the file is not a SQLite database")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
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
    return Probe("stamped", revision=rows[0][0])


def sqlite_schema_digest(path: Path) -> str | None:
    """A digest of the schema SQL SQLite keeps for the file (changes with any DDL), or None."""
    import hashlib

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
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
        if override:
            path = Path(override) / FINGERPRINT_FILE
        else:
            from desktop.paths import resource_path

            path = resource_path("alembic", FINGERPRINT_FILE)
        with open(path, encoding="utf-8") as handle:
            entry = json.load(handle).get("revisions", {}).get(revision)
    except (OSError, ValueError):
        return None
    return entry.get("digest") if isinstance(entry, dict) else None
