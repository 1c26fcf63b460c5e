"""create_migration (developers) and the lock a second copy of the program waits on."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import grimp
import pytest
import sqlalchemy as sa

from desktop.db import migrate
from desktop.db.engine import make_engine, set_begin_statement
from desktop.db.migration_lock import mysql_lock_name
from desktop.domain.errors import MigrationError
from desktop.paths import resource_path


@pytest.fixture
def scratch_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "alembic"
    shutil.copytree(resource_path("alembic"), folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv(migrate.ALEMBIC_DIR_ENV, str(folder))
    return folder


def test_autogenerate_at_head_writes_an_empty_revision(sqlite_url: str, scratch_scripts: Path) -> None:
    migrate.upgrade(sqlite_url)
    path = Path(migrate.create_migration("nothing changed", url=sqlite_url))
    assert path.parent == scratch_scripts / "versions"
    text = path.read_text()
    assert not re.search(r"\bop\.", text) and "DOWNGRADE_DROPS" in text
    # Every new revision keeps aside what its downgrade drops, and puts it back when applied again.
    assert "stash.keep(op, revision, DOWNGRADE_DROPS)" in text
    assert "stash.restore(op, revision, DOWNGRADE_DROPS)" in text
    new_head = migrate.assert_single_head()
    assert new_head != "f5c2a7d9e3b1" and new_head in path.name


def test_autogenerate_sees_what_the_database_lacks(sqlite_url: str, scratch_scripts: Path) -> None:
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_session_user_id")
    engine.dispose()
    text = Path(migrate.create_migration("add index back", url=sqlite_url)).read_text()
    assert "create_index(batch_op.f('ix_session_user_id')" in text
    assert "UTCDateTime" not in text and "desktop.db.types" not in text


def test_autogenerate_refuses_a_database_behind_head(sqlite_url: str, scratch_scripts: Path) -> None:
    migrate.upgrade(sqlite_url, target="d24a4742aa81")
    with pytest.raises(MigrationError, match="No migration was written"):
        migrate.create_migration("too early", url=sqlite_url)


def test_downgrade_plan_to_a_later_revision_is_refused(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url, target="a8b9ec836410")
    with pytest.raises(MigrationError, match="not an earlier revision"):
        migrate.downgrade_steps(None, "a8b9ec836410", "c7e5d1f0a9b3")


def _hold_lock(url: str) -> tuple[sa.Engine, sa.Connection, sa.Transaction]:
    """Another writer holding the migration lock (SQLite write lock / PostgreSQL advisory lock /
    MariaDB user lock)."""
    engine = make_engine(url)
    conn = engine.connect()
    if url.startswith("sqlite"):
        set_begin_statement(conn, "BEGIN IMMEDIATE")
        trans = conn.begin()
    elif url.startswith("mysql"):
        trans = conn.begin()
        name = mysql_lock_name(str(engine.url.database))
        assert conn.exec_driver_sql("SELECT GET_LOCK(%s, 0)", (name,)).scalar() == 1
    else:
        trans = conn.begin()
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({migrate.ADVISORY_LOCK_KEY})")
    return engine, conn, trans


def test_second_copy_waits_for_the_lock_then_upgrades(any_db_url: str) -> None:
    migrate.upgrade(any_db_url, target="a8b9ec836410")
    engine, conn, trans = _hold_lock(any_db_url)
    waiting = threading.Event()
    outcome: list[object] = []

    def second_copy() -> None:
        try:
            outcome.append(migrate.upgrade(any_db_url, on_wait=lambda message: waiting.set()))
        except Exception as error:  # reported to the test thread below
            outcome.append(error)

    worker = threading.Thread(target=second_copy)
    worker.start()
    try:
        assert waiting.wait(timeout=30), "the second copy never said it was waiting"
        assert not outcome  # still waiting while the lock is held
    finally:
        trans.rollback()
        conn.close()
        engine.dispose()
    worker.join(timeout=60)
    assert len(outcome) == 1 and isinstance(outcome[0], migrate.MigrationResult), outcome
    assert outcome[0].after == migrate.assert_single_head()
    assert migrate.status(any_db_url).at_head


def test_running_and_writing_migrations_do_not_import_each_other() -> None:
    """migrate -> drift only; both take the scripts folder and Config from desktop.db.scripts. grimp sees
    imports inside functions too, so a cycle cannot hide there."""
    graph = grimp.build_graph("desktop")
    assert graph.direct_import_exists(importer="desktop.db.migrate", imported="desktop.db.drift")
    assert not graph.chain_exists(importer="desktop.db.drift", imported="desktop.db.migrate")
    assert not graph.chain_exists(importer="desktop.db.scripts", imported="desktop.db.migrate")
    assert not graph.chain_exists(importer="desktop.db.stash", imported="desktop.db.migrate")
