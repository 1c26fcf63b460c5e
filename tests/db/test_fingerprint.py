"""The committed fingerprints match the migrations; databases at head match them on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from desktop.db import fingerprint, migrate
from desktop.db.probe import known_head
from tests.fixtures.web_database import make_web_database


def test_committed_file_matches_the_migrations() -> None:
    committed = fingerprint.load_expected()
    assert committed == fingerprint.generate(), (
        "alembic/fingerprints.json is stale: run `clinicdesk db fingerprint --write`"
    )
    assert committed["head"] == migrate.assert_single_head() == known_head()


def test_database_at_head_matches(any_db_url: str) -> None:
    migrate.upgrade(any_db_url)
    result = fingerprint.check(any_db_url)
    assert result.known and result.matches and result.differences == ()


def test_web_made_database_matches_its_revision_and_head(any_db_url: str) -> None:
    make_web_database(any_db_url, "a8b9ec836410")
    assert fingerprint.check(any_db_url).matches
    migrate.upgrade(any_db_url)
    assert fingerprint.check(any_db_url).matches


def test_differences_are_named(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE medicalrecord ADD COLUMN secret VARCHAR")
        conn.exec_driver_sql("DROP INDEX ix_auditlog_action")
        conn.exec_driver_sql("CREATE INDEX ix_extra ON session (expires_at)")
    engine.dispose()
    result = fingerprint.check(sqlite_url)
    assert not result.matches
    assert result.differences == (
        "index ix_auditlog_action on auditlog is missing",
        "column medicalrecord.secret is not part of this schema",
        "index ix_extra on session is not part of this schema",
    )


def test_unknown_revision_has_no_expected_fingerprint(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'abcdefabcdef'")
    engine.dispose()
    assert not fingerprint.check(sqlite_url).known
