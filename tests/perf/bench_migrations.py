"""Benchmark: start-up check at head, upgrade base->head, upgrade and backup of 100k medical records.

Run: ``python tests/perf/bench_migrations.py`` (or ``python -m tests.perf.bench_migrations``) from the
repository root. Prints a table; not part of the test suite. Target: the check at head costs
< 50 ms over a bare open of the database.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RECORDS = 100_000


def _median_ms(fn, runs: int = 30) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _subprocess_ms(code: str, runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, check=True, env=dict(os.environ, PYTHONPATH=str(ROOT))
        )
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _fill(path: Path, n: int) -> None:
    from tests.fixtures.web_database import ALICE

    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO medicalrecord (user_id, date, type, result, doctor, notes, status, status_color, created_at)"
        " VALUES (?, '2024-01-01', 'Blood test', 'ok', 'Dr A', ?, 'pending', '#f59e0b', '2024-01-01 00:00:00')",
        ((ALICE, f"note {i}") for i in range(n)),
    )
    conn.commit()
    conn.close()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cd-bench-"))
    os.environ["CLINICDESK_DATA_DIR"] = str(folder / "data")
    from desktop.db import backup, integrity, migrate
    from desktop.db.probe import quick_check
    from desktop.services.startup import StartupState, inspect
    from tests.fixtures.web_database import make_web_database

    rows: list[tuple[str, str, str]] = []

    # 1. start-up check at head
    head_db = folder / "head.db"
    url = f"sqlite:///{head_db}"
    start = time.perf_counter()
    migrate.upgrade(url)
    rows.append(
        (
            "upgrade base -> head, empty (first: imports included)",
            f"{(time.perf_counter() - start) * 1000:.0f} ms",
            "",
        )
    )
    warm = folder / "warm.db"
    start = time.perf_counter()
    migrate.upgrade(f"sqlite:///{warm}")
    rows.append(("upgrade base -> head, empty (warm)", f"{(time.perf_counter() - start) * 1000:.0f} ms", ""))
    _fill(head_db, 1000)

    def bare_open() -> None:
        conn = sqlite3.connect(head_db)
        conn.execute("SELECT 1").fetchone()
        conn.close()

    assert inspect(url).state is StartupState.AT_HEAD
    bare = _median_ms(bare_open)
    check = _median_ms(lambda: inspect(url))
    from desktop.paths import data_dir
    from desktop.services.startup import VERIFIED_FILE

    def uncached() -> None:
        (data_dir() / VERIFIED_FILE).unlink(missing_ok=True)
        inspect(url, check_fingerprint=True)

    with_fp = _median_ms(uncached, runs=10)
    cached_fp = _median_ms(lambda: inspect(url, check_fingerprint=True))
    rows.append(("bare sqlite3 open + SELECT 1 (in process)", f"{bare:.2f} ms", ""))
    rows.append(
        ("startup.inspect at head (in process)", f"{check:.2f} ms", f"+{check - bare:.2f} ms over bare open")
    )
    rows.append(("startup.inspect + fingerprint, first time", f"{with_fp:.1f} ms", "SQLAlchemy reflection"))
    rows.append(
        (
            "startup.inspect + fingerprint, verified before",
            f"{cached_fp:.2f} ms",
            f"+{cached_fp - bare:.2f} ms over bare open (sqlite_master digest)",
        )
    )
    bare_proc = _subprocess_ms(f"import sqlite3; sqlite3.connect({str(head_db)!r}).execute('SELECT 1')")
    check_proc = _subprocess_ms(f"from desktop.services.startup import inspect; inspect({url!r})")
    rows.append(("new process: bare open", f"{bare_proc:.0f} ms", ""))
    rows.append(
        (
            "new process: import startup + inspect at head",
            f"{check_proc:.0f} ms",
            f"+{check_proc - bare_proc:.0f} ms (imports included)",
        )
    )

    # 2. upgrade + backup with 100k medical records
    big = folder / "big.db"
    big_url = f"sqlite:///{big}"
    make_web_database(big_url, "a8b9ec836410")
    _fill(big, RECORDS)
    size_mb = big.stat().st_size / 1e6
    start = time.perf_counter()
    made = backup.backup(big_url, reason="bench")
    elapsed = time.perf_counter() - start
    rows.append(
        (
            f"backup of {RECORDS:,} records ({size_mb:.1f} MB)",
            f"{elapsed * 1000:.0f} ms",
            f"{RECORDS / elapsed:,.0f} rows/s, {size_mb / elapsed:.0f} MB/s",
        )
    )
    start = time.perf_counter()
    migrate.upgrade(big_url)
    elapsed = time.perf_counter() - start
    rows.append(
        (
            f"upgrade a8b9ec836410 -> head, {RECORDS:,} records",
            f"{elapsed * 1000:.0f} ms",
            f"{RECORDS / elapsed:,.0f} rows/s",
        )
    )
    start = time.perf_counter()
    damage = quick_check(big)
    quick_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    decision = inspect(big_url)
    inspect_ms = (time.perf_counter() - start) * 1000
    rows.append((f"start-up quick_check, {RECORDS:,} records", f"{quick_ms:.0f} ms", damage))
    rows.append(
        (
            f"start-up inspect at head incl. quick_check, {RECORDS:,} records",
            f"{inspect_ms:.0f} ms",
            f"reference (quick_check alone) {quick_ms:.0f} ms; {decision.state}",
        )
    )
    start = time.perf_counter()
    report = integrity.integrity_check(big_url)
    elapsed = time.perf_counter() - start
    rows.append(
        ("integrity_check + foreign_key_check", f"{elapsed * 1000:.0f} ms", "ok" if report.ok else "PROBLEMS")
    )
    start = time.perf_counter()
    migrate.downgrade(big_url, "base")
    migrate.upgrade(big_url)
    rows.append(
        (
            "downgrade to base + upgrade to head (tables emptied)",
            f"{(time.perf_counter() - start) * 1000:.0f} ms",
            "",
        )
    )
    assert made.made

    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'time':>10}  notes")
    print("-" * (width + 40))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
