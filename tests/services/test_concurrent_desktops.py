"""Several desktop processes on one database at once: nothing lost, duplicated, overwritten or leaked.

A short run of tests/perf/load_test.py (not timed; the figures are the benchmark's business): two
separate processes signed in to the SAME account, no think time, editing the same records, on a real
SQLite file and on the real PostgreSQL and MariaDB servers. Saves refused with "changed by someone else" are fine;
any other error, any lost or duplicated write, any lost update, any audit row missing or extra, any
row seen by the wrong account or any broken foreign key fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.perf.load_test import run_one

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ],
)
def test_two_desktops_sharing_an_account(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # run_one makes (and drops) its own database on the server named by the fixture's URL.
    bases: dict[str, str | None] = {"postgresql": None, "mariadb": None}
    if backend != "sqlite":
        bases[backend] = request.getfixturevalue("postgres_url" if backend == "postgresql" else "mariadb_url")
    result = run_one(backend, 2, seconds=1.5, think=(0.0, 0.005), bases=bases, folder=tmp_path, per_account=2)
    reports = result["reports"]
    assert [r.fatal for r in reports] == ["", ""]
    assert all(not r.errors for r in reports), [dict(r.errors) for r in reports]
    saves = sum(len(r.edits) for r in reports)
    created = sum(len(r.created) for r in reports)
    assert saves > 5 and created > 60  # the run did real work (30 seeded records per desk, then more)
    assert dict(result["consistency"]) == {name: 0 for name, _ in result["consistency"]}
