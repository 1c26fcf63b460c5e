"""Backups are verified before they are called saved, restore refuses unsound files, the schedule,
thinning and the second folder: all on real SQLite files (PostgreSQL in test_backup_postgres.py)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop.db import backup, backup_catalog, backup_mirror, backup_schedule, migrate
from desktop.db import restore as restoring
from desktop.db.backup import SourceFacts, verify_sqlite_copy
from desktop.db.backup_catalog import BackupInfo, list_backups, to_thin
from desktop.db.probe import RefusedError
from desktop.domain.errors import DatabaseError
from desktop.services.startup import StartupState, inspect
from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD


@pytest.fixture
def clinic(sqlite_url: str) -> str:
    make_web_database(sqlite_url, "d24a4742aa81")
    migrate.upgrade(sqlite_url)
    return sqlite_url


def _file(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def _damage(path: Path, table: str = "medicalrecord") -> None:
    """Overwrite the root page of ``table`` with random bytes (the file is checkpointed first)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek(size * (page - 1))
        handle.write(os.urandom(size))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_is_verified_0600_and_has_a_sidecar(clinic: str) -> None:
    made = backup.backup(clinic, reason="manual")
    assert made.made and made.path is not None and "verified" in made.message
    assert _mode(made.path) == 0o600 and _mode(backup_catalog.sidecar_of(made.path)) == 0o600
    [info] = list_backups(backup.backups_folder())
    assert info.verified and info.reason == "manual" and info.revision == HEAD
    assert row_counts(clinic).items() <= info.counts.items() and info.counts["alembic_version"] == 1


def test_a_damaged_database_is_not_backed_up_and_leaves_no_file(clinic: str) -> None:
    _damage(_file(clinic))
    with pytest.raises(DatabaseError, match=r"damaged|check"):
        backup.backup(clinic, reason="manual")
    assert list(backup.backups_folder().iterdir()) == []  # neither a backup nor a .partial


def test_verification_names_what_differs(clinic: str, tmp_path: Path) -> None:
    made = backup.backup(clinic)
    assert made.path is not None
    right = SourceFacts(HEAD, list_backups(backup.backups_folder())[0].counts)
    assert verify_sqlite_copy(made.path, right) == ""
    wrong = SourceFacts(HEAD, right.counts | {"medicalrecord": right.counts["medicalrecord"] + 1})
    assert verify_sqlite_copy(made.path, wrong) == "row counts differ in medicalrecord"
    assert "revision" in verify_sqlite_copy(made.path, SourceFacts("d24a4742aa81", right.counts))
    broken = tmp_path / "broken.db"
    broken.write_bytes(made.path.read_bytes())
    _damage(broken)
    assert verify_sqlite_copy(broken, right) != ""


def test_partial_files_of_an_interrupted_backup_are_removed(clinic: str) -> None:
    folder = backup.backups_folder()
    stale = folder / "clinicdesk-20260101-000000-000000-c7e5d1f0a9b3-manual.db.partial"
    stale.write_bytes(b"half a backup")
    backup.backup(clinic)
    assert not stale.exists()
    assert not list(folder.glob("*.partial"))


def test_the_daily_check_removes_partial_files_even_when_no_backup_is_due(clinic: str) -> None:
    assert backup_schedule.run_due(clinic, "start") is not None
    stale = backup.backups_folder() / "clinicdesk-20260101-000000-000000-c7e5d1f0a9b3-daily.db.partial"
    stale.write_bytes(b"killed half-way")
    assert backup_schedule.run_due(clinic, "start") is None
    assert not stale.exists()


def test_start_up_finds_a_damaged_database_and_offers_the_newest_good_backup(clinic: str) -> None:
    made = backup.backup(clinic)
    _damage(_file(clinic))
    check = inspect(clinic)
    assert check.state is StartupState.CORRUPT
    assert check.backup == made.path and made.path.name in check.message
    assert "damaged" in check.message


# --------------------------------------------------------------------------- restore refuses


def _copy_of(url: str, tmp_path: Path, name: str) -> Path:
    made = backup.backup(url)
    assert made.path is not None
    target = tmp_path / name
    target.write_bytes(made.path.read_bytes())
    return target


def test_restore_refuses_two_revision_rows(clinic: str, tmp_path: Path) -> None:
    bad = _copy_of(clinic, tmp_path, "doubled.db")
    conn = sqlite3.connect(bad)
    conn.execute("INSERT INTO alembic_version VALUES ('d24a4742aa81')")
    conn.commit()
    conn.close()
    before = _file(clinic).read_bytes()
    with pytest.raises(RefusedError, match="2 schema revisions"):
        restoring.restore(bad, clinic)
    assert _file(clinic).read_bytes() == before


def test_restore_refuses_a_hand_dropped_column(clinic: str, tmp_path: Path) -> None:
    bad = _copy_of(clinic, tmp_path, "altered.db")
    conn = sqlite3.connect(bad)
    conn.execute("ALTER TABLE familyhistory DROP COLUMN condition")
    conn.commit()
    conn.close()
    with pytest.raises(RefusedError, match="structure"):
        restoring.validate_backup(bad)


def test_restore_refuses_a_damaged_backup(clinic: str, tmp_path: Path) -> None:
    bad = _copy_of(clinic, tmp_path, "damaged.db")
    _damage(bad)
    with pytest.raises(RefusedError, match="damaged"):
        restoring.validate_backup(bad)


def test_restored_database_is_0600(clinic: str, tmp_path: Path) -> None:
    good = _copy_of(clinic, tmp_path, "good.db")
    os.chmod(good, 0o644)
    restoring.restore(good, clinic)
    assert _mode(_file(clinic)) == 0o600


# --------------------------------------------------------------------------- thinning


def _info(path: Path, when: dt.datetime, verified: bool = True, revision: str = HEAD) -> BackupInfo:
    return BackupInfo(path, when, revision, "daily", 1, verified)


def test_thinning_keeps_a_bounded_ladder(tmp_path: Path) -> None:
    now = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
    # Two backups a day for two years.
    items = [
        _info(tmp_path / f"{day}-{hour}", now - dt.timedelta(days=day, hours=hour))
        for day in range(730)
        for hour in (0, 6)
    ]
    kept = {b.path for b in items} - {b.path for b in to_thin(items, now)}
    assert len(kept) <= backup_catalog.KEEP_RECENT + 7 + 5 + 12 + 1
    newest = sorted(items, key=lambda b: b.created, reverse=True)
    assert {b.path for b in newest[:10]} <= kept
    months = {b.created.strftime("%Y-%m") for b in items if b.path in kept}
    assert len(months) >= 12


def test_thinning_never_deletes_the_only_verified_backup(tmp_path: Path) -> None:
    now = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
    old_verified = _info(tmp_path / "old", now - dt.timedelta(days=900), verified=True)
    unverified = [_info(tmp_path / f"u{n}", now - dt.timedelta(hours=n), verified=False) for n in range(60)]
    assert old_verified not in to_thin([old_verified, *unverified], now)


def test_thinning_deletes_files_and_sidecars(clinic: str) -> None:
    folder = backup.backups_folder()
    for _ in range(backup_catalog.KEEP_RECENT + 3):
        backup.backup(clinic)
    listed = list_backups(folder)
    assert len(listed) == backup_catalog.KEEP_RECENT  # one day, one revision: only the newest ten stay
    assert len(list(folder.glob("*.json"))) == len(listed)


# --------------------------------------------------------------------------- schedule and mirror


def test_daily_backup_once_a_day_and_on_close_only_after_changes(clinic: str) -> None:
    first = backup_schedule.run_due(clinic, "start")
    assert first is not None and first.made and "daily" in first.path.name
    assert backup_schedule.run_due(clinic, "start") is None  # already one today
    assert backup_schedule.run_due(clinic, "close") is None  # nothing changed since
    conn = sqlite3.connect(_file(clinic))
    conn.execute("DELETE FROM familyhistory")
    conn.commit()
    conn.close()
    closing = backup_schedule.run_due(clinic, "close")
    assert closing is not None and closing.made and "on-close" in closing.path.name


def test_second_folder_gets_each_verified_backup_and_an_outage_is_said_once(
    clinic: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "usb"
    mirror.mkdir()
    monkeypatch.setenv("CLINICDESK_BACKUP_MIRROR_DIR", str(mirror))
    made = backup.backup(clinic)
    assert made.mirror_warning == "" and made.path is not None
    assert (mirror / made.path.name).read_bytes() == made.path.read_bytes()
    assert list_backups(mirror)[0].verified

    mirror.rename(tmp_path / "unplugged")
    said = [backup.backup(clinic).mirror_warning for _ in range(3)]
    assert "cannot be reached" in said[0] and said[1:] == ["", ""]
    (tmp_path / "unplugged").rename(mirror)
    assert backup.backup(clinic).mirror_warning == ""
    mirror.rename(tmp_path / "unplugged")
    assert "cannot be reached" in backup.backup(clinic).mirror_warning  # a new outage is said again


def test_mirror_without_a_setting_does_nothing(clinic: str) -> None:
    made = backup.backup(clinic)
    assert made.path is not None and backup_mirror.mirror(made.path) == ""
