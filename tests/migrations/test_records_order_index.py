"""Revision f5c2a7d9e3b1: the index on medicalrecord (user_id, date, id) that gives the records table
its order without a sort. Applied and undone on SQLite, PostgreSQL and MariaDB; rows stay, and the
schema matches each revision's fingerprint either way."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from desktop.db import fingerprint, migrate
from desktop.db.engine import make_engine
from desktop.db.models import MedicalRecord
from desktop.services.container import Services
from desktop.settings import Settings

REVISION = "f5c2a7d9e3b1"
PREVIOUS = "e4b7a2c9d5f1"
INDEX = "ix_medicalrecord_user_id_date_id"


def _indexes(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = sa.inspect(conn).get_indexes("medicalrecord")
            return {str(i["name"]): list(i["column_names"]) for i in found}
    finally:
        engine.dispose()


def _count_records(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT COUNT(*) FROM medicalrecord")).scalar_one())
    finally:
        engine.dispose()


def _add_records(url: str) -> None:
    services = Services.create(url, Settings(database_url=url), bcrypt_rounds=4)
    try:
        admin = services.auth.create_first_admin("admin@clinic.example", "Admin", "an admin password")
        rows = [
            {
                "user_id": admin.id,
                "date": f"2026-01-0{day}",
                "type": "Blood test",
                "result": "",
                "doctor": "",
                "notes": "",
                "status": "pending",
                "status_color": "#f59e0b",
                "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                "version_id": 1,
            }
            for day in (3, 1, 2)
        ]
        with services.database.engine.begin() as conn:
            conn.execute(sa.insert(MedicalRecord), rows)
    finally:
        services.close()


def test_the_index_comes_and_goes_with_its_revision(any_db_url: str) -> None:
    url = any_db_url
    assert migrate.upgrade(url).after == REVISION
    assert _indexes(url)[INDEX] == ["user_id", "date", "id"]
    _add_records(url)

    assert migrate.downgrade(url).after == PREVIOUS
    indexes = _indexes(url)
    assert INDEX not in indexes and indexes["ix_medicalrecord_user_id"] == ["user_id"]
    assert fingerprint.check(url).matches and _count_records(url) == 3

    assert migrate.upgrade(url).after == REVISION
    assert _indexes(url)[INDEX] == ["user_id", "date", "id"]
    assert fingerprint.check(url).matches and migrate.drift(url) == [] and _count_records(url) == 3
