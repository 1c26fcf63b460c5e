"""``clinicdesk --self-test`` from source, in a subprocess, exactly as a maintainer runs it.

The frozen bundle runs the same code (build_scripts/smoke_test.py); here it proves the steps pass from a
checkout and that a broken install is reported with the failing step and a non-zero exit code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = re.compile(
    r"^ClinicDesk self-test passed \(source\): 6 steps, (\d+) pages in [0-9.]+s \[(.+)\]$", re.M
)


def run_self_test(env_extra: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLINICDESK_DATA_DIR=str(data_dir), **env_extra)
    env.pop("CLINICDESK_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_self_test_passes_from_source_and_leaves_the_data_folder_alone(data_dir: Path) -> None:
    result = run_self_test({}, data_dir)

    assert result.returncode == 0, result.stdout + result.stderr
    match = SUMMARY.search(result.stdout)
    assert match, result.stdout
    assert int(match.group(1)) >= 6  # every page of an admin: profile ... audit log
    assert [part.split()[0] for part in match.group(2).split(", ")] == [
        "resources",
        "migrate",
        "account",
        "sign-in",
        "predict",
        "pages",
    ]
    assert list(data_dir.iterdir()) == []  # the self-test works in its own temporary folder


@pytest.mark.slow
def test_self_test_names_the_failing_step(data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no_migrations"
    (empty / "versions").mkdir(parents=True)

    result = run_self_test({"CLINICDESK_ALEMBIC_DIR": str(empty)}, data_dir)

    assert result.returncode == 1
    assert "ClinicDesk self-test FAILED at step 'migrate'" in result.stderr
    assert "passed" not in result.stdout
