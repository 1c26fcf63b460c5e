"""Where ClinicDesk's files live.

This is the ONLY module that knows about ``sys.frozen`` / ``sys._MEIPASS``: every other module asks
:func:`resource_path` for bundled files (alembic/, onnx_model/, resources/) and :func:`data_dir` for the
per-user data folder, so migrations and the model are found the same way from a source checkout, an
installed wheel and a PyInstaller bundle.

The data folder holds medical data: its folders are made 0700 and the files ClinicDesk creates in it
(the SQLite database, whose -wal / -shm / journal files SQLite creates with the database file's mode,
backups, logs) 0600, whatever the umask (:func:`ensure_private_file`). Folders and files made by older
versions lose their group / other permissions when next used; the owner's own bits are left alone, so
a file someone made read-only stays read-only.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

APP_NAME = "ClinicDesk"
APP_AUTHOR = "ClinicDesk"
DATA_DIR_ENV = "CLINICDESK_DATA_DIR"

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

#: The top-level folders shipped with the program; anything else is not a resource.
RESOURCE_ROOTS = ("alembic", "onnx_model", "resources")


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def _resource_bases() -> list[Path]:
    """Candidate folders that may hold the resource roots, most specific first."""
    bases: list[Path] = []
    if is_frozen():
        bases.append(Path(sys._MEIPASS))  # type: ignore[attr-defined]  # PyInstaller 6: <bundle>/_internal
    package_dir = Path(__file__).resolve().parent
    bases.append(package_dir / "_bundled")  # installed wheel: setup.py copies the roots there
    bases.append(package_dir.parent)  # source checkout / editable install
    return bases


def resource_path(*parts: str) -> Path:
    """Absolute path of a bundled resource, e.g. ``resource_path("onnx_model", "model.onnx")``.

    Raises FileNotFoundError naming every place looked at, so a broken install is diagnosable from
    the log alone.
    """
    if not parts or parts[0] not in RESOURCE_ROOTS:
        raise ValueError(f"not a bundled resource root: {parts!r}")
    tried = []
    for base in _resource_bases():
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
        tried.append(str(candidate))
    raise FileNotFoundError(f"bundled resource {'/'.join(parts)} not found; looked in: {', '.join(tried)}")


def data_dir() -> Path:
    """The per-user data folder (database, backups, logs), created on first use.

    ``CLINICDESK_DATA_DIR`` overrides it for tests and portable installs.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        path = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir  # ~7 ms, not needed before the first window

        path = Path(user_data_dir(APP_NAME, APP_AUTHOR))
    return ensure_private_dir(path)


def backups_dir() -> Path:
    """Folder for automatic and manual database backups."""
    return ensure_private_dir(data_dir() / "backups")


def logs_dir() -> Path:
    """Folder holding the rotating log file a clinic sends to support."""
    return ensure_private_dir(data_dir() / "logs")


def ensure_private_dir(path: Path) -> Path:
    """Create the folder ``path`` (and its parents) if missing; only its owner may enter it (0700)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    _owner_only(path)
    return path


def ensure_private_file(path: Path) -> Path:
    """Create ``path`` empty if missing, readable and writable by its owner only (0600, whatever the
    umask); an existing file loses any group / other permission.

    Call it before SQLite opens a database file (SQLite gives the -wal, -shm and journal files the
    database file's mode), before a backup is written, and for log files.
    """
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        _owner_only(path)
        return path
    try:
        if os.name == "posix":
            os.fchmod(handle, PRIVATE_FILE_MODE)  # the umask may have taken the owner's bits too
    finally:
        os.close(handle)
    return path


def _owner_only(path: Path) -> None:
    """Drop the group / other permission bits of ``path`` (POSIX; Windows keeps the profile's ACL)."""
    if os.name != "posix":
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except OSError:  # not ours, or a read-only file system: nothing this program can change
        pass


def default_database_path() -> Path:
    """The SQLite file used when no database URL is configured."""
    return data_dir() / "clinicdesk.db"
