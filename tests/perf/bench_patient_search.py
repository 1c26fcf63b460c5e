"""Benchmark: the patient list's search as you type on 100,000 patients (SQLite). Prints a table; not
a test.

    python -m tests.perf.bench_patient_search [--patients 100000] [--postgres URL]

Every prefix of each typed text is one call of ``Services.patients.search`` (what the list does
after each keystroke's pause), through the whole service stack: session check, policy, SQL, DTOs.
The target is p95 < 50 ms per keystroke. The reference row, measured in the same run, is
``patients.get`` of one patient by id (the cheapest call through the same stack), so a slow machine
shows up in both rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from desktop.db.migrate import upgrade
from desktop.db.models import User
from desktop.domain.enums import Role, Sex
from desktop.domain.patients import format_mrn, full_name, phone_key, sort_key
from desktop.services.container import Services
from desktop.settings import Settings

PASSWORD = "benchmark password"
TARGET_MS = 50.0
GIVEN = ["María", "José", "Ana", "Luis", "Mohammed", "Fatima", "John", "Mary", "Chen", "Wei", "Olga", "Ivan",
         "Sofía", "Lucas", "Emma", "Noah", "Amara", "Kofi", "Aiko", "Hiro", "Zoë", "Chloé", "Jürgen", "Ingrid"]  # fmt: skip
FAMILY = ["García", "López", "Martínez", "Smith", "Jones", "Müller", "Schmidt", "Rossi", "Bianchi", "Dubois",
          "Nguyen", "Kim", "Park", "Singh", "Patel", "Khan", "Ivanov", "Novak", "Kowalski", "Silva",
          "O'Brien", "Murphy", "Hansen", "Johansson", "Cohen", "Levi", "Mensah", "Okafor", "Tanaka", "Sato"]  # fmt: skip


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
    with services.database.engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(sa.insert(User), rows[start : start + 5000])
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql('ANALYZE "user"')
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


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL instead of a temporary SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        services = Services.create(url, Settings(database_url=url), bcrypt_rounds=4)
        try:
            services.users.create_account_from_console("doc@clinic.example", "Doc", PASSWORD, Role.CLINICIAN)
            token = services.auth.sign_in("doc@clinic.example", PASSWORD).token
            t0 = time.perf_counter()
            probe_id, texts = fill(services, args.patients)
            print(
                f"{args.patients:,} patients written in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})\n"
            )
            services.patients.search(token, "warm up")
            results: list[tuple[str, list[float]]] = []
            everything: list[float] = []
            for label, text in [("empty box (recent)", ""), *list(texts.items())]:
                prefixes = [text[:n] for n in range(1, len(text) + 1)] or [""]
                samples = []
                for _round in range(3):
                    for prefix in prefixes:
                        start = time.perf_counter()
                        services.patients.search(token, prefix)
                        samples.append((time.perf_counter() - start) * 1000)
                results.append((f"{label} ({text!r})" if text else label, samples))
                everything.extend(samples)
            reference = []
            for _ in range(50):
                start = time.perf_counter()
                services.patients.get(token, probe_id)
                reference.append((time.perf_counter() - start) * 1000)
        finally:
            services.close()
    print(f"{'search per keystroke':<44} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, samples in results:
        print(f"{label:<44} {len(samples):>6} {statistics.median(samples):>8.1f} "
              f"{percentile(samples, 0.95):>8.1f} {max(samples):>8.1f}")  # fmt: skip
    p95 = percentile(everything, 0.95)
    print(f"{'ALL KEYSTROKES':<44} {len(everything):>6} {statistics.median(everything):>8.1f} {p95:>8.1f} "
          f"{max(everything):>8.1f}")  # fmt: skip
    print(f"{'reference: patients.get by id (same stack)':<44} {len(reference):>6} "
          f"{statistics.median(reference):>8.1f} {percentile(reference, 0.95):>8.1f} {max(reference):>8.1f}")  # fmt: skip
    verdict = "meets" if p95 < TARGET_MS else "MISSES"
    print(f"\ntarget: p95 < {TARGET_MS:.0f} ms per keystroke -> {p95:.1f} ms, {verdict} the target")
    return 0 if p95 < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
