"""Upgrade / downgrade round trips on real SQLite, PostgreSQL and MariaDB, with rows; drift; single head."""

from __future__ import annotations

import sqlalchemy as sa

from desktop.db import migrate
from desktop.db.engine import make_engine
from desktop.db.stash import is_stash_table
from tests.revisions import HEAD

PATIENTS = "e4b7a2c9d5f1"
PREVIOUS = "c7e5d1f0a9b3"


def _insert_rows(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                f"INSERT INTO {conn.dialect.identifier_preparer.quote('user')} (id, name, email, password_hash, "
                "age, created_at, updated_at, is_active, "
                "role, version_id) VALUES ('u1', 'Ann', 'ann@example.org', 'h', 30, :ts, :ts, :t, 'admin', 1)"
            ),
            {"ts": "2025-01-01 00:00:00", "t": True},
        )
        conn.execute(
            sa.text(
                "INSERT INTO medicalrecord (user_id, date, type, result, doctor, notes, status, status_color, "
                "created_at, version_id) VALUES ('u1', '2025-01-02', 'Scan', 'ok', 'Dr A', '', 'pending', "
                "'#f59e0b', :ts, 1)"
            ),
            {"ts": "2025-01-02 00:00:00"},
        )
    engine.dispose()


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()
    engine.dispose()
    return int(value)


def test_single_head() -> None:
    assert migrate.assert_single_head() == HEAD


def test_base_head_base_head_round_trip(any_db_url: str) -> None:
    url = any_db_url
    result = migrate.upgrade(url)
    assert [r.revision for r in result.applied] == ["a8b9ec836410", "d24a4742aa81", PREVIOUS, PATIENTS, HEAD]
    assert migrate.status(url).current == HEAD
    assert migrate.drift(url) == []
    _insert_rows(url)

    # One step down keeps the rows of the tables that remain; one step up again likewise.
    assert migrate.downgrade(url, "d24a4742aa81").after == "d24a4742aa81"
    assert _count(url, "medicalrecord") == 1
    assert migrate.upgrade(url).after == HEAD
    assert _count(url, "user") == 1
    assert migrate.drift(url) == []

    assert migrate.downgrade(url, "base").after is None
    engine = make_engine(url)
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    # Base has no schema; the data is kept aside in stash tables until the next upgrade.
    assert {n for n in names if not is_stash_table(n)} <= {"alembic_version"}
    assert "clinicdesk_stash_a8b9ec836410_user" in names

    assert migrate.upgrade(url).after == HEAD
    assert migrate.drift(url) == []
    assert _count(url, "user") == _count(url, "medicalrecord") == 1
    status = migrate.status(url)
    assert status.at_head and status.pending == ()


def test_upgrade_at_head_does_nothing(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    again = migrate.upgrade(sqlite_url)
    assert not again.changed and again.before == again.after == HEAD


def test_progress_names_each_revision(sqlite_url: str) -> None:
    steps = []
    migrate.upgrade(sqlite_url, progress=steps.append)
    assert [(s.index, s.revision, s.done) for s in steps] == [
        (1, "a8b9ec836410", False),
        (1, "a8b9ec836410", True),
        (2, "d24a4742aa81", False),
        (2, "d24a4742aa81", True),
        (3, PREVIOUS, False),
        (3, PREVIOUS, True),
        (4, PATIENTS, False),
        (4, PATIENTS, True),
        (5, HEAD, False),
        (5, HEAD, True),
    ]
    assert steps[0].message == "initial migration" and steps[0].total == 5


def test_status_of_missing_file_does_not_create_it(sqlite_url: str, tmp_path) -> None:
    status = migrate.status(sqlite_url)
    assert not status.exists and status.current is None and len(status.pending) == 5
    assert not (tmp_path / "clinic.db").exists()


def test_history_marks_applied_and_current(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url, target="d24a4742aa81")
    revs = migrate.history(sqlite_url)
    assert [r.revision for r in revs] == [HEAD, PATIENTS, PREVIOUS, "d24a4742aa81", "a8b9ec836410"]
    assert [r.applied for r in revs] == [False, False, False, True, True]
    assert [r.is_current for r in revs] == [False, False, False, True, False]
    assert revs[0].is_head and revs[0].drops == ()
    assert "accesslog" in revs[1].drops and "auditlog" in revs[2].drops


def test_drift_names_a_hand_made_change(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_medicalrecord_user_id")
        conn.exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
    engine.dispose()
    assert sorted(migrate.drift(sqlite_url)) == [
        "missing index ix_medicalrecord_user_id on medicalrecord",
        "unexpected table scratch",
    ]


def test_downgrade_steps_describe_lost_data() -> None:
    steps = migrate.downgrade_steps(None, HEAD, "base")
    assert [s.revision for s in steps] == [HEAD, PATIENTS, PREVIOUS, "d24a4742aa81", "a8b9ec836410"]
    assert steps[0].drops == ()  # an index: nothing to keep aside
    assert "accesslog" in steps[1].drops and "user.mrn" in steps[1].drops
    assert "user.role" in steps[2].drops
    assert steps[3].drops == ("breastcancerprediction",)
