"""The frozen smoke test's command checks, run against the source tree instead of a bundle.

A small launcher stands in for the frozen executable (``python -m desktop "$@"``), so the checks a
build runs - including the scratch PostgreSQL database migrated through the app - are proven here
before a build ever needs them.
"""

from __future__ import annotations

import importlib.util
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import mariadb_base_url, postgres_base_url

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "clinicdesk_smoke_script", ROOT / "build_scripts" / "smoke_test.py"
)
assert _spec is not None and _spec.loader is not None
smoke = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(smoke)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the stand-in launcher is a shell script")


def source_launcher(tmp_path: Path) -> Path:
    launcher = tmp_path / "clinicdesk"
    launcher.write_text(
        f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m desktop "$@"\n', encoding="utf-8"
    )
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    return launcher


def smoke_databases(server: str) -> list[str]:
    engine = sa.create_engine(server)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                query = "SELECT datname FROM pg_database WHERE datname LIKE 'clinicdesk_smoke_%'"
            else:
                query = "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'clinicdesk_smoke_%'"
            return sorted(conn.execute(sa.text(query)).scalars())
    finally:
        engine.dispose()


#: Each server the smoke test can use: the test suite's URL, and the smoke test's variables for it
#: (its own first, then the test suite's, which it also reads).
SERVERS: dict[str, tuple[Callable[[], str | None], tuple[str, ...]]] = {
    "PostgreSQL": (postgres_base_url, smoke.POSTGRES_URL_ENVS),
    "MariaDB": (mariadb_base_url, smoke.MARIADB_URL_ENVS),
}


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("PostgreSQL", marks=pytest.mark.postgres),
        pytest.param("MariaDB", marks=pytest.mark.mariadb),
    ],
)
def test_cli_checks_migrate_a_scratch_server_database_and_drop_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    base_url, envs = SERVERS[engine]
    server = base_url()
    if not server:
        pytest.skip(f"no {engine} server ({envs[-1]} unset)")
    monkeypatch.setenv(envs[0], server)
    for name in smoke.POSTGRES_URL_ENVS + smoke.MARIADB_URL_ENVS:
        if name not in envs:  # only this server is checked
            monkeypatch.delenv(name, raising=False)
    before = smoke_databases(server)
    checks = smoke.run_cli_checks(source_launcher(tmp_path))
    assert [name for name, ok, _ in checks if not ok] == [], checks
    names = [name for name, _, _ in checks]
    assert names[-2:] == [f"db init ({engine})", f"db status ({engine})"]
    assert smoke_databases(server) == before


def test_without_a_server_only_sqlite_and_screening_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in smoke.POSTGRES_URL_ENVS + smoke.MARIADB_URL_ENVS:
        monkeypatch.delenv(name, raising=False)
    checks = smoke.run_cli_checks(source_launcher(tmp_path))
    assert [(name, ok) for name, ok, _ in checks] == [
        ("db init", True),
        ("db status", True),
        ("screen", True),
    ]
