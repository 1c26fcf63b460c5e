"""What ClinicDesk's MariaDB engine settings and column types guarantee, checked on the real server."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from desktop.db import migrate
from desktop.db import models as m
from desktop.db.database import Database
from desktop.db.engine import make_engine

pytestmark = pytest.mark.mariadb

T = dt.datetime(2026, 3, 2, 9, 0, 5, 123456, tzinfo=dt.UTC)


def _user(email: str) -> m.User:
    return m.User(name="N", email=email, password_hash="h", created_at=T, updated_at=T)


def test_session_settings_and_tables(mariadb_url: str) -> None:
    migrate.upgrade(mariadb_url)
    engine = make_engine(mariadb_url)
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("SELECT @@SESSION.sql_mode").scalar_one()
        assert "STRICT_TRANS_TABLES" in mode and "STRICT_ALL_TABLES" in mode
        assert conn.exec_driver_sql("SELECT @@SESSION.time_zone").scalar_one() == "+00:00"
        isolation = conn.exec_driver_sql("SELECT @@SESSION.tx_isolation").scalar_one()
        assert isolation == "READ-COMMITTED"
        tables = conn.exec_driver_sql(
            "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE()"
        ).all()
    engine.dispose()
    assert len(tables) == 10
    assert {(row[1], row[2]) for row in tables} == {("InnoDB", "utf8mb4_bin")}


def test_exact_emails_microseconds_and_strict_lengths(mariadb_url: str) -> None:
    migrate.upgrade(mariadb_url)
    database = Database(mariadb_url)
    with database.unit_of_work() as s:
        # The server's default collation would call these equal (case, accent, ß = ss): not here.
        s.add_all(
            [
                _user(e)
                for e in (
                    "ana@x.example",
                    "Ana@x.example",
                    "aná@x.example",
                    "straße@x.example",
                    "strasse@x.example",
                )
            ]
        )
        s.commit()
    with database.unit_of_work() as s:
        assert s.scalars(sa.select(m.User.email).where(m.User.email == "ana@x.example")).all() == [
            "ana@x.example"
        ]
        user = s.scalars(sa.select(m.User).where(m.User.email == "straße@x.example")).one()
        assert user.created_at == T  # microseconds and UTC kept
        s.add(
            m.MedicalRecord(
                user_id=user.id,
                date="2026-03-02",
                type="x" * 101,
                result="",
                doctor="",
                notes="",
                created_at=T,
            )
        )
        with pytest.raises(sa.exc.DataError):  # strict mode: refused, never silently cut to 100
            s.commit()
    with database.unit_of_work() as s:
        s.add(_user("ana@x.example"))
        with pytest.raises(sa.exc.IntegrityError):
            s.flush()
    database.dispose()
