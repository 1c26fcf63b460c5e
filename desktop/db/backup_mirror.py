"""The optional second backups folder (a USB disk, a network share): a copy of each verified backup.

An unreachable folder is reported once: the last outcome is kept in the data folder, and a message is
returned only when the folder goes from reachable (or never tried) to unreachable. The next success
clears it, so a later failure is reported again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

from desktop import paths
from desktop.db.backup_catalog import sidecar_of, thin
from desktop.settings import backup_mirror_dir

log = logging.getLogger(__name__)

STATE_FILE = "backup-mirror-state.json"


def mirror(backup: Path, folder: Path | None = None) -> str:
    """Copy ``backup`` and its sidecar into the second folder; returns a message to show once, or ""."""
    folder = folder or backup_mirror_dir()
    if folder is None:
        return ""
    try:
        if not folder.is_dir():
            raise OSError(f"{folder} is not there (disconnected, or not a folder)")
        _copy(backup, folder / backup.name)
        side = sidecar_of(backup)
        if side.exists():
            _copy(side, sidecar_of(folder / backup.name))
        thin(folder)
    except OSError as error:
        log.warning("second backups folder %s: %s", folder, error)
        return _report_unreachable(folder, str(error))
    _remember(folder, reachable=True)
    return ""


def _copy(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, paths.PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def _state_file() -> Path:
    return paths.data_dir() / STATE_FILE


def _read_state() -> dict[str, object]:
    try:
        data = json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember(folder: Path, reachable: bool) -> None:
    try:
        _state_file().write_text(
            json.dumps({"folder": str(folder), "reachable": reachable}), encoding="utf-8"
        )
    except OSError:  # only decides whether to repeat a message
        log.debug("could not record the second backups folder's state", exc_info=True)


def _report_unreachable(folder: Path, reason: str) -> str:
    state = _read_state()
    already_said = state.get("folder") == str(folder) and state.get("reachable") is False
    _remember(folder, reachable=False)
    if already_said:
        return ""
    return (
        f"The second backups folder {folder} cannot be reached ({reason}); the backup was kept only in "
        "the usual folder. This is said once; it is tried again with every backup."
    )
