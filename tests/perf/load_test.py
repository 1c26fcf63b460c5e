"""Load test: N simulated desktops on one database, then a consistency check. Prints tables.

    python -m tests.perf.load_test          # PostgreSQL and MariaDB N=1,4,16, SQLite N=1,4, 10 s each
    python -m tests.perf.load_test --backends postgresql --clients 16 --seconds 20 --think-ms 0-0

Each desktop is a separate process (multiprocessing, spawn) with its own ``Services`` over the real
database, exactly as the app builds them. It signs in as its own account and, until the time is up,
does a mix of what a clinician does: list/page records (30 %), add a record (15 %), edit a record
(15 %: "open_record", the form stays open for a think time, then "save_edit" with the version it read),
list family history (10 %), make and save a prediction (10 %), list saved predictions (10 %) and read a
record's history (10 %), with a random "think time" between operations (default 50-250 ms, several times
faster than a person: ``--think-ms 0-0`` for a stress run). With ``--desks-per-account 2`` two desktops
share each account and edit the same records, so some saves meet "changed by someone else"
(ConflictError): those are counted as explained, and the check below proves no save was lost.
All desktops start together (a barrier after sign-in). Every operation is timed; every exception is
counted by operation and kind.

Afterwards the parent process checks the database directly:
* every acknowledged new record / prediction is present exactly once, with its owner and marker;
* no row exists that was not acknowledged (a write reported as failed but committed);
* no two acknowledged saves of one record produced the same version (that would be a lost update), and
  each edited row is at its last acknowledged save (version counter and value);
* the audit log has exactly one "create" per new record and one "update" per acknowledged save;
* no desktop ever saw another account's row (checked on every list) and no row has the wrong owner;
* no foreign key points at a missing row (all backends), ``PRAGMA integrity_check`` (SQLite);
* one active session per desktop (per account: as many as desks signed in to it).

At the end one table puts the engines side by side: p95 per operation kind for each engine and N.

"cpu ms" is the desktop process's own CPU time per operation (mean): the part that does not depend
on how busy the machine is. Accounts are created with bcrypt cost 4 (``Services.create(bcrypt_rounds=4)``): sign-in cost is not
what this measures. When the prediction model is not installed (desktop.services.predictor_provider
missing), "predict" is reported as unavailable and "save_prediction" stores a fixed result instead.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # also runnable as `python tests/perf/load_test.py`
    sys.path.insert(0, str(ROOT))

PASSWORD = "load-test-password"
ROUNDS = 4
SEED_RECORDS = 30
MIX = (
    ("list_records", 30),
    ("add_record", 15),
    ("edit_record", 15),
    ("list_family", 10),
    ("predict_and_save", 10),
    ("list_predictions", 10),
    ("record_history", 10),
)
SORTS = ("date", "type", "status", "created_at")
BENIGN = (
    12.1,
    17.9,
    78.1,
    463.0,
    0.0925,
    0.080,
    0.046,
    0.0257,
    0.174,
    0.0629,
    0.284,
    1.22,
    2.0,
    21.1,
    0.0072,
    0.0214,
    0.026,
    0.0099,
    0.0206,
    0.0036,
    13.4,
    23.5,
    87.0,
    558.0,
    0.125,
    0.183,
    0.166,
    0.0744,
    0.270,
    0.0794,
)


@dataclass
class Report:
    """What one desktop sends back to the parent."""

    index: int
    account: int = 0
    user_id: str = ""
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # this process's CPU
    errors: Counter = field(default_factory=Counter)
    conflicts: int = 0  # ConflictError: another desk of the same account saved first (expected)
    created: dict[int, str] = field(default_factory=dict)  # record id -> marker
    edits: list[tuple[int, int, int, str]] = field(default_factory=list)  # (id, version read, saved, result)
    predictions: list[int] = field(default_factory=list)
    foreign_rows_seen: int = 0
    predict_unavailable: bool = False
    fatal: str = ""


def _features(rng: random.Random) -> dict[str, float]:
    from desktop.domain.features import FEATURE_NAMES

    return {name: value * rng.uniform(0.9, 1.1) for name, value in zip(FEATURE_NAMES, BENIGN, strict=True)}


def desktop(
    index: int,
    account: int,
    url: str,
    email: str,
    seconds: float,
    think: tuple[float, float],
    barrier: Any,
    queue: Any,
) -> None:
    """One simulated desktop (runs in its own process)."""
    from desktop.domain.dto import FamilyQuery, PredictionQuery, RecordDraft, RecordQuery
    from desktop.domain.errors import ConflictError, ModelError
    from desktop.services.container import Services
    from desktop.settings import Settings

    report = Report(index, account)
    rng = random.Random(index)
    account_prefix = f"a{account}-"
    marker_prefix = f"{account_prefix}w{index}-"

    def timed(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call ``fn``; on success record its wall time and this process's CPU time under ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn(*args, **kwargs)
        report.latencies[name].append(time.perf_counter() - wall)
        report.cpu[name].append(time.process_time() - cpu)
        return value

    try:
        services = Services.create(url, Settings(database_url=url), bcrypt_rounds=ROUNDS)
        session = timed("sign_in", services.auth.sign_in, email, PASSWORD)
        token = session.token
        report.user_id = session.user.id
        own: list[int] = []
        for n in range(SEED_RECORDS):
            dto = services.records.create(
                token,
                RecordDraft(
                    date=f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                    type=f"Seed {n}",
                    notes=f"{marker_prefix}seed{n}",
                ),
            )
            own.append(dto.id)
            report.created[dto.id] = f"{marker_prefix}seed{n}"
        # Load the model before the clock starts, as the app does off the GUI thread at first use.
        try:
            timed("model_first_load", services.predictions.make_prediction, token, _features(rng))
        except ModelError:
            report.predict_unavailable = True
    except Exception as error:  # reported, and the barrier still released so the others run
        report.fatal = f"{type(error).__name__}: {error}"
        barrier.wait()
        queue.put(report)
        return
    barrier.wait()
    # The account's three oldest records: the ones every desk of a shared account keeps working on.
    try:
        oldest = services.records.list(token, RecordQuery(sort="created_at", descending=False, limit=3))
        hot = [r.id for r in oldest.rows]
    except Exception as error:
        report.errors[("list_records", f"{type(error).__name__}: {error}"[:80])] += 1
        hot = own[:3]
    weights = [w for _, w in MIX]
    names = [n for n, _ in MIX]
    deadline = time.perf_counter() + seconds
    seq = 0
    while time.perf_counter() < deadline:
        op = rng.choices(names, weights)[0]
        seq += 1
        try:
            if op == "list_records":
                query = RecordQuery(
                    offset=rng.choice((0, 0, 50)),
                    limit=50,
                    sort=rng.choice(SORTS),
                    descending=rng.random() < 0.5,
                    text=rng.choice(("", "", "seed")),
                )
                page = timed(op, services.records.list, token, query)
                report.foreign_rows_seen += sum(
                    1 for r in page.rows if not r.notes.startswith(account_prefix)
                )
                own.extend(r.id for r in page.rows[:5])  # rows the other desks of this account made, too
                del own[:-400]
            elif op == "add_record":
                marker = f"{marker_prefix}{seq}"
                draft = RecordDraft(
                    date="2026-03-01",
                    type=f"Visit {seq}",
                    result="pending",
                    doctor="Dr Load",
                    notes=marker,
                    status="pending",
                )
                dto = timed(op, services.records.create, token, draft)
                report.created[dto.id] = marker
                own.append(dto.id)
            elif op == "edit_record":
                record_id = rng.choice(hot if rng.random() < 0.5 else own)
                current = timed("open_record", services.records.get, token, record_id)
                time.sleep(rng.uniform(*think))  # the form is open while the person types
                result = f"r{index}.{seq}"
                draft = RecordDraft(
                    date=current.date,
                    type=current.type,
                    result=result,
                    doctor=current.doctor,
                    notes=current.notes,
                    status=rng.choice(("normal", "abnormal", "follow-up")),
                )
                op = "save_edit"
                new = timed(
                    op, services.records.update, token, record_id, draft, expected_version=current.version
                )
                report.edits.append((record_id, current.version, new.version, result))
            elif op == "list_family":
                timed(op, services.family.list, token, FamilyQuery(limit=50))
            elif op == "predict_and_save":
                features = _features(rng)
                if not report.predict_unavailable:  # without the model nothing can be saved
                    op = "predict"
                    timed(op, services.predictions.make_prediction, token, features)
                    op = "save_prediction"  # the service runs the model again on what it stores
                    saved = timed(
                        op,
                        services.predictions.save,
                        token,
                        features,
                        notes=f"{marker_prefix}{seq}",
                        confirm_out_of_range=True,  # jittered cases may leave the training range
                    )
                    report.predictions.append(saved.id)
            elif op == "list_predictions":
                page = timed(op, services.predictions.list, token, PredictionQuery(limit=50))
                report.foreign_rows_seen += sum(
                    1 for p in page.rows if not p.notes.startswith(account_prefix)
                )
            elif op == "record_history":
                timed(op, services.records.history, token, rng.choice(own))
        except ConflictError:
            report.conflicts += 1
        except Exception as error:
            text = str(getattr(error, "message", error)).splitlines()[0][:70]
            report.errors[(op, f"{type(error).__name__}: {text}")] += 1
        low, high = think
        if high > 0:
            time.sleep(rng.uniform(low, high))
    services.close()
    report.latencies = dict(report.latencies)
    report.cpu = dict(report.cpu)
    queue.put(report)


# --------------------------------------------------------------------------- set-up


def fresh_database(backend: str, bases: dict[str, str | None], folder: Path) -> tuple[str, Any]:
    """A new empty database URL and a function dropping it."""
    import sqlalchemy as sa

    if backend == "sqlite":
        path = folder / f"load-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    if backend == "mariadb":
        return fresh_mariadb_database(bases.get("mariadb"))
    postgres_base = bases.get("postgresql")
    if not postgres_base:
        raise SystemExit("PostgreSQL: set CLINICDESK_TEST_POSTGRES_URL or pass --postgres-url")
    name = f"cd_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()

    return sa.engine.make_url(postgres_base).set(database=name).render_as_string(hide_password=False), drop


def create_accounts(url: str, n: int) -> list[str]:
    from desktop.db.migrate import upgrade
    from desktop.services.container import Services
    from desktop.settings import Settings

    upgrade(url)
    services = Services.create(url, Settings(database_url=url), bcrypt_rounds=ROUNDS)
    services.auth.create_first_admin("admin@load.example", "Load Admin", PASSWORD)
    admin = services.auth.sign_in("admin@load.example", PASSWORD)
    emails = [f"desk{i}@load.example" for i in range(n)]
    for i, email in enumerate(emails):
        # An account an administrator made must choose its own password before anything else.
        services.users.create_user(admin.token, email, f"Desk {i}", "given-" + PASSWORD)
        first = services.auth.sign_in(email, "given-" + PASSWORD)
        services.auth.set_required_password(first.token, PASSWORD)
        services.auth.sign_out(first.token)
    services.auth.sign_out(admin.token)
    services.close()
    return emails


# --------------------------------------------------------------------------- consistency


def fresh_mariadb_database(base: str | None) -> tuple[str, Any]:
    import sqlalchemy as sa

    if not base:
        raise SystemExit("MariaDB: set CLINICDESK_TEST_MARIADB_URL or pass --mariadb-url")
    name = f"cd_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}`")

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()

    return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False), drop


def check_consistency(url: str, reports: list[Report]) -> list[tuple[str, int]]:
    """(check, number of problems) for each check listed in the module docstring."""
    import sqlalchemy as sa

    from desktop.db import models as m
    from desktop.db.base import Base
    from desktop.db.engine import is_sqlite, make_engine

    engine = make_engine(url)
    problems: Counter = Counter()
    owner_of = {r.account: r.user_id for r in reports}
    with engine.connect() as conn:
        records = conn.execute(
            sa.select(
                m.MedicalRecord.id,
                m.MedicalRecord.user_id,
                m.MedicalRecord.notes,
                m.MedicalRecord.result,
                m.MedicalRecord.version_id,
            )
        ).all()
        by_id = {r.id: r for r in records}
        marker_counts = Counter(r.notes for r in records)
        acked_markers = set()
        for report in reports:
            for record_id, marker in report.created.items():
                acked_markers.add(marker)
                row = by_id.get(record_id)
                if row is None:
                    problems["lost record writes"] += 1
                elif row.notes != marker or row.user_id != report.user_id:
                    problems["record with wrong content or owner"] += 1
                if marker_counts[marker] != 1:
                    problems["duplicated record writes"] += int(marker_counts[marker] > 1)
        edits: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for report in reports:
            for record_id, read, saved, result in report.edits:
                edits[record_id].append((saved, result))
                # A save acknowledged over a version it never saw overwrote someone's change unseen.
                problems["lost updates (a save acknowledged over a version it did not read)"] += (
                    saved != read + 1
                )
        for record_id, acked in edits.items():
            versions = [version for version, _ in acked]
            problems["lost updates (two saves acknowledged at one version)"] += len(versions) - len(
                set(versions)
            )
            last_version, last_result = max(acked)
            row = by_id.get(record_id)
            if row is None or row.version_id != last_version or row.result != last_result:
                problems["row not at its last acknowledged edit"] += 1
        for row in records:
            if row.notes not in acked_markers:
                problems["unacknowledged rows present"] += 1
            account = row.notes.split("-", 1)[0][1:]
            if account.isdigit() and owner_of.get(int(account)) not in (None, row.user_id):
                problems["row owned by the wrong account"] += 1

        predictions = dict(
            conn.execute(sa.select(m.BreastCancerPrediction.id, m.BreastCancerPrediction.user_id)).all()
        )
        acked_predictions = 0
        for report in reports:
            acked_predictions += len(report.predictions)
            for pid in report.predictions:
                if predictions.get(pid) != report.user_id:
                    problems["lost or misowned predictions"] += 1
        problems["unacknowledged predictions present"] += max(0, len(predictions) - acked_predictions)

        audit = Counter(
            (a.action, a.entity_id)
            for a in conn.execute(
                sa.select(m.AuditLog.action, m.AuditLog.entity_id).where(m.AuditLog.entity == "medicalrecord")
            )
        )
        for report in reports:
            for record_id in report.created:
                if audit[("create", str(record_id))] != 1:
                    problems["audit: not exactly one 'create' per new record"] += 1
        for record_id, acked in edits.items():
            if audit[("update", str(record_id))] != len(acked):
                problems["audit: 'update' rows differ from acknowledged edits"] += 1

        problems["rows of another account seen by a desktop"] += sum(r.foreign_rows_seen for r in reports)
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                parent = fk.column.table
                orphans = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(table.outerjoin(parent, fk.parent == fk.column))
                    .where(fk.parent.is_not(None), fk.column.is_(None))
                ).scalar_one()
                problems["foreign keys pointing at missing rows"] += orphans
        if is_sqlite(url):
            problems["sqlite foreign_key_check rows"] += len(
                conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            )
            problems["sqlite integrity_check problems"] += int(
                conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() != "ok"
            )
        sessions = Counter(
            row[0] for row in conn.execute(sa.select(m.Session.user_id).where(m.Session.is_active.is_(True)))
        )
        desks = Counter(report.user_id for report in reports if report.user_id)
        for user_id, count in desks.items():
            if sessions[user_id] != count:
                problems["accounts whose active sessions differ from their desks"] += 1
    engine.dispose()
    checks = [
        "lost record writes",
        "duplicated record writes",
        "record with wrong content or owner",
        "unacknowledged rows present",
        "lost updates (a save acknowledged over a version it did not read)",
        "lost updates (two saves acknowledged at one version)",
        "row not at its last acknowledged edit",
        "lost or misowned predictions",
        "unacknowledged predictions present",
        "audit: not exactly one 'create' per new record",
        "audit: 'update' rows differ from acknowledged edits",
        "rows of another account seen by a desktop",
        "row owned by the wrong account",
        "foreign keys pointing at missing rows",
        "accounts whose active sessions differ from their desks",
    ]
    if is_sqlite(url):
        checks += ["sqlite foreign_key_check rows", "sqlite integrity_check problems"]
    return [(name, int(problems[name])) for name in checks]


# --------------------------------------------------------------------------- running and printing


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_one(
    backend: str,
    n: int,
    seconds: float,
    think: tuple[float, float],
    bases: dict[str, str | None],
    folder: Path,
    per_account: int = 1,
) -> dict[str, Any]:
    url, drop = fresh_database(backend, bases, folder)
    try:
        emails = create_accounts(url, (n + per_account - 1) // per_account)
        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(n)
        queue = ctx.Queue()
        procs = [
            ctx.Process(
                target=desktop,
                args=(i, i // per_account, url, emails[i // per_account], seconds, think, barrier, queue),
            )
            for i in range(n)
        ]
        for proc in procs:
            proc.start()
        reports = [queue.get(timeout=seconds + 300) for _ in procs]
        for proc in procs:
            proc.join(timeout=60)
        reports.sort(key=lambda r: r.index)
        consistency = check_consistency(url, reports)
    finally:
        drop()
    return {
        "backend": backend,
        "n": n,
        "seconds": seconds,
        "reports": reports,
        "consistency": consistency,
        "per_account": per_account,
    }


def print_result(result: dict[str, Any]) -> bool:
    reports: list[Report] = result["reports"]
    latencies: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    for report in reports:
        for op, values in report.latencies.items():
            latencies[op].extend(values)
        for op, values in report.cpu.items():
            cpu[op].extend(values)
        errors.update(report.errors)
    seconds = result["seconds"]
    untimed = ("sign_in", "model_first_load")  # once per desktop, before the clock starts
    timed_ops = sum(len(v) for op, v in latencies.items() if op not in untimed)
    shared = f", {result['per_account']} desks per account" if result["per_account"] > 1 else ""
    print(f"\n== {result['backend']}  N={result['n']} desktops{shared}  {seconds:.0f} s ==")
    print(f"{'operation':<18}{'count':>8}{'ops/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'cpu ms':>9}")
    all_lat: list[float] = []
    for op in sorted(latencies):
        values = latencies[op]
        if op not in untimed:
            all_lat.extend(values)
        rate = len(values) / seconds if op not in untimed else float("nan")
        mean_cpu = sum(cpu[op]) / len(cpu[op]) if cpu[op] else float("nan")
        print(
            f"{op:<18}{len(values):>8}{rate:>9.1f}{percentile(values, 0.5) * 1e3:>9.1f}"
            f"{percentile(values, 0.95) * 1e3:>9.1f}{max(values) * 1e3:>9.1f}{mean_cpu * 1e3:>9.1f}"
        )
    if all_lat:
        print(
            f"{'ALL timed ops':<18}{timed_ops:>8}{timed_ops / seconds:>9.1f}"
            f"{percentile(all_lat, 0.5) * 1e3:>9.1f}{percentile(all_lat, 0.95) * 1e3:>9.1f}{max(all_lat) * 1e3:>9.1f}"
        )
    fatal = [r for r in reports if r.fatal]
    for report in fatal:
        print(f"  desktop {report.index} could not start: {report.fatal}")
    if any(r.predict_unavailable for r in reports):
        print("  note: prediction model not installed; no prediction was made or saved")
    conflicts = sum(r.conflicts for r in reports)
    if conflicts or result["per_account"] > 1:
        print(
            f"explained: {conflicts} saves refused with 'changed by someone else' (another desk of the "
            "same account saved first)"
        )
    print("unexplained errors:" + ("" if errors else " none"))
    for (op, kind), count in errors.most_common():
        print(f"  {count:>6}  {op:<18} {kind}")
    print("consistency:")
    clean = True
    for name, count in result["consistency"]:
        clean &= count == 0
        print(f"  {'ok ' if count == 0 else 'BAD'} {name}: {count}")
    return clean and not errors and not fatal


def print_side_by_side(results: list[dict[str, Any]]) -> None:
    """p95 (ms) of every operation kind, one column per engine and desktop count; last row: problems."""
    if not results:
        return
    untimed = ("sign_in", "model_first_load")
    columns = [(r["backend"], r["n"]) for r in results]
    p95: dict[str, dict[tuple[str, int], float]] = defaultdict(dict)
    for result in results:
        merged: dict[str, list[float]] = defaultdict(list)
        for report in result["reports"]:
            for op, values in report.latencies.items():
                merged[op].extend(values)
        for op, values in merged.items():
            if op not in untimed and values:
                p95[op][(result["backend"], result["n"])] = percentile(values, 0.95) * 1e3
    width = max(len(f"{b} N={n}") for b, n in columns) + 2
    print("\n== p95 ms per operation, engines side by side ==")
    print(f"{'operation':<18}" + "".join(f"{f'{b} N={n}':>{width}}" for b, n in columns))
    for op in sorted(p95):
        cells = (p95[op].get(col) for col in columns)
        print(
            f"{op:<18}" + "".join(f"{c:>{width}.1f}" if c is not None else f"{'-':>{width}}" for c in cells)
        )
    bad = [sum(count for _, count in r["consistency"]) for r in results]
    print(f"{'consistency probs':<18}" + "".join(f"{b:>{width}}" for b in bad))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="postgresql,mariadb,sqlite")
    parser.add_argument("--clients", default="1,4,16", help="desktop counts (SQLite runs only N <= 4)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--think-ms", default="50-250", help="random pause between operations, LOW-HIGH ms")
    parser.add_argument("--postgres-url", default=os.environ.get("CLINICDESK_TEST_POSTGRES_URL"))
    parser.add_argument("--mariadb-url", default=os.environ.get("CLINICDESK_TEST_MARIADB_URL"))
    parser.add_argument(
        "--desks-per-account",
        type=int,
        default=1,
        help="desktops signed in to the same account (2+ makes concurrent edits of one record)",
    )
    args = parser.parse_args(argv)
    low, high = (float(x) / 1000 for x in args.think_ms.split("-"))
    os.environ.setdefault("CLINICDESK_DATA_DIR", tempfile.mkdtemp(prefix="cd-load-data-"))
    print(
        f"ClinicDesk load test: {os.cpu_count()} CPUs, think time {args.think_ms} ms, {args.seconds:.0f} s per run"
    )
    ok = True
    bases = {"postgresql": args.postgres_url, "mariadb": args.mariadb_url}
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cd-load-") as tmp:
        for backend in args.backends.split(","):
            for n in (int(x) for x in args.clients.split(",")):
                if backend == "sqlite" and n > 4:
                    continue
                result = run_one(
                    backend,
                    n,
                    args.seconds,
                    (low, high),
                    bases,
                    Path(tmp),
                    args.desks_per_account,
                )
                ok &= print_result(result)
                results.append(result)
    print_side_by_side(results)
    print("\nRESULT:", "clean (no errors, no lost or duplicated writes)" if ok else "PROBLEMS (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
