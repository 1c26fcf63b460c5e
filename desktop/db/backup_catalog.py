"""The backups folder's catalogue: file names, the sidecar JSON next to each backup, listing, thinning.

A backup ``clinicdesk-<UTC time>-<revision>-<reason>.db`` (``.dump`` for PostgreSQL, ``.sql`` for MySQL
/ MariaDB) has a sidecar ``<same name>.json`` holding why it was made, whether it passed verification,
its revision and row counts. A backup without a sidecar (made by an older version, or copied in by hand)
is listed as not verified. Thinning keeps a bounded ladder (the 10 newest, then the newest backup of
each of the last 7 days, 5 weeks and 12 months, and of each schema revision) and never deletes the
newest verified backup.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from desktop import paths

log = logging.getLogger(__name__)

NAME = re.compile(
    r"^clinicdesk-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<revision>[0-9a-z]+)-(?P<reason>[a-z0-9-]+)\.(?P<ext>db|dump|sql)$"
)
KEEP_RECENT, KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 10, 7, 5, 12


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: dt.datetime
    revision: str
    reason: str
    size: int
    verified: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S-%f")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "manual"


def backup_name(revision: str | None, reason: str, ext: str, now: dt.datetime | None = None) -> str:
    return f"clinicdesk-{stamp(now)}-{revision or 'base'}-{slug(reason)}.{ext}"


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def write_sidecar(path: Path, reason: str, revision: str | None, counts: dict[str, int]) -> None:
    """Record a verified backup's facts next to it (written to a temporary name, then renamed)."""
    data = {
        "reason": slug(reason),
        "verified": True,
        "revision": revision,
        "counts": counts,
        "size": path.stat().st_size,
    }
    target = sidecar_of(path)
    tmp = target.with_name(target.name + ".partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, paths.PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)


def read_info(path: Path) -> BackupInfo | None:
    """The catalogue entry of one backup file, or None when the name is not a ClinicDesk backup's."""
    match = NAME.match(path.name)
    if match is None:
        return None
    created = dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f").replace(tzinfo=dt.UTC)
    try:
        side = json.loads(sidecar_of(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        side = {}
    side = side if isinstance(side, dict) else {}
    raw_counts = side.get("counts")
    counts: dict[str, object] = raw_counts if isinstance(raw_counts, dict) else {}
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return BackupInfo(
        path=path,
        created=created,
        revision=match["revision"],
        reason=match["reason"],
        size=size,
        verified=side.get("verified") is True and side.get("size") == size,
        counts={str(k): int(v) for k, v in counts.items() if isinstance(v, int)},
    )


def list_backups(folder: Path) -> list[BackupInfo]:
    """Backups in ``folder``, newest first."""
    found = []
    for entry in folder.iterdir() if folder.is_dir() else ():
        info = read_info(entry)
        if info is not None:
            found.append(info)
    return sorted(found, key=lambda b: b.created, reverse=True)


def newest_verified(folder: Path) -> BackupInfo | None:
    return next((b for b in list_backups(folder) if b.verified), None)


def to_thin(backups: list[BackupInfo], now: dt.datetime | None = None) -> list[BackupInfo]:
    """The backups the ladder does not keep. It keeps the KEEP_RECENT newest; the newest backup of each of
    the last KEEP_DAILY days, KEEP_WEEKLY ISO weeks and KEEP_MONTHLY months; the newest of each schema
    revision; and always the newest verified one."""
    now = now or dt.datetime.now(dt.UTC)
    ordered = sorted(backups, key=lambda b: b.created, reverse=True)
    keep: set[Path] = {b.path for b in ordered[:KEEP_RECENT]}
    ladders = (
        (KEEP_DAILY, lambda d: d.date()),
        (KEEP_WEEKLY, lambda d: tuple(d.isocalendar())[:2]),
        (KEEP_MONTHLY, lambda d: (d.year, d.month)),
    )
    for limit, bucket in ladders:
        seen: list[object] = []
        for item in ordered:
            key = bucket(item.created)
            if key in seen:
                continue
            if len(seen) == limit:
                break
            seen.append(key)
            keep.add(item.path)
    verified = next((b for b in ordered if b.verified), None)
    if verified is not None:
        keep.add(verified.path)
    revisions: set[str] = set()
    for item in ordered:  # the way back to every schema revision (a handful): the newest of each
        if item.revision not in revisions:
            revisions.add(item.revision)
            keep.add(item.path)
    return [b for b in ordered if b.path not in keep and b.created <= now]


def thin(folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Delete the backups (and their sidecars) the ladder does not keep; returns what was deleted."""
    deleted = []
    for item in to_thin(list_backups(folder), now):
        try:
            item.path.unlink()
            sidecar_of(item.path).unlink(missing_ok=True)
        except OSError as error:  # a file in use or a read-only share: kept, tried again next time
            log.warning("could not delete old backup %s: %s", item.path, error)
            continue
        deleted.append(item.path)
    if deleted:
        log.info("thinned %d old backup(s) in %s", len(deleted), folder)
    return deleted
