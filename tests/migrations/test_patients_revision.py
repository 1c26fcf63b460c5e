"""Revision e4b7a2c9d5f1 (patients, roles, access log): the web version's users become patients who
keep their passwords and see only their own data; a downgrade keeps aside what the older schema
cannot hold and the next upgrade restores it (SQLite, PostgreSQL and MariaDB)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from desktop.db import migrate
from desktop.db.engine import make_engine
from desktop.domain.enums import AllergyStatus, Role, Sex
from desktop.domain.errors import NotFoundError
from desktop.domain.patient_dto import PatientDraft
from desktop.services.container import Services
from desktop.settings import Settings
from tests.fixtures.web_database import ALICE, BOB, make_web_database
from tests.services.conftest import add_user, passlib_style_hash
from tests.services.test_predictions import FEATURES

REVISION = "e4b7a2c9d5f1"
PREVIOUS = "c7e5d1f0a9b3"
STASH = f"clinicdesk_stash_{REVISION}_"
WEB_PASSWORD = "old web password"


def _services(url: str) -> Services:
    return Services.create(url, Settings(database_url=url), bcrypt_rounds=4)


def _sql(url: str, statement: str, **params: object) -> list[sa.Row]:
    """Run ``statement``; ``"user"`` in it is quoted the engine's way (backticks on MariaDB)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            user = conn.dialect.identifier_preparer.quote("user")
            result = conn.execute(sa.text(statement.replace('"user"', user)), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def test_web_users_become_patients_who_keep_their_password(any_db_url: str) -> None:
    make_web_database(any_db_url, "d24a4742aa81")
    legacy = passlib_style_hash(WEB_PASSWORD, b"0123456789abcdef", 29000)
    _sql(any_db_url, 'UPDATE "user" SET password_hash = :h', h=legacy)
    migrate.upgrade(any_db_url)  # one start-up: three revisions in one go
    assert migrate.drift(any_db_url) == []

    services = _services(any_db_url)
    try:
        session = services.auth.sign_in("alice@example.org", WEB_PASSWORD)
        assert session.user.role is Role.PATIENT
        me = services.patients.get(session.token)
        assert me.id == ALICE and me.mrn in {"000001", "000002"} and me.sex is Sex.UNKNOWN
        assert services.patients.open_chart(session.token).allergies.status is AllergyStatus.RECORDED
        assert [r.type for r in services.records.list(session.token).rows] == ["Blood test", "Mammogram"]
        with pytest.raises(NotFoundError):
            services.patients.get(session.token, BOB)
    finally:
        services.close()
    mrns = sorted(r[0] for r in _sql(any_db_url, 'SELECT mrn FROM "user"'))
    assert mrns == ["000001", "000002"]


def test_downgrade_keeps_aside_and_upgrade_restores(any_db_url: str) -> None:
    migrate.upgrade(any_db_url)
    services = _services(any_db_url)
    try:
        services.auth.create_first_admin("admin@clinic.example", "Ada", "correct horse battery")
        admin = services.auth.sign_in("admin@clinic.example", "correct horse battery")
        cleo = add_user(services, admin, "cleo@clinic.example", Role.CLINICIAN)  # "correct horse battery"
        ann = services.patients.register(
            cleo.token,
            PatientDraft(
                given_names="Ann", family_name="Lee", date_of_birth="1950-02-03", sex="female", mrn="A-9"
            ),
        )
        services.patients.set_allergies(cleo.token, ann.id, "none_known")
        services.patients.open_chart(cleo.token, ann.id)
        saved = services.predictions.save(cleo.token, FEATURES, patient_id=ann.id)
        assert saved.model_sha256 and len(saved.model_sha256) == 64
    finally:
        services.close()
    _sql(
        any_db_url,
        "INSERT INTO medicalrecord (user_id, date, type, result, doctor, notes, status, status_color, created_at, "
        "version_id, created_by) VALUES (:p, '2026-01-01', 'Scan', 'ok', 'Dr C', '', 'pending', '#f59e0b', "
        ":ts, 1, :c)",
        p=ann.id, ts=dt.datetime(2026, 1, 1, 9, 0), c=cleo.user.id,
    )  # fmt: skip

    assert migrate.downgrade(any_db_url, PREVIOUS).after == PREVIOUS
    rows = {r[0]: r[1:] for r in _sql(any_db_url, 'SELECT id, email, role FROM "user"')}
    assert rows[ann.id] == (f"{ann.id}@no-email.invalid", "user")  # the older schema needs an e-mail
    assert rows[cleo.user.id] == ("cleo@clinic.example", "user")  # nobody gains rights in the older program
    engine = make_engine(any_db_url)
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        assert any(n.startswith(STASH) for n in names) and "accesslog" not in names
        kept = {c["name"] for c in sa.inspect(conn).get_columns("breastcancerprediction")}
        assert "model_sha256" not in kept and "created_by" not in kept
    engine.dispose()

    migrate.upgrade(any_db_url)
    assert migrate.drift(any_db_url) == []
    services = _services(any_db_url)
    try:
        cleo = services.auth.sign_in("cleo@clinic.example", "correct horse battery")
        assert cleo.user.role is Role.CLINICIAN
        header = services.patients.open_chart(cleo.token, ann.id)
        assert (
            header.patient.mrn == "A-9" and header.patient.email is None and header.patient.sex is Sex.FEMALE
        )
        assert header.patient.date_of_birth == dt.date(1950, 2, 3)
        assert header.allergies.status is AllergyStatus.NONE_KNOWN and header.allergies.checked_on is not None
        opened = services.patients.access_log(
            services.auth.sign_in("admin@clinic.example", "correct horse battery").token
        )
        assert opened.total == 2  # the opening before the downgrade (restored) and the one just now
    finally:
        services.close()
    assert _sql(any_db_url, "SELECT created_by FROM medicalrecord")[0][0] == cleo.user.id
    assert _sql(any_db_url, "SELECT created_by, model_sha256 FROM breastcancerprediction") == [
        (cleo.user.id, saved.model_sha256)
    ]
    engine = make_engine(any_db_url)
    with engine.connect() as conn:
        assert not [n for n in sa.inspect(conn).get_table_names() if n.startswith(STASH)]
    engine.dispose()
