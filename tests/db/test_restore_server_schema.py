"""A server backup whose schema was changed by hand is refused after loading, and the database is put
back as it was; a sound one is restored. On the real PostgreSQL and MariaDB servers with their client
tools (as a SQLite backup is refused for the same reason, before anything is replaced)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db import backup, fingerprint, migrate, mysql_dump
from desktop.db import restore as restoring
from desktop.db.restore import BackupRefusedError
from tests.fixtures.web_database import make_web_database, row_counts
from tests.revisions import HEAD

EXTRA_COLUMN = "ALTER TABLE familyhistory ADD COLUMN typed_by_hand VARCHAR(20)"
WITHOUT_EXTRA_COLUMN = "ALTER TABLE familyhistory DROP COLUMN typed_by_hand"
INDEX = "ix_auditlog_entity_entity_id"


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def at_head_with_rows(url: str) -> str:
    make_web_database(url, "d24a4742aa81")
    migrate.upgrade(url)
    return url


def sound(url: str) -> None:
    """The database is at head with exactly the schema head should have."""
    assert migrate.status(url).current == HEAD
    result = fingerprint.check(url)
    assert result.matches, result.differences


def refused_and_put_back(altered: Path, url: str, names: str) -> None:
    """Restoring ``altered`` is refused naming ``names``; the database is exactly as before the attempt."""
    execute(url, "DELETE FROM medicalrecord")  # so that the backup's rows and the current ones differ
    before = row_counts(url)
    with pytest.raises(
        BackupRefusedError, match=rf"structure is not what revision {HEAD}.*{names}"
    ) as refused:
        restoring.restore(altered, url)
    assert "put back as it was" in refused.value.message
    assert row_counts(url) == before
    sound(url)


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def server(postgres_url: str) -> str:
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing and not os.environ.get("CI"):
        pytest.skip(f"{', '.join(missing)} not on PATH")
    return at_head_with_rows(postgres_url)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("alter", "undo", "names"),
    [
        (EXTRA_COLUMN, WITHOUT_EXTRA_COLUMN, "column familyhistory.typed_by_hand is not part of this schema"),
        (f"DROP INDEX {INDEX}", f"CREATE INDEX {INDEX} ON auditlog (entity, entity_id)", f"index {INDEX}"),
    ],
    ids=["extra-column", "dropped-index"],
)
def test_postgres_archive_of_an_altered_schema_is_refused(
    server: str, alter: str, undo: str, names: str
) -> None:
    good = backup.backup(server, reason="manual")
    execute(server, alter)
    altered = backup.backup(server, reason="manual")  # made in the altered source database
    execute(server, undo)
    assert good.path is not None and altered.path is not None
    sound(server)

    refused_and_put_back(altered.path, server, names)

    counts = row_counts(server)
    restoring.restore(good.path, server)  # a sound archive still goes back
    sound(server)
    assert row_counts(server)["medicalrecord"] > counts["medicalrecord"] == 0


@pytest.mark.postgres
def test_postgres_put_back_empties_a_database_that_had_nothing(postgres_url: str, server: str) -> None:
    """Nothing to back up before the restore: the refused schema's tables are dropped again."""
    execute(server, EXTRA_COLUMN)
    altered = backup.backup(server, reason="manual")
    assert altered.path is not None
    execute(postgres_url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    with pytest.raises(BackupRefusedError, match="typed_by_hand"):
        restoring.restore(altered.path, postgres_url)
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- MariaDB


@pytest.fixture
def mariadb(mariadb_url: str) -> str:
    if mysql_dump.dump_tool() is None or mysql_dump.client_tool() is None:
        if os.environ.get("CI"):
            raise RuntimeError("the MariaDB client tools must be installed in CI")
        pytest.skip("mariadb-dump / mariadb not installed")
    return at_head_with_rows(mariadb_url)


@pytest.mark.mariadb
def test_mariadb_dump_made_from_an_altered_schema_is_refused(mariadb: str) -> None:
    good = backup.backup(mariadb, reason="manual")
    execute(mariadb, EXTRA_COLUMN)
    altered = backup.backup(mariadb, reason="manual")
    execute(mariadb, WITHOUT_EXTRA_COLUMN)
    assert good.path is not None and altered.path is not None
    sound(mariadb)

    refused_and_put_back(
        altered.path, mariadb, "column familyhistory.typed_by_hand is not part of this schema"
    )

    restoring.restore(good.path, mariadb)  # a sound dump still goes back
    sound(mariadb)
    assert row_counts(mariadb)["medicalrecord"] > 0


@pytest.mark.mariadb
def test_mariadb_dump_whose_text_lost_an_index_is_refused(mariadb: str, tmp_path: Path) -> None:
    made = backup.backup(mariadb, reason="manual")
    assert made.path is not None
    text = made.path.read_text(encoding="utf-8")
    # The index's line in CREATE TABLE `auditlog` (the comma that ends the line before it goes too).
    edited, found = re.subn(rf",\n\s*KEY `{INDEX}` \([^\n]*\)(?=,?\n)", "", text)
    assert found == 1
    altered = tmp_path / "altered.sql"
    altered.write_text(edited, encoding="utf-8")
    assert restoring.validate_backup(altered) == HEAD  # nothing in the text itself gives it away

    refused_and_put_back(altered, mariadb, f"index {INDEX} on auditlog is missing")
