"""The migration scripts: where they are, the Alembic Config built in code, and their single head.

Used by desktop/db/migrate.py (running migrations) and desktop/db/drift.py (writing new ones), so
neither imports the other. Alembic is imported inside the functions: the at-head start-up check
(desktop.services.startup) imports this package and must not pay for Alembic.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.errors import MigrationError
from desktop.paths import resource_path

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

ALEMBIC_DIR_ENV = "CLINICDESK_ALEMBIC_DIR"


def alembic_dir() -> Path:
    """The migration scripts folder: the bundled alembic/, or ``CLINICDESK_ALEMBIC_DIR`` (tests use it to
    run a deliberately failing or slow revision on top of the real ones)."""
    override = os.environ.get(ALEMBIC_DIR_ENV)
    if override:
        return Path(override)
    return resource_path("alembic")


def make_config() -> Config:
    """The Alembic Config built in code (no alembic.ini, no fileConfig); works frozen too."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(alembic_dir()))
    config.set_main_option("path_separator", "os")
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(make_config())


def head_revision(script: ScriptDirectory | None = None) -> str:
    """The single head; more than one head is our bug (two revisions forked) and is refused."""
    script = script or script_directory()
    heads = script.get_heads()
    if len(heads) != 1:
        raise MigrationError(
            f"This version of ClinicDesk has {len(heads)} migration heads ({', '.join(heads)}); "
            "it needs exactly one. Please report this."
        )
    return heads[0]
