"""Where ClinicDesk's files live.

This is the ONLY module that knows about ``sys.frozen`` / ``sys._MEIPASS``: every other module asks
:func:`resource_path` for bundled files (alembic/, onnx_model/, resources/) and :func:`data_dir` for the
per-user data folder, so migrations and the model are found the same way from a source checkout, an
installed wheel and a PyInstaller bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "ClinicDesk"
APP_AUTHOR = "ClinicDesk"
DATA_DIR_ENV = "CLINICDESK_DATA_DIR"

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
    path.mkdir(parents=True, exist_ok=True)
    return path


def backups_dir() -> Path:
    """Folder for automatic and manual database backups."""
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    """Folder holding the rotating log file a clinic sends to support."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    """The SQLite file used when no database URL is configured."""
    return data_dir() / "clinicdesk.db"
