"""alembic/env.py: the plain `alembic` command in the repository, and the app's logging left alone."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.db import migrate

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = Path(sys.executable).with_name("alembic")


@pytest.mark.skipif(not ALEMBIC.exists(), reason="alembic console script not installed")
def test_plain_alembic_command_honours_the_environment(sqlite_url: str) -> None:
    env = dict(os.environ, CLINICDESK_DATABASE_URL=sqlite_url, PYTHONPATH=str(ROOT))
    upgraded = subprocess.run(
        [str(ALEMBIC), "upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert migrate.status(sqlite_url).at_head
    assert migrate.drift(sqlite_url) == []
    current = subprocess.run(
        [str(ALEMBIC), "current"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert "f5c2a7d9e3b1 (head)" in current.stdout
    down = subprocess.run(
        [str(ALEMBIC), "downgrade", "-1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert down.returncode == 0, down.stderr
    assert migrate.status(sqlite_url).current == "e4b7a2c9d5f1"


def test_migrations_leave_application_loggers_enabled(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app_logger = logging.getLogger("desktop.some.module")
    root_handlers = list(logging.getLogger().handlers)
    migrate.upgrade(sqlite_url)
    migrate.downgrade(sqlite_url, "base")
    assert not app_logger.disabled
    assert logging.getLogger().handlers == root_handlers
    with caplog.at_level(logging.INFO, logger="desktop"):
        app_logger.info("still heard")
    assert "still heard" in caplog.text


def test_config_is_built_in_code() -> None:
    config = migrate.make_config()
    assert config.config_file_name is None
    assert Path(config.get_main_option("script_location")) == ROOT / "alembic"
