"""Where the clinic server's password is kept: the system keyring if one works, else a private file.

The password is never stored in clear text next to the program or in settings.json. The ``keyring``
package is optional (it is not a dependency: Debian CI and many Linux desktops have no usable backend),
so the store is chosen at run time:

* ``keyring`` importable and ``keyring.get_keyring().priority >= 1`` (its own rule: the "fail" and
  "null" backends have priority 0 or below) -> the password goes to the system keyring;
* otherwise -> ``server-passwords.json`` in the per-user data folder, mode 0600 (readable only by the
  user), written atomically. It is clear text inside that file; the message shown says so.

``CLINICDESK_PASSWORD_STORE=file`` forces the file (tests, portable installs) so a developer's real
keyring is never touched by the test suite.

Passwords are keyed by ``user@host:port/database`` so changing any of them never reuses a stale one.
This module imports only the standard library and desktop.paths, so desktop/settings.py (usable by
every layer) can use it to put the password back into the URL at start-up.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop import paths

log = logging.getLogger(__name__)

SERVICE_NAME = "ClinicDesk"
PASSWORD_FILE = "server-passwords.json"
STORE_ENV = "CLINICDESK_PASSWORD_STORE"
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class StoreInfo:
    """Which store is in use, in words for the settings dialog."""

    kind: str  # "keyring" or "file"
    description: str


def secret_key(user: str, host: str, port: int, database: str) -> str:
    return f"{user}@{host}:{port}/{database}"


def _usable_keyring() -> Any | None:
    """The keyring backend if the package is installed and a real backend exists, else None."""
    if os.environ.get(STORE_ENV, "").lower() == "file":
        return None
    try:
        import keyring  # optional: see module docstring
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        priority = float(getattr(backend, "priority", 0))
    except Exception:  # a broken backend (no D-Bus session, locked wallet) means "no keyring"
        log.info("keyring present but unusable", exc_info=True)
        return None
    return backend if priority >= 1 else None


def _password_file() -> Path:
    return paths.data_dir() / PASSWORD_FILE


def store_info() -> StoreInfo:
    backend = _usable_keyring()
    if backend is not None:
        name = type(backend).__name__
        return StoreInfo("keyring", f"the system keyring ({name})")
    return StoreInfo(
        "file",
        f"a file only your user account can read ({_password_file()}); install a system keyring to "
        "avoid keeping it in a file",
    )


def save_password(key: str, password: str) -> StoreInfo:
    """Store ``password`` under ``key`` and say where it went. An empty password removes it."""
    backend = _usable_keyring()
    if backend is not None:
        try:
            if password:
                backend.set_password(SERVICE_NAME, key, password)
            else:
                _delete_from_keyring(backend, key)
            _write_file_entry(key, None)  # never leave an older copy in the file
            return store_info()
        except Exception:
            log.warning("keyring refused the password; using the private file instead", exc_info=True)
    _write_file_entry(key, password or None)
    return StoreInfo("file", f"a file only your user account can read ({_password_file()})")


def load_password(key: str) -> str | None:
    """The stored password for ``key``, from the keyring first, then the private file."""
    backend = _usable_keyring()
    if backend is not None:
        try:
            value = backend.get_password(SERVICE_NAME, key)
        except Exception:
            log.warning("keyring could not be read", exc_info=True)
            value = None
        if value:
            return str(value)
    return _read_file().get(key)


def _delete_from_keyring(backend: Any, key: str) -> None:
    # keyring.errors.PasswordDeleteError when there was none
    with contextlib.suppress(Exception):
        backend.delete_password(SERVICE_NAME, key)


def _read_file() -> dict[str, str]:
    try:
        data = json.loads(_password_file().read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_file_entry(key: str, password: str | None) -> None:
    data = _read_file()
    if password is None:
        if key not in data:
            return
        data.pop(key)
    else:
        data[key] = password
    path = _password_file()
    tmp = path.with_suffix(".tmp")
    # Create with 0600 from the start: chmod after writing would leave a moment of default permissions.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def database_url_with_secret(url: str) -> str:
    """``url`` with the stored password put back in, when it is a server URL saved without one.

    URLs that already carry a password, SQLite URLs and servers with no stored password come back
    unchanged (libpq may then use PGPASSWORD, ~/.pgpass or trust authentication). Safe for
    desktop/settings.py to call at start-up: this module does not import desktop.settings.
    """
    # Here, not at the top: desktop.settings imports this module on the way to the first window,
    # which must not wait for SQLAlchemy; only a saved server URL needs parsing.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() not in ("postgresql", "mysql", "mariadb") or parsed.password:
        return url
    port = parsed.port or (3306 if parsed.get_backend_name() != "postgresql" else DEFAULT_PORT)
    secret = load_password(secret_key(parsed.username or "", parsed.host or "", port, parsed.database or ""))
    if not secret:
        return url
    return parsed.set(password=secret).render_as_string(hide_password=False)
