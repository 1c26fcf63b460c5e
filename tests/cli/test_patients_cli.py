"""`clinicdesk users create --role ...` and `clinicdesk patients import FILE.csv` in a real subprocess,
against a real SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.domain.enums import Role, Sex
from desktop.services.container import Services
from desktop.settings import Settings
from tests.cli.test_users_cli import clinicdesk

PASSWORD = "a long enough secret"


def _services(url: str) -> Services:
    return Services.create(url, Settings(database_url=url), bcrypt_rounds=4)


def test_users_create_with_each_role(sqlite_url: str) -> None:
    for role in ("admin", "clinician", "reception", "patient"):
        done = clinicdesk(
            "users", "create", "--role", role, "--email", f"{role}@clinic.example", "--name", role.title(),
            "--password-stdin", "--database-url", sqlite_url, stdin=f"{PASSWORD}\n",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    services = _services(sqlite_url)
    try:
        for role in Role:
            assert services.auth.sign_in(f"{role.value}@clinic.example", PASSWORD).user.role is role
    finally:
        services.close()
    refused = clinicdesk("users", "create", "--role", "user", "--email", "x@y.org", "--name", "X",
                         "--database-url", sqlite_url)  # fmt: skip
    assert refused.returncode == 2 and "invalid choice" in refused.stderr


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _clinician_token(services: Services) -> str:
    services.users.create_account_from_console("doc@clinic.example", "Doc", PASSWORD, Role.CLINICIAN)
    return services.auth.sign_in("doc@clinic.example", PASSWORD).token


def test_import_writes_nothing_when_a_line_is_bad(sqlite_url: str, tmp_path: Path) -> None:
    csv_file = _write(
        tmp_path / "patients.csv",
        "name,date_of_birth,sex,mrn,phone,email,ward\n"
        '"GARCÍA, María",14/07/1945,F,000123,600 123 456,,A\n'
        "Bad Date,1945-13-40,male,,,,B\n"
        ",1950-01-01,female,,,,C\n"
        "Twice,1950-01-01,female,000123,,,D\n",
    )
    done = clinicdesk("patients", "import", str(csv_file), "--database-url", sqlite_url)
    assert done.returncode == 1
    assert "Ignored columns: ward" in done.stdout
    assert "line 3: Date of birth" in done.stdout and "line 4: Given names is required" in done.stdout
    assert "line 5: MRN 000123 is also on line 2" in done.stdout
    assert "Nothing was imported" in done.stderr
    services = _services(sqlite_url)
    try:
        assert services.patients.search(_clinician_token(services), "garcia") == ()
    finally:
        services.close()


def test_import_then_rerun_updates_by_mrn(sqlite_url: str, tmp_path: Path) -> None:
    header = "name,date_of_birth,sex,mrn,phone,email\n"
    first = _write(
        tmp_path / "a.csv",
        header + '"GARCÍA, María",14/07/1945,F,000123,600 123 456,\nAnn Lee,1950-02-03,,,,\n',
    )
    done = clinicdesk("patients", "import", str(first), "--database-url", sqlite_url)
    assert done.returncode == 0, done.stderr
    assert "2 new patient(s), updated 0" in done.stdout
    again = _write(
        tmp_path / "b.csv",
        header + '"GARCÍA, María",14/07/1945,female,000123,611 000 000,\nAnn Lee,1950-02-03,,,,\n',
    )
    done = clinicdesk("patients", "import", str(again), "--database-url", sqlite_url)
    assert done.returncode == 0, done.stderr
    assert "0 new patient(s), updated 2" in done.stdout
    services = _services(sqlite_url)
    try:
        token = _clinician_token(services)
        [maria] = services.patients.search(token, "maria garcia")
        assert maria.mrn == "000123" and maria.phone == "611 000 000" and maria.sex is Sex.FEMALE
        assert maria.family_name == "GARCÍA" and maria.date_of_birth == dt.date(1945, 7, 14)
        assert len(services.patients.search(token, "ann lee")) == 1
    finally:
        services.close()
