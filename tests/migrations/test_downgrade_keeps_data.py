"""A downgrade keeps aside what the older schema cannot hold, and the next upgrade puts it back.

Every table's checksum is equal before a downgrade and after the upgrade that follows, for each step
down to base, on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from desktop.db import migrate
from desktop.db.engine import make_engine
from desktop.db.models import (
    AccessLog,
    AuditLog,
    BreastCancerPrediction,
    FamilyHistory,
    LoginAttempt,
    MedicalRecord,
    PatientSearchToken,
    User,
)
from desktop.db.models import Session as SessionRow
from desktop.db.stash import is_stash_table
from desktop.domain.enums import Role
from desktop.domain.errors import ValidationError
from desktop.domain.patients import phone_key, search_tokens, sort_key
from desktop.services.container import Services
from desktop.services.maintenance import MaintenanceService
from desktop.settings import Settings
from tests.fixtures.web_database import make_web_database
from tests.revisions import HEAD

PREVIOUS = "c7e5d1f0a9b3"
#: The roles after the administrators, in turn (the older schema knows only user and admin).
OTHER_ROLES = ("clinician", "reception", "patient")
PASSWORD = "correct horse battery"
FEATURES = [
    c.name for c in BreastCancerPrediction.__table__.columns if c.name.endswith(("_mean", "_se", "_worst"))
]
T0 = dt.datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=dt.UTC)


def _fill(url: str, admins: int = 2, users: int = 3, audit: int = 40, attempts: int = 12) -> None:
    """Rows in every table, with every column the desktop schema added set to a non-default value."""
    engine = make_engine(url)
    with engine.begin() as conn:
        people = [f"u{i}" for i in range(admins + users)]
        roles = {
            uid: "admin" if i < admins else OTHER_ROLES[(i - admins) % 3] for i, uid in enumerate(people)
        }
        accounts = []
        for i, uid in enumerate(people):
            patient = roles[uid] == "patient"
            family = f"Family{i}" if i % 2 else None
            accounts.append(
                {
                    "id": uid,
                    "name": f"Person {i}",
                    # A patient without e-mail (a placeholder in the older schema) and one with.
                    "email": None if patient and i % 2 == 0 else f"p{i}@example.org",
                    "password_hash": "" if patient and i % 2 == 0 else f"$2b$12$hash{i}",
                    "age": 30 + i,
                    "phone": "555-01" + str(i) + "234",
                    "allergies": "penicillin" if i % 2 else None,
                    "created_at": T0 + dt.timedelta(days=i),
                    "updated_at": T0 + dt.timedelta(days=i, hours=1),
                    "is_active": i != 1,
                    "role": roles[uid],
                    "version_id": 2 + i,
                    "family_name": family,
                    "given_names": f"Given{i}" if family else None,
                    "date_of_birth": dt.date(1950 + i, 1 + i, 2),
                    "sex": ("female", "male", "other", "unknown")[i % 4],
                    "mrn": f"M-{i}" if patient else None,
                    "allergy_status": "recorded" if i % 2 else ("none_known", "not_recorded")[i % 4 // 2],
                    "allergies_checked_on": dt.date(2025, 1, 1 + i) if i % 3 else None,
                }
            )
        for account in accounts:  # what the ORM's listeners keep in step (this insert bypasses them)
            account["name_key"] = sort_key(account["name"], account["family_name"], account["given_names"])
            account["phone_key"] = phone_key(account["phone"])
        conn.execute(sa.insert(User), accounts)
        tokens = [
            {"token": token, "user_id": a["id"]}
            for a in accounts
            if a["role"] == "patient"
            for token in sorted(search_tokens(a["name_key"], a["phone_key"]))
        ]
        if tokens:
            conn.execute(sa.insert(PatientSearchToken), tokens)
        conn.execute(
            sa.insert(MedicalRecord),
            [
                {
                    "user_id": people[i % len(people)],
                    "date": f"2025-02-{i + 1:02d}",
                    "type": "Scan",
                    "result": "ok",
                    "doctor": "Dr Ä",
                    "notes": f"note {i} ✓",
                    "status": "pending",
                    "status_color": "#f59e0b",
                    "created_at": T0,
                    "version_id": 1 + i % 4,
                    "created_by": people[0] if i % 2 else None,
                }
                for i in range(9)
            ],
        )
        conn.execute(
            sa.insert(FamilyHistory),
            [
                {
                    "user_id": people[i],
                    "relation": "Mother",
                    "age": 50 + i,
                    "condition": "x",
                    "created_at": T0,
                    "version_id": 3,
                    "created_by": people[i % 2],
                }
                for i in range(3)
            ],
        )
        conn.execute(
            sa.insert(SessionRow),
            [
                {
                    "id": f"s{i}",
                    "user_id": people[i],
                    "created_at": T0,
                    "expires_at": T0 + dt.timedelta(hours=8),
                    "is_active": bool(i % 2),
                }
                for i in range(2)
            ],
        )
        conn.execute(
            sa.insert(BreastCancerPrediction),
            [
                {
                    **{name: 0.1 * (i + 1) + k for k, name in enumerate(FEATURES)},
                    "user_id": people[i % len(people)],
                    "prediction": "Malignant" if i % 2 else "Benign",
                    "confidence": 0.9,
                    "risk_level": "High" if i % 2 else "Low",
                    "created_at": T0,
                    "notes": None if i == 0 else f"n{i}",
                    "probability": 0.123456789 * (i + 1),
                    "model_version": f"model-{i}",
                    "version_id": 1 + i,
                    "created_by": people[0],
                    "model_sha256": f"{i:064x}" if i % 2 else None,
                }
                for i in range(5)
            ],
        )
        conn.execute(
            sa.insert(AuditLog),
            [
                {
                    "created_at": T0 + dt.timedelta(minutes=i),
                    "user_id": people[i % len(people)] if i % 3 else None,
                    "actor": f"p{i % 5}@example.org",
                    "action": "update",
                    "entity": "medicalrecord",
                    "entity_id": str(i),
                    "summary": f"changed {i}",
                    "before": '{"notes": "old"}' if i % 2 else None,
                    "after": '{"notes": "new"}',
                }
                for i in range(audit)
            ],
        )
        conn.execute(
            sa.insert(AccessLog),
            [
                {
                    "created_at": T0 + dt.timedelta(minutes=i),
                    "user_id": people[i % 2] if i % 3 else None,
                    "patient_id": people[-1],
                    "action": "chart.read",
                    "detail": f"record list {i}",
                }
                for i in range(7)
            ],
        )
        conn.execute(
            sa.insert(LoginAttempt),
            [
                {
                    "email": f"p{i % 6}@example.org",
                    "user_id": people[i % len(people)] if i % 6 < len(people) else None,
                    "succeeded": i % 4 == 0,
                    "created_at": T0 + dt.timedelta(seconds=i),
                }
                for i in range(attempts)
            ],
        )
    engine.dispose()


def _checksums(url: str) -> dict[str, tuple[int, str]]:
    """(row count, sha256 of the rows in primary-key order) for every table but alembic_version."""
    engine = make_engine(url)
    sums: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        metadata = sa.MetaData()
        metadata.reflect(conn)
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            sums[table.name] = (
                len(rows),
                hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest(),
            )
    engine.dispose()
    return sums


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    return names


@pytest.mark.parametrize("target", [PREVIOUS, "d24a4742aa81", "a8b9ec836410", "base"])
def test_downgrade_then_upgrade_gives_every_table_back(any_db_url: str, target: str) -> None:
    url = any_db_url
    migrate.upgrade(url)
    _fill(url)
    before = _checksums(url)
    assert before["user"][0] == 5 and before["auditlog"][0] == 40

    down = migrate.downgrade(url, target)
    assert down.after == (None if target == "base" else target)
    assert any(is_stash_table(name) for name in _table_names(url))
    assert migrate.upgrade(url).after == HEAD

    assert _checksums(url) == before
    assert not any(is_stash_table(name) for name in _table_names(url))
    assert migrate.drift(url) == []

    # The restored tables take new rows (PostgreSQL's id sequences moved past the restored ids).
    engine = make_engine(url)
    with engine.begin() as conn:
        new_id = conn.execute(
            sa.insert(AuditLog).values(created_at=T0, actor="a", action="x").returning(AuditLog.id)
        ).scalar_one()
    engine.dispose()
    assert new_id == 41


def test_each_single_step_round_trips(any_db_url: str) -> None:
    url = any_db_url
    migrate.upgrade(url)
    _fill(url)
    before = _checksums(url)
    migrate.downgrade(url)  # head -> e4b7a2c9d5f1
    migrate.downgrade(url)  # -> c7e5d1f0a9b3
    migrate.downgrade(url)  # -> d24a4742aa81
    migrate.upgrade(url, PREVIOUS)
    migrate.downgrade(url)  # d24a4742aa81 again, with two stashes of different revisions waiting
    migrate.upgrade(url)
    assert _checksums(url) == before


def test_the_older_version_changes_are_respected(any_db_url: str) -> None:
    """Rows deleted at the older revision stay deleted; rows added there get the defaults."""
    url = any_db_url
    migrate.upgrade(url)
    _fill(url)
    migrate.downgrade(url, "d24a4742aa81")  # no table there refers to an account but the medical ones
    engine = make_engine(url)
    user = engine.dialect.identifier_preparer.quote("user")  # backticks on MariaDB
    with engine.begin() as conn:  # what the older version may do: delete an account, add one
        for table in ("medicalrecord", "familyhistory", "session", "breastcancerprediction"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE user_id = 'u0'"))
        conn.execute(sa.text(f"DELETE FROM {user} WHERE id = 'u0'"))
        conn.execute(
            sa.text(
                f"INSERT INTO {user} (id, name, email, password_hash, created_at, updated_at, is_active) "
                "VALUES ('new', 'New', 'new@example.org', 'h', :ts, :ts, :t)"
            ),
            {"ts": T0.replace(tzinfo=None), "t": True},
        )
    engine.dispose()

    migrate.upgrade(url)
    assert migrate.drift(url) == []
    engine = make_engine(url)
    with engine.connect() as conn:
        roles = dict(conn.execute(sa.text(f"SELECT id, role FROM {user}")).all())
        orphans = conn.execute(sa.text("SELECT COUNT(*) FROM auditlog WHERE user_id = 'u0'")).scalar_one()
        kept = conn.execute(sa.text("SELECT COUNT(*) FROM auditlog")).scalar_one()
        unlinked = conn.execute(
            sa.text("SELECT COUNT(*) FROM loginattempt WHERE user_id IS NULL")
        ).scalar_one()
    engine.dispose()
    # Staff get their roles back; the older version's new account is a patient like every "user".
    assert roles == {"u1": "admin", "u2": "clinician", "u3": "reception", "u4": "patient", "new": "patient"}
    assert orphans == 0 and kept == 40  # the deleted account's audit entries stay, without the link
    assert unlinked == 2 + 2  # two attempts for an unknown e-mail, two of the deleted account


def test_fingerprint_ignores_the_stash(sqlite_url: str) -> None:
    from desktop.db.fingerprint import check

    migrate.upgrade(sqlite_url)
    _fill(sqlite_url)
    migrate.downgrade(sqlite_url, PREVIOUS)
    result = check(sqlite_url)
    assert result.revision == PREVIOUS and result.matches, result.differences


def test_the_confirmation_names_what_the_older_version_will_not_show(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    _fill(sqlite_url, admins=3, audit=1234)
    plan = MaintenanceService(sqlite_url).plan_downgrade(PREVIOUS)
    assert "the chart access log, 7 entries" in plan.lost
    assert "the MRN, date of birth, sex and allergy statement of 1 patient" in plan.lost
    assert "who ran 5 predictions" in plan.lost and "the model file hash of 2 predictions" in plan.lost
    assert "back after the next upgrade" in plan.summary()

    plan = MaintenanceService(sqlite_url).plan_downgrade("d24a4742aa81")
    assert "the audit log, 1,234 entries" in plan.lost
    assert "3 administrators' roles" in plan.lost
    assert "the record of sign-in attempts, 12 entries" in plan.lost
    assert "the probability of 5 predictions" in plan.lost
    assert not any("version_id" in item for item in plan.lost)
    assert "back after the next upgrade" in plan.summary()

    to_base = MaintenanceService(sqlite_url).plan_downgrade("base")
    assert "6 accounts" in to_base.lost and "9 medical records" in to_base.lost


def _services(url: str) -> Services:
    return Services.create(url, Settings(database_url=url), bcrypt_rounds=4)


def test_the_administrators_are_administrators_again_after_downgrade_and_upgrade(any_db_url: str) -> None:
    migrate.upgrade(any_db_url)
    services = _services(any_db_url)
    try:
        services.auth.create_first_admin("boss@clinic.example", "Boss", PASSWORD)
        admin = services.auth.sign_in("boss@clinic.example", PASSWORD)
        services.users.create_user(admin.token, "ann@clinic.example", "Ann", PASSWORD, Role.USER)
    finally:
        services.close()

    migrate.downgrade(any_db_url)
    migrate.upgrade(any_db_url)

    services = _services(any_db_url)
    try:
        admin = services.auth.sign_in("boss@clinic.example", PASSWORD)
        assert admin.user.is_admin
        # The last-administrator guard holds: the only admin still cannot lose the role.
        with pytest.raises(ValidationError, match="last active administrator"):
            services.users.set_role(admin.token, admin.user.id, Role.USER)
        audit = [e.summary for e in services.audit.list(admin.token).rows]
        assert "First administrator created" in audit  # the audit log came back too
    finally:
        services.close()


def test_an_old_database_upgraded_fresh_still_gets_an_administrator(sqlite_url: str) -> None:
    """No stash (a web-version database): every account is an ordinary user, and the console's
    create-admin gives the clinic its administrator, as before."""
    make_web_database(sqlite_url, "d24a4742aa81")
    migrate.upgrade(sqlite_url)
    services = _services(sqlite_url)
    try:
        assert services.auth.has_any_user()
        made = services.users.create_admin_from_console("rescue@clinic.example", "Rescue", PASSWORD)
        assert made.role == Role.ADMIN
        assert services.auth.sign_in("rescue@clinic.example", PASSWORD).user.is_admin
    finally:
        services.close()
