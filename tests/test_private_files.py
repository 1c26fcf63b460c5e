"""The data folder is 0700 and the files ClinicDesk creates in it 0600, whatever the umask (POSIX)."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import paths, settings
from desktop.db.engine import make_engine

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The umask of a typical desktop session (files 0644, folders 0755)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_data_folders_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "new" / "data"))
    assert _mode(paths.data_dir()) == 0o700
    assert _mode(paths.backups_dir()) == 0o700
    assert _mode(paths.logs_dir()) == 0o700


def test_folders_made_by_older_versions_are_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    old = tmp_path / "old"
    (old / "backups").mkdir(parents=True, mode=0o755)
    os.chmod(old, 0o755)
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(old))
    assert _mode(paths.data_dir()) == 0o700
    assert _mode(paths.backups_dir()) == 0o700


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_a_new_private_file_is_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        path = paths.ensure_private_file(tmp_path / "clinic.db")
    finally:
        os.umask(old)
    assert path.stat().st_size == 0 and _mode(path) == 0o600


def test_an_existing_file_loses_group_and_other_bits_only(tmp_path: Path) -> None:
    loose, read_only = tmp_path / "loose.db", tmp_path / "read-only.db"
    loose.write_bytes(b"data")
    read_only.write_bytes(b"data")
    os.chmod(loose, 0o644)
    os.chmod(read_only, 0o444)
    paths.ensure_private_file(loose)
    paths.ensure_private_file(read_only)
    assert _mode(loose) == 0o600 and loose.read_bytes() == b"data"
    assert _mode(read_only) == 0o400  # still read-only: only the others' access is taken away


def test_sqlite_wal_and_shm_inherit_the_database_files_mode(tmp_path: Path, loose_umask: None) -> None:
    path = paths.ensure_private_file(tmp_path / "clinic.db")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.exists() and shm.exists()
        assert (_mode(path), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        conn.close()


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_a_database_the_engine_creates_is_0600_with_its_wal_and_shm(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "new" / "clinic.db"
    old = os.umask(umask)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as conn:  # the WAL files exist while a connection is open
            wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
            assert wal.exists() and shm.exists()
            assert (_mode(path), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        engine.dispose()
        os.umask(old)


def test_log_files_are_0600_also_after_rotation(loose_umask: None) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    log_path = settings.setup_logging()
    added = [h for h in root.handlers if h not in before]
    try:
        assert _mode(log_path.parent) == 0o700 and _mode(log_path) == 0o600
        handler = added[0]
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        logging.getLogger("desktop.test").warning("before rotation")
        handler.doRollover()
        logging.getLogger("desktop.test").warning("after rotation")
        rotated = Path(f"{log_path}.1")
        assert "before rotation" in rotated.read_text() and "after rotation" in log_path.read_text()
        assert _mode(rotated) == 0o600 and _mode(log_path) == 0o600
    finally:
        for handler in added:
            root.removeHandler(handler)
            handler.close()
