"""Run-time settings: database URL resolution, the preferences, and logging setup.

The database URL comes from ``--database-url``, else ``CLINICDESK_DATABASE_URL``, else a SQLite file
in the data folder. The preferences (Edit > Preferences) are kept in settings.json in the data folder;
an environment variable named in ``ENV_OVERRIDES`` wins over the stored value, so support can still
force one for a session. Nothing here imports Qt; the GUI keeps window state in QSettings itself.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.credentials import database_url_with_secret

DATABASE_URL_ENV = "CLINICDESK_DATABASE_URL"
IDLE_LOCK_ENV = "CLINICDESK_IDLE_LOCK_MINUTES"
THEME_ENV = "CLINICDESK_THEME"  # also read by ui/theme.py, which runs before the settings load
SELF_REGISTRATION_ENV = "CLINICDESK_SELF_REGISTRATION"
THEMES = ("", "light", "dark")  # "" follows the system
BACKUP_MIRROR_ENV = "CLINICDESK_BACKUP_MIRROR_DIR"
#: settings.json key of the second folder backups are copied to (Preferences writes it, backups read it).
BACKUP_MIRROR_KEY = "backup_mirror_dir"
DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 240
SETTINGS_FILE = "settings.json"
LOG_FILE = "clinicdesk.log"


@dataclass(frozen=True)
class Settings:
    """Settings that are not per-window state; stored as JSON in the data folder."""

    database_url: str
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    session_hours: int = 8
    admin_can_read_medical_data: bool = False
    theme: str = ""  # "", "light" or "dark"
    #: "Create an account" on the sign-in window (e.g. a patient kiosk); off: an admin creates accounts.
    self_registration: bool = False
    #: A second backups folder (a USB disk, a network share) that gets a copy of each verified backup.
    backup_mirror_dir: str = ""


#: Settings an environment variable overrides (the Preferences dialog says so next to the field).
ENV_OVERRIDES = {
    "idle_lock_minutes": IDLE_LOCK_ENV,
    "theme": THEME_ENV,
    "self_registration": SELF_REGISTRATION_ENV,
    "backup_mirror_dir": BACKUP_MIRROR_ENV,
}


def overridden_by_env() -> dict[str, str]:
    """Setting name -> the environment variable that currently overrides it."""
    return {name: env for name, env in ENV_OVERRIDES.items() if os.environ.get(env)}


def resolve_database_url(cli_value: str | None = None) -> str:
    """Flag, then environment, then settings.json, then the default SQLite file in the data folder."""
    if cli_value:
        return cli_value
    env_value = os.environ.get(DATABASE_URL_ENV)
    if env_value:
        return env_value
    stored = _read_settings_file().get("database_url")
    if isinstance(stored, str) and stored:
        return database_url_with_secret(stored)  # the password is kept apart from the URL
    return sqlite_url(paths.default_database_path())


def sqlite_url(path: Path) -> str:
    """A SQLAlchemy URL for a SQLite file at ``path``."""
    return f"sqlite:///{Path(path).resolve()}"


def load_settings(cli_database_url: str | None = None) -> Settings:
    """Settings for this run, with the database URL resolved as documented above."""
    stored = _read_settings_file()
    idle = os.environ.get(IDLE_LOCK_ENV) or stored.get("idle_lock_minutes") or DEFAULT_IDLE_LOCK_MINUTES
    registration_env = os.environ.get(SELF_REGISTRATION_ENV)
    registration = (
        _as_bool(registration_env) if registration_env else bool(stored.get("self_registration", False))
    )
    return Settings(
        database_url=resolve_database_url(cli_database_url),
        idle_lock_minutes=max(1, _as_int(idle, DEFAULT_IDLE_LOCK_MINUTES)),
        session_hours=max(1, _as_int(stored.get("session_hours"), 8)),
        admin_can_read_medical_data=bool(stored.get("admin_can_read_medical_data", False)),
        theme=theme_preference(),
        self_registration=registration,
        backup_mirror_dir=str(backup_mirror_dir() or ""),
    )


def theme_preference() -> str:
    """ "light", "dark" or "" (follow the system): the environment, else the stored preference."""
    theme = (os.environ.get(THEME_ENV) or str(_read_settings_file().get("theme") or "")).lower()
    return theme if theme in THEMES else ""


def stored_value(key: str) -> object:
    """One value as stored in settings.json (None when absent), before any environment override."""
    return _read_settings_file().get(key)


def _as_bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _as_int(value: object, default: int) -> int:
    """An int from a settings value, or ``default`` when it is missing or not a number."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def save_setting(key: str, value: object) -> None:
    """Persist one setting to settings.json, readable only by the user (it may name a server)."""
    save_settings({key: value})


def save_settings(values: dict[str, object]) -> None:
    """Persist several settings at once (one write, so they change together)."""
    data = _read_settings_file()
    data.update(values)
    path = paths.data_dir() / SETTINGS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _read_settings_file() -> dict[str, object]:
    path = paths.data_dir() / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


_PASSWORD_IN_URL = re.compile(r"(://[^:/@]+:)([^@]*)(@)")


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, safe to show and to log."""
    return _PASSWORD_IN_URL.sub(r"\1***\3", url)


def sqlite_file_of(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, parsed without importing SQLAlchemy (start-up path); None for
    other databases and in-memory SQLite."""
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    rest = url.split(":///", 1)[1].split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def database_location(url: str) -> str:
    """What a clinic's IT person looks for: the file for SQLite, else the URL with the password hidden."""
    path = sqlite_file_of(url)
    if path is not None:
        return str(path)
    if url.startswith("sqlite"):
        return "in memory (nothing is kept)" if ":memory:" in url or url.rstrip("/").endswith(":") else url
    return redact_url(url)


def setup_logging(level: int = logging.INFO) -> Path:
    """Send log records to a rotating file in the data folder (and warnings to stderr).

    Returns the log file path so messages can tell the user where it is. Safe to call twice.
    """
    import logging.handlers  # ~9 ms: only once logging is really set up, after the first window

    log_path = paths.ensure_private_file(paths.logs_dir() / LOG_FILE)
    root = logging.getLogger()
    if not any(getattr(h, "_clinicdesk", False) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            log_path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handler.rotator = _rotate_privately
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
        )
        handler._clinicdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return log_path


def _rotate_privately(source: str, dest: str) -> None:
    """Log rotation: rename the full file (it keeps its 0600), then create the new one 0600 before the
    handler opens it (it would otherwise get the umask's mode)."""
    if os.path.exists(source):
        os.replace(source, dest)
    paths.ensure_private_file(Path(source))


def log_file_path() -> Path:
    """Where the log file is (for messages that say where to look)."""
    return paths.logs_dir() / LOG_FILE


def backup_mirror_dir() -> Path | None:
    """The second backups folder: ``CLINICDESK_BACKUP_MIRROR_DIR``, else settings.json's
    ``backup_mirror_dir``; None when neither is set."""
    value = os.environ.get(BACKUP_MIRROR_ENV) or _read_settings_file().get(BACKUP_MIRROR_KEY)
    return Path(value).expanduser() if isinstance(value, str) and value else None
