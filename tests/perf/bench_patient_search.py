"""Benchmark: the patient list's search as you type, and opening a chart, on 100,000 patients. Prints a
table per database (SQLite; PostgreSQL too when CLINICDESK_TEST_POSTGRES_URL is set, in a throwaway
database dropped afterwards); not a test.

    python -m tests.perf.bench_patient_search [--patients 100000] [--no-postgres]

A keystroke costs the page what ``PatientsModel.read`` does after the typing pause: the ids of every
matching patient (``patients.search_ids``) and the rows of the first batch (``patients.rows``), through
the whole service stack (session check, policy, SQL, DTOs). Every prefix of each typed text is one
keystroke; the empty box is the list this clinician sees first (20 charts opened before). The target,
from the clinic's issue: p95 < 50 ms per keystroke.

"opening a chart" is what the window does when a patient is chosen: the banner (``open_chart``, which
writes the access log) and the first load of the chart's records page (``records.ids`` and the rows
of its first batch) for a patient with 30 records. Its target is the tables' "open < 100 ms".

The reference, measured in the same run so a slow or busy machine shows in it too: ``patients.get``
of one patient by id, the cheapest call through the same stack.
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
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from desktop.db.migrate import upgrade
from desktop.db.models import PatientSearchToken, User
from desktop.domain.dto import RecordDraft
from desktop.domain.enums import Role, Sex
from desktop.domain.patients import format_mrn, full_name, phone_key, search_tokens, sort_key
from desktop.services.container import Services
from desktop.settings import Settings
from desktop.ui.tablemodels.patients_model import PatientsModel

POSTGRES_URL_ENV = "CLINICDESK_TEST_POSTGRES_URL"
PASSWORD = "benchmark password"
TARGET_MS = 50.0
CHART_TARGET_MS = 100.0
OPENED_BEFORE = 20
RECORDS_PER_CHART = 30
GIVEN = ["María", "José", "Ana", "Luis", "Mohammed", "Fatima", "John", "Mary", "Chen", "Wei", "Olga", "Ivan",
         "Sofía", "Lucas", "Emma", "Noah", "Amara", "Kofi", "Aiko", "Hiro", "Zoë", "Chloé", "Jürgen", "Ingrid"]  # fmt: skip
FAMILY = ["García", "López", "Martínez", "Smith", "Jones", "Müller", "Schmidt", "Rossi", "Bianchi", "Dubois",
          "Nguyen", "Kim", "Park", "Singh", "Patel", "Khan", "Ivanov", "Novak", "Kowalski", "Silva",
          "O'Brien", "Murphy", "Hansen", "Johansson", "Cohen", "Levi", "Mensah", "Okafor", "Tanaka", "Sato"]  # fmt: skip

Samples = list[float]


def fill(services: Services, count: int) -> tuple[str, dict[str, str]]:
    """``count`` patients in batches; returns one patient id and the texts to type."""
    rng = random.Random(12)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i in range(count):
        given = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}" if rng.random() < 0.3 else rng.choice(GIVEN)
        family = f"{rng.choice(FAMILY)}-{i % 997}" if rng.random() < 0.5 else rng.choice(FAMILY)
        phone = f"+34 6{rng.randrange(10**8):08d}"
        name = full_name(family, given)
        rows.append({
            "id": f"p{i:07d}", "name": name, "family_name": family, "given_names": given, "email": None,
            "password_hash": "", "role": Role.PATIENT.value, "mrn": format_mrn(i + 1), "phone": phone,
            "date_of_birth": dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000)),
            "sex": rng.choice(list(Sex)).value, "allergy_status": "not_recorded", "name_key": sort_key(name, family, given),
            "phone_key": phone_key(phone), "created_at": now - dt.timedelta(seconds=count - i), "updated_at": now,
            "is_active": True, "version_id": 1,
        })  # fmt: skip
    # Written as an import would, past the ORM: the search tokens the ORM keeps in step are added here.
    tokens = [
        {"token": token, "user_id": row["id"]}
        for row in rows
        for token in sorted(search_tokens(str(row["name_key"]), str(row["phone_key"])))
    ]
    with services.database.engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(sa.insert(User), rows[start : start + 5000])
        for start in range(0, len(tokens), 20000):
            conn.execute(sa.insert(PatientSearchToken), tokens[start : start + 20000])
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
    if services.database.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: statistics, and the visibility map that lets an
        # index-only scan skip the table (VACUUM refuses to run inside a transaction).
        with services.database.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql('VACUUM ANALYZE "user"')
    probe = rows[count // 2]
    texts = {
        "name, two words": f"{probe['given_names'].split()[0]} {probe['family_name'].split('-')[0]}",
        "family name": "martinez",
        "rare word": "zzyzx",
        "MRN": probe["mrn"],
        "date of birth": probe["date_of_birth"].strftime("%d/%m/%Y"),
        "phone": probe["phone"][4:10],
    }
    return str(probe["id"]), texts


def percentile(samples: Samples, share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


@contextmanager
def postgres_database(base: str) -> Iterator[str]:
    """A new, empty database on the server of ``base``, dropped afterwards."""
    name = f"cd_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def measure(url: str, patients: int) -> list[tuple[str, Samples, str]]:
    """(label, samples in ms, note) per row of the table."""
    upgrade(url)
    services = Services.create(url, Settings(database_url=url), bcrypt_rounds=4)
    try:
        services.users.create_account_from_console("doc@clinic.example", "Doc", PASSWORD, Role.CLINICIAN)
        token = services.auth.sign_in("doc@clinic.example", PASSWORD).token
        t0 = time.perf_counter()
        probe_id, texts = fill(services, patients)
        print(f"{patients:,} patients written in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})")
        charts = [f"p{i:07d}" for i in random.Random(3).sample(range(patients), OPENED_BEFORE)]
        for patient_id in charts:
            for n in range(RECORDS_PER_CHART):
                draft = RecordDraft(date="2024-05-01", type=f"Visit {n}", result="seen")
                services.records.create(token, draft, patient_id=patient_id)
            services.patients.open_chart(token, patient_id)
        patient_list = services.patients

        def keystroke(text: str) -> int:
            ids = patient_list.search_ids(token, text)
            patient_list.rows(token, ids[: PatientsModel.BATCH])
            return len(ids)

        keystroke("warm up")
        results: list[tuple[str, Samples, str]] = []
        for label, text in [("empty box (recent, then newest)", ""), *texts.items()]:
            prefixes = [text[:n] for n in range(1, len(text) + 1)] or [""]
            samples: Samples = []
            most = 0
            for _round in range(3):
                for prefix in prefixes:
                    start = time.perf_counter()
                    found = keystroke(prefix)
                    samples.append((time.perf_counter() - start) * 1000)
                    most = max(most, found)
            results.append((f"{label} ({text!r})" if text else label, samples, f"up to {most:,} ids"))

        def open_chart(patient_id: str) -> None:
            services.patients.open_chart(token, patient_id)
            ids = services.records.ids(token, patient_id=patient_id)
            services.records.rows(token, ids[: PatientsModel.BATCH], patient_id=patient_id)

        chart = [timed(lambda p=p: open_chart(p)) for _ in range(5) for p in charts]
        results.append(("opening a chart (banner + records page)", chart, f"{RECORDS_PER_CHART} records"))
        results.append(
            (
                "reference: patients.get by id",
                [timed(lambda: patient_list.get(token, probe_id)) for _ in range(50)],
                "",
            )
        )
        return results
    finally:
        services.close()


def report(results: list[tuple[str, Samples, str]]) -> bool:
    """Print the table; True when both targets are met."""
    print(f"{'':<46} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  note")

    def line(label: str, samples: Samples, note: str = "") -> None:
        print(f"{label:<46} {len(samples):>6} {statistics.median(samples):>8.1f} "
              f"{percentile(samples, 0.95):>8.1f} {max(samples):>8.1f}  {note}")  # fmt: skip

    keystrokes: Samples = []
    for label, samples, note in results:
        if not label.startswith(("opening", "reference")):
            keystrokes.extend(samples)
        elif label.startswith("opening"):
            line("ALL KEYSTROKES (ids + first rows)", keystrokes)
        line(label, samples, note)
    p95 = percentile(keystrokes, 0.95)
    chart = percentile(next(s for label, s, _ in results if label.startswith("opening")), 0.95)
    met = p95 < TARGET_MS and chart < CHART_TARGET_MS
    print(f"\ntarget: keystroke p95 < {TARGET_MS:.0f} ms -> {p95:.1f} ms, "
          f"{'meets' if p95 < TARGET_MS else 'MISSES'} the target")  # fmt: skip
    print(f"target: opening a chart p95 < {CHART_TARGET_MS:.0f} ms -> {chart:.1f} ms, "
          f"{'meets' if chart < CHART_TARGET_MS else 'MISSES'} the target")  # fmt: skip
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the start (1, 5, 15 min): {load}; {os.cpu_count()} CPUs\n")
    met = True
    with tempfile.TemporaryDirectory() as folder:
        met = report(measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.patients)) and met
    base = os.environ.get(POSTGRES_URL_ENV)
    if base and not args.no_postgres:
        print()
        with postgres_database(base) as url:
            met = report(measure(url, args.patients)) and met
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average at the end (1, 5, 15 min): {load}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
