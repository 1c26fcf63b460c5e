"""A database the web version made (unnamed constraints, its own DDL) upgrades in place, rows intact."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from desktop.db import migrate
from desktop.db.database import Database
from desktop.db.models import MedicalRecord, User
from tests.fixtures.web_database import ALICE, HASH, RECORDS, make_web_database, row_counts
from tests.revisions import HEAD


@pytest.mark.parametrize("revision", ["a8b9ec836410", "d24a4742aa81"])
def test_web_database_upgrades_with_every_row(any_db_url: str, revision: str) -> None:
    make_web_database(any_db_url, revision)
    before = row_counts(any_db_url)
    assert before["user"] == 2 and before["medicalrecord"] == 3

    status = migrate.status(any_db_url)
    assert status.current == revision and not status.is_too_new

    migrate.upgrade(any_db_url)
    assert migrate.status(any_db_url).current == HEAD
    assert migrate.drift(any_db_url) == []
    after = row_counts(any_db_url)
    assert {k: after[k] for k in before} == before

    db = Database(any_db_url)
    with db.unit_of_work() as session:
        alice = session.get(User, ALICE)
        assert alice is not None
        assert alice.password_hash == HASH and alice.role == "patient" and alice.version_id == 1
        assert alice.allergies == "penicillin" and alice.blood_type == "A+"
        assert alice.created_at == dt.datetime(2024, 5, 2, 9, 30, tzinfo=dt.UTC)
        notes = sorted(r.notes for r in session.scalars(sa.select(MedicalRecord)))
        assert notes == sorted(r[6] for r in RECORDS)
        # The upgraded database takes new rows (sequence / rowid intact, version counter works).
        alice.phone = "555-0199"
        session.add(
            MedicalRecord(user_id=ALICE, date="2025-01-01", type="Scan", result="ok", doctor="Dr A", notes="")
        )
        session.commit()
    with db.unit_of_work() as session:
        assert session.get(User, ALICE).version_id == 2
    db.dispose()


def test_web_database_down_and_up_again(any_db_url: str) -> None:
    make_web_database(any_db_url, "d24a4742aa81")
    migrate.upgrade(any_db_url)
    migrate.downgrade(any_db_url, "a8b9ec836410")
    assert row_counts(any_db_url) == {"user": 2, "medicalrecord": 3, "familyhistory": 1, "session": 1}
    migrate.upgrade(any_db_url)
    assert migrate.drift(any_db_url) == []
