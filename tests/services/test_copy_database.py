"""Copying a real SQLite database to an empty real PostgreSQL or MariaDB database (and to another SQLite
file), and from MariaDB back to SQLite and PostgreSQL.

The source is made by the real migrations and filled through the ORM models with more rows than one
copy chunk, with every table populated; the copy is compared row by row, not only counted.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db import models as m
from desktop.db.database import Database
from desktop.db.migrate import status, upgrade
from desktop.domain.errors import DatabaseError, KnownError
from desktop.services import copy_database as cd

T0 = dt.datetime(2026, 1, 5, 8, 30, 15, 123456, tzinfo=dt.UTC)
RECORDS = cd.CHUNK_ROWS + 250  # more than one chunk


def fill(url: str, *, long_type: bool = False) -> None:
    """Two users with records, family history, predictions, sessions, audit rows and sign-in attempts."""
    database = Database(url)
    with database.unit_of_work() as s:
        users = [
            m.User(
                id=f"user-{n}",
                name=f"User {n}",
                email=f"u{n}@clinic.example",
                password_hash="$2b$04$x",
                role="admin" if n == 0 else "patient",
                is_active=n != 2,
                created_at=T0,
                updated_at=T0,
            )
            for n in range(3)
        ]
        s.add_all(users)
        s.flush()
        s.add_all(
            m.MedicalRecord(
                user_id=f"user-{i % 2}",
                date=f"2025-{i % 12 + 1:02d}-01",
                type=f"Visit {i}",
                result="ok",
                doctor="Dr Ng",
                notes="é ✓ \n line",
                status="pending",
                status_color="#f59e0b",
                created_at=T0 + dt.timedelta(seconds=i),
            )
            for i in range(RECORDS)
        )
        s.add_all(
            m.FamilyHistory(
                user_id="user-1", relation="mother", age=61, condition="breast cancer", created_at=T0
            )
            for _ in range(3)
        )
        s.add(
            m.BreastCancerPrediction(
                user_id="user-1",
                **{c: 0.125 * (k + 1) for k, c in enumerate(_feature_columns())},
                prediction="Benign",
                confidence=0.97,
                risk_level="Low",
                probability=0.03,
                model_version="lr-1",
                created_at=T0,
            )
        )
        s.add(m.Session(id="sess-1", user_id="user-1", created_at=T0, expires_at=T0 + dt.timedelta(hours=8)))
        s.add_all(
            m.AuditLog(
                user_id="user-0",
                actor="u0@clinic.example",
                action="create",
                entity="medicalrecord",
                entity_id=str(i),
                summary="added",
                after='{"a": 1}',
                created_at=T0,
            )
            for i in range(5)
        )
        s.add(m.LoginAttempt(email="nobody@clinic.example", succeeded=False, created_at=T0))
        if long_type:  # SQLite ignores VARCHAR lengths; PostgreSQL does not
            s.add(
                m.MedicalRecord(
                    user_id="user-1",
                    date="2025-01-01",
                    type="x" * 150,
                    result="",
                    doctor="",
                    notes="",
                    created_at=T0,
                )
            )
        # Deleting the last rows leaves gaps: the copy must keep ids, not renumber.
        s.commit()
    with database.unit_of_work() as s:
        s.execute(sa.delete(m.MedicalRecord).where(m.MedicalRecord.id.between(RECORDS - 4, RECORDS)))
        s.commit()
    database.dispose()


def _feature_columns() -> list[str]:
    skip = {
        "id",
        "user_id",
        "prediction",
        "confidence",
        "risk_level",
        "created_at",
        "notes",
        "probability",
        "model_version",
        "version_id",
        "created_by",
    }
    return [c.name for c in m.BreastCancerPrediction.__table__.columns if c.name not in skip]


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, through the models' types."""
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in cd.tables_in_copy_order():
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, filled SQLite file per module; each test copies it (keeps the suite fast)."""
    path = tmp_path_factory.mktemp("copy-source") / "template.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLINICDESK_DATA_DIR", str(path.parent / "data"))
        upgrade(f"sqlite:///{path}")
        fill(f"sqlite:///{path}")
    return path


@pytest.fixture
def source_url(filled_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "desk.db"
    shutil.copyfile(filled_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'target.db'}"
    if request.param == "mariadb":
        return request.getfixturevalue("mariadb_url")
    return request.getfixturevalue("postgres_url")


@pytest.mark.mariadb
@pytest.mark.parametrize("back", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_copy_from_mariadb_back_keeps_every_row(
    source_url: str, mariadb_url: str, back: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """SQLite -> MariaDB -> SQLite / PostgreSQL: every row, id, microsecond and character comes back."""
    cd.copy_to(source_url, mariadb_url)
    target = (
        f"sqlite:///{tmp_path / 'back.db'}" if back == "sqlite" else request.getfixturevalue("postgres_url")
    )
    result = cd.copy_to(mariadb_url, target)
    assert all(c.matches for c in result.tables)
    assert dump(target) == dump(mariadb_url) == dump(source_url)


def test_copy_keeps_every_row_and_id(source_url: str, target_url: str) -> None:
    seen: list[tuple[str, int, int]] = []
    result = cd.copy_to(source_url, target_url, progress=lambda *a: seen.append(a))

    assert status(target_url).at_head and result.revision == status(source_url).current
    counts = {c.table: (c.source_rows, c.target_rows) for c in result.tables}
    assert counts["medicalrecord"] == (RECORDS - 5, RECORDS - 5)
    assert counts["user"] == (3, 3) and counts["auditlog"] == (5, 5) and counts["loginattempt"] == (1, 1)
    assert all(c.matches for c in result.tables)
    assert dump(target_url) == dump(source_url)

    # Progress: chunked, ends at the total for each table, tables in FK order (user before the rest).
    record_steps = [done for table, done, _ in seen if table == "medicalrecord"]
    assert record_steps == [0, cd.CHUNK_ROWS, RECORDS - 5]
    assert next(t for t, done, _ in seen if done == 0) == "user"


def test_new_rows_after_the_copy_get_fresh_ids(source_url: str, target_url: str) -> None:
    """The PostgreSQL sequences (MariaDB: AUTO_INCREMENT) were moved past the copied ids."""
    cd.copy_to(source_url, target_url)
    database = Database(target_url)
    with database.unit_of_work() as s:
        row = m.MedicalRecord(user_id="user-1", date="2026-01-01", type="new", result="", doctor="", notes="")
        s.add(row)
        s.commit()
        assert row.id == RECORDS - 4  # the highest copied id was RECORDS - 5
    database.dispose()


def test_a_target_with_data_is_refused_and_left_alone(source_url: str, target_url: str) -> None:
    cd.copy_to(source_url, target_url)
    before = dump(target_url)
    with pytest.raises(KnownError, match="already holds ClinicDesk data"):
        cd.copy_to(source_url, target_url)
    assert dump(target_url) == before


def test_an_empty_target_at_head_is_accepted(source_url: str, target_url: str) -> None:
    upgrade(target_url)  # e.g. a desktop already opened the server once
    assert cd.copy_to(source_url, target_url).total_rows > RECORDS - 5


@pytest.mark.postgres
def test_a_target_with_foreign_tables_is_refused(source_url: str, postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id int)")
    engine.dispose()
    with pytest.raises(KnownError, match="holds other tables \\(invoices\\)"):
        cd.copy_to(source_url, postgres_url)


@pytest.mark.postgres
def test_a_row_the_server_refuses_stops_the_copy_and_leaves_the_server_empty(
    tmp_path: Path, postgres_url: str
) -> None:
    """SQLite accepted a 150-character type in a VARCHAR(100); PostgreSQL refuses it. All or nothing."""
    url = f"sqlite:///{tmp_path / 'long.db'}"
    upgrade(url)
    fill(url, long_type=True)
    with pytest.raises(DatabaseError, match="stopped at table medicalrecord") as raised:
        cd.copy_to(url, postgres_url)
    assert "Nothing was copied" in raised.value.message
    assert all(n == 0 for _, n in cd.count_rows(postgres_url))


def test_verify_copy_reports_a_missing_row(source_url: str, target_url: str) -> None:
    cd.copy_to(source_url, target_url)
    engine = sa.create_engine(target_url)
    with engine.begin() as conn:
        conn.execute(sa.delete(m.LoginAttempt.__table__))
    engine.dispose()
    with pytest.raises(DatabaseError, match="loginattempt: 1 here, 0 on the server"):
        cd.verify_copy(source_url, target_url)


def test_source_must_exist_and_be_current(tmp_path: Path, target_url: str) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    with pytest.raises(KnownError, match="no ClinicDesk database"):
        cd.copy_to(missing, target_url)
    old = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(old, target="a8b9ec836410")
    with pytest.raises(KnownError, match="start ClinicDesk once"):
        cd.copy_to(old, target_url)


def test_copy_onto_itself_is_refused(
    source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(KnownError, match="same database"):
        cd.copy_to(source_url, source_url)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KnownError, match="same database"):  # the same file, named relatively
        cd.copy_to(source_url, "sqlite:///desk.db")
