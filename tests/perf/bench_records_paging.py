"""Benchmark: paging one user's 100k medical records through RecordService.list (the paged API; the
records table itself holds the ids and fetches rows by id, see bench_tables.py). Prints a table; not
a test.

    python -m tests.perf.bench_records_paging [--rows 100000] [--postgres URL]

Each figure is the median of a few calls of ``records.list`` (count + one page of 200 rows, both in
SQL) or ``records.count``. An extra index can be tried with --index "CREATE INDEX ...".

"scroll to end" walks every page the way the former paging table model did while the view was dragged
to the bottom (a first page of 200 rows, then pages of 1000): "offset" passes OFFSET n each time,
"keyset" passes the cursor of the previous page (``RecordQuery.after``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from desktop.db.migrate import upgrade
from desktop.db.models import MedicalRecord
from desktop.domain.dto import RecordQuery
from desktop.domain.enums import RecordStatus, Role
from desktop.services.container import Services
from desktop.settings import Settings

PASSWORD = "benchmark password"


def fill(services: Services, token: str, user_id: str, rows: int, analyze: bool = True) -> None:
    rng = random.Random(7)
    statuses = list(RecordStatus)
    start = dt.date(2000, 1, 1)
    now = dt.datetime.now(dt.UTC)
    batch = []
    with services.database.engine.begin() as conn:
        for i in range(rows):
            status = rng.choice(statuses)
            batch.append(
                {
                    "user_id": user_id,
                    "date": (start + dt.timedelta(days=rng.randrange(9000))).isoformat(),
                    "type": rng.choice(["Blood test", "Mammogram", "Ultrasound", "Biopsy", "MRI"])
                    + f" {i % 97}",
                    "result": rng.choice(["Normal", "High", "Low", "BI-RADS 2", "BI-RADS 4"]),
                    "doctor": f"Dr {rng.choice(['Grey', 'House', 'Who', 'Yang', 'Shepherd'])}",
                    "notes": "follow up in six months" if i % 10 == 0 else "",
                    "status": status.value,
                    "status_color": status.colour,
                    "created_at": now,
                    "version_id": 1,
                }
            )
            if len(batch) == 5000:
                conn.execute(sa.insert(MedicalRecord), batch)
                batch.clear()
        if batch:
            conn.execute(sa.insert(MedicalRecord), batch)
        if analyze:
            conn.exec_driver_sql("ANALYZE")


def timed(call, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


FIRST_PAGE, FETCH_SIZE = 200, 1000


def scroll_to_end(services: Services, token: str, query: RecordQuery, keyset: bool) -> int:
    """Fetch every page as the table model does; returns the rows seen (checked by the caller)."""
    page = services.records.list(token, replace(query, limit=FIRST_PAGE))
    seen = len(page.rows)
    cursor = getattr(page, "next_cursor", None)
    while seen < page.total:
        if keyset:
            page = services.records.list(token, replace(query, after=cursor, limit=FETCH_SIZE))
            cursor = page.next_cursor
        else:
            page = services.records.list(token, replace(query, offset=seen, limit=FETCH_SIZE))
        if not page.rows:
            break
        seen += len(page.rows)
    return seen


def run(url: str, rows: int, index: str | None, analyze: bool = True) -> list[tuple[str, float]]:
    upgrade(url)
    services = Services.create(url, Settings(database_url=url), bcrypt_rounds=4)
    services.auth.create_first_admin("admin@clinic.example", "Admin", PASSWORD)
    admin = services.auth.sign_in("admin@clinic.example", PASSWORD)
    services.users.create_user(
        admin.token, "bench@clinic.example", "Bench", "given-" + PASSWORD, Role.PATIENT
    )
    session = services.auth.sign_in(
        "bench@clinic.example", "given-" + PASSWORD
    )  # a patient reading their chart
    services.auth.set_required_password(session.token, PASSWORD)  # the one an admin set must change first
    fill(services, session.token, session.user.id, rows, analyze)
    if index:
        with services.database.engine.begin() as conn:
            conn.exec_driver_sql(index)
            if analyze:
                conn.exec_driver_sql("ANALYZE")
    t = session.token
    cases = [
        ("count (no filter)", lambda: services.records.count(t)),
        ("page 1, date desc", lambda: services.records.list(t, RecordQuery(limit=200))),
        ("page at 50k, date desc", lambda: services.records.list(t, RecordQuery(offset=50_000, limit=200))),
        ("last page, date desc", lambda: services.records.list(t, RecordQuery(offset=rows - 200, limit=200))),
        ("page 1, type asc", lambda: services.records.list(t, RecordQuery(sort="type", descending=False))),
        ("page 1, status=critical", lambda: services.records.list(t, RecordQuery(status="critical"))),
        ("page 1, text 'grey'", lambda: services.records.list(t, RecordQuery(text="grey"))),
        (
            "page 1, one year",
            lambda: services.records.list(
                t, RecordQuery(date_from=dt.date(2010, 1, 1), date_to=dt.date(2010, 12, 31))
            ),
        ),
    ]
    results = [(name, timed(call)) for name, call in cases]
    modes = [False, True] if hasattr(RecordQuery(), "after") else [False]
    for label, query in (
        ("date desc", RecordQuery()),
        ("type asc", RecordQuery(sort="type", descending=False)),
        ("status=critical", RecordQuery(status="critical")),
    ):
        for keyset in modes:
            expected = services.records.count(t, query)
            t0 = time.perf_counter()
            seen = scroll_to_end(services, t, query, keyset)
            ms = (time.perf_counter() - t0) * 1000
            assert seen == expected, (label, keyset, seen, expected)
            results.append((f"scroll to end, {label}, {'keyset' if keyset else 'offset'}", ms))
    services.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CLINICDESK_TEST_POSTGRES_URL"),
        help="URL of an EMPTY PostgreSQL database to fill (default: skip PostgreSQL)",
    )
    parser.add_argument("--index", help="extra CREATE INDEX statement to try")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip ANALYZE after filling (the app never runs it: SQLite plans without statistics)",
    )
    args = parser.parse_args()
    os.environ.setdefault("CLINICDESK_DATA_DIR", tempfile.mkdtemp())
    table: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, ms in run(
            f"sqlite:///{Path(folder) / 'bench.db'}", args.rows, args.index, not args.no_analyze
        ):
            table.setdefault(name, {})["SQLite"] = ms
    if args.postgres:
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        db = f"cd_bench_{os.getpid()}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
        url = sa.engine.make_url(args.postgres).set(database=db).render_as_string(hide_password=False)
        try:
            for name, ms in run(url, args.rows, args.index, not args.no_analyze):
                table.setdefault(name, {})["PostgreSQL"] = ms
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            admin.dispose()
    engines = sorted({e for row in table.values() for e in row}, reverse=True)
    print(f"records.list / count over {args.rows:,} rows of one user (median ms; page = count + 200 rows)")
    print(f"{'operation':<40}" + "".join(f"{e:>12}" for e in engines))
    for name, row in table.items():
        print(f"{name:<40}" + "".join(f"{row.get(e, float('nan')):>12.1f}" for e in engines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
