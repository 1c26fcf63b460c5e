"""Real full and read-only file systems (small tmpfs mounts; needs root, else skipped): a failing
backup stops the start-up upgrade, a read-only database can be inspected and checked, a full disk at
sign-in is a message."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.db import migrate
from desktop.domain.errors import DatabaseError
from desktop.services.maintenance import MaintenanceService
from desktop.services.startup import StartupState, StartupUpgradeError, inspect, run_startup_upgrade
from tests.fixtures.web_database import make_web_database, row_counts

Mount = Callable[[str], Path]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Mount]:
    """``tmpfs("512k")``: a fresh tmpfs of that size, unmounted afterwards."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], check=False
        )
        if done.returncode != 0:
            pytest.skip("tmpfs cannot be mounted here")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last byte."""
    with open(folder / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    for size in (4096, 512, 1):
        try:
            with open(folder / f"filler-{size}", "wb") as handle:
                while True:
                    handle.write(b"\0" * size)
                    handle.flush()
        except OSError:
            continue


def test_a_backup_that_fails_stops_the_start_up_upgrade(
    tmpfs: Mount, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_web_database(sqlite_url, "d24a4742aa81")
    before = row_counts(sqlite_url)
    data = tmpfs("256k")
    monkeypatch.setenv("CLINICDESK_DATA_DIR", str(data))
    (data / "backups").mkdir()
    (data / "logs").mkdir()
    _fill(data)
    with pytest.raises(
        StartupUpgradeError, match="No upgrade was attempted because the automatic backup failed"
    ):
        run_startup_upgrade(sqlite_url)
    assert migrate.status(sqlite_url).current == "d24a4742aa81"
    assert row_counts(sqlite_url) == before
    assert not list((data / "backups").glob("clinicdesk-*"))  # no half-written copy left behind


def test_a_read_only_database_can_be_inspected_and_checked(tmpfs: Mount, tmp_path: Path) -> None:
    folder = tmpfs("8m")
    url = f"sqlite:///{folder / 'clinic.db'}"
    make_web_database(url, "d24a4742aa81")
    migrate.upgrade(url, target="d24a4742aa81")
    older = folder / "older.db"  # behind head: the slow path through SQLAlchemy
    shutil.copy(folder / "clinic.db", older)
    MaintenanceService.local(url).upgrade()
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    assert inspect(url).state is StartupState.AT_HEAD
    assert inspect(f"sqlite:///{older}").state is StartupState.BEHIND
    report = MaintenanceService.local(url).check()
    assert report.ok, report.lines()
    with pytest.raises(DatabaseError) as raised:  # a message, not a raw OperationalError
        MaintenanceService.local(f"sqlite:///{older}").upgrade()
    assert "Traceback" not in raised.value.message


def test_sign_in_on_a_full_disk_is_a_message(tmpfs: Mount) -> None:
    from desktop.services.container import Services
    from desktop.settings import Settings

    folder = tmpfs("4m")
    url = f"sqlite:///{folder / 'clinic.db'}"
    MaintenanceService.local(url).upgrade()
    services = Services.create(url, Settings(database_url=url), bcrypt_rounds=4)
    try:
        services.auth.create_first_admin("admin@clinic.example", "Ada Admin", "admin-pass-4321")
        services.close()
        _fill(folder)
        services = Services.create(url, Settings(database_url=url), bcrypt_rounds=4)
        with pytest.raises(DatabaseError) as raised:
            for _ in range(200):  # each sign-in writes a session row until the disk is full
                services.auth.sign_in("admin@clinic.example", "admin-pass-4321")
        message = raised.value.message
        assert "disk" in message.lower() and "full" in message.lower(), message
        assert "I/O error" not in message
    finally:
        services.close()
