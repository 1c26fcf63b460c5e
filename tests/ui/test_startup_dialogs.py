"""Start-up dialogs before sign-in, on real files: upgrade with progress, too-new refusal, corrupt
file, failed upgrade, fingerprint warning.

``startup.ask`` (the one place the flow shows a choice dialog modally) is replaced by a recorder that
answers; the upgrade progress dialog runs for real (its own event loop, closing itself when done).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from desktop.db import migrate
from desktop.settings import Settings
from desktop.ui.dialogs import startup
from desktop.ui.dialogs.startup_dialogs import ChoiceDialog, UpgradeProgressDialog
from tests.fixtures.web_database import make_web_database, row_counts
from tests.migrations.test_failures import failing_scripts  # noqa: F401  (fixture)
from tests.revisions import HEAD


class Answers:
    """Stands in for startup.ask: records each dialog's title and text, answers from a list."""

    def __init__(self, *choices: str) -> None:
        self.choices = list(choices)
        self.shown: list[tuple[str, str, list[str]]] = []

    def __call__(self, dialog: ChoiceDialog) -> str:
        self.shown.append((dialog.windowTitle(), dialog.text, dialog.keys))
        dialog.deleteLater()
        return self.choices.pop(0) if self.choices else "quit"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'clinic.db'}"


def _revision(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def _answer(monkeypatch: pytest.MonkeyPatch, *choices: str) -> Answers:
    answers = Answers(*choices)
    monkeypatch.setattr(startup, "ask", answers)
    return answers


def test_at_head_needs_no_dialog(qapp: Any, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    migrate.upgrade(url)
    answers = _answer(monkeypatch)
    assert startup.check_database(Settings(database_url=url)) is None
    assert startup.run_startup_flow(Settings(database_url=url)) is True
    assert answers.shown == []


def test_missing_database_is_created_at_head(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = _answer(monkeypatch)
    assert startup.run_startup_flow(Settings(database_url=url)) is True
    assert _revision(tmp_path / "clinic.db") == HEAD
    assert answers.shown == []


def test_upgrade_path_backs_up_and_names_each_revision(
    qapp: Any, qtbot: Any, url: str, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_web_database(url, "a8b9ec836410")
    before = row_counts(url)
    seen: list[UpgradeProgressDialog] = []
    original_exec = UpgradeProgressDialog.exec

    def watch(self: UpgradeProgressDialog) -> int:
        seen.append(self)
        return original_exec(self)

    monkeypatch.setattr(UpgradeProgressDialog, "exec", watch)
    answers = _answer(monkeypatch)
    decision = startup.check_database(Settings(database_url=url))
    assert decision is not None and decision.state == "behind"
    assert startup.handle_startup_decision(None, Settings(database_url=url), decision) is True
    assert _revision(tmp_path / "clinic.db") == HEAD
    after = row_counts(url)
    assert all(after[t] == n for t, n in before.items())
    assert list((data_dir / "backups").glob("*before-upgrade*"))
    dialog = seen[0]
    items = [dialog.steps.item(i).text() for i in range(dialog.steps.count())]
    assert [text.split()[1] for text in items] == ["d24a4742aa81", "c7e5d1f0a9b3", "e4b7a2c9d5f1", HEAD]
    assert all(text.startswith("✓") for text in items)
    assert dialog.bar.value() == 4
    assert answers.shown == []


def test_too_new_database_is_refused_and_untouched(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(url)
    conn = sqlite3.connect(tmp_path / "clinic.db")
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    before = (tmp_path / "clinic.db").read_bytes()
    answers = _answer(monkeypatch, "quit")
    assert startup.run_startup_flow(Settings(database_url=url)) is False
    title, text, keys = answers.shown[0]
    assert title == "Database made by a newer ClinicDesk"
    assert "ffffffffffff" in text and "newer version" in text
    assert keys == ["open_backup", "quit"]
    assert (tmp_path / "clinic.db").read_bytes() == before


def test_too_new_database_then_open_a_backup(
    qapp: Any, url: str, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: Any
) -> None:
    migrate.upgrade(url)
    backup = tmp_path / "good-backup.db"
    backup.write_bytes((tmp_path / "clinic.db").read_bytes())
    conn = sqlite3.connect(tmp_path / "clinic.db")
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    no_dialogs.file = str(backup)
    answers = _answer(monkeypatch, "open_backup")
    assert startup.run_startup_flow(Settings(database_url=url)) is True
    assert _revision(tmp_path / "clinic.db") == HEAD
    assert len(answers.shown) == 1
    # the too-new database was kept as a backup before being replaced
    assert any(_revision(p) == "ffffffffffff" for p in (data_dir / "backups").glob("*.db"))


def test_corrupt_file_is_kept_and_a_new_database_started(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: Any
) -> None:
    garbage = b"this is not a database at all\x00" * 200
    (tmp_path / "clinic.db").write_bytes(garbage)
    answers = _answer(monkeypatch, "new_database")
    assert startup.run_startup_flow(Settings(database_url=url)) is True
    title, text, keys = answers.shown[0]
    assert title == "The database cannot be used"
    assert keys == ["open_backup", "new_database", "quit"]
    assert "never deleted" in text
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("clinic.db.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == garbage
    assert _revision(tmp_path / "clinic.db") == HEAD
    assert str(kept[0]) in no_dialogs.messages("info")[0]


def test_corrupt_file_quit_changes_nothing(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "clinic.db").write_bytes(b"garbage" * 100)
    _answer(monkeypatch, "quit")
    assert startup.run_startup_flow(Settings(database_url=url)) is False
    assert (tmp_path / "clinic.db").read_bytes() == b"garbage" * 100
    assert [p.name for p in tmp_path.iterdir() if "damaged" in p.name] == []


@pytest.mark.usefixtures("failing_scripts")
def test_failed_upgrade_says_where_backup_and_log_are(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_web_database(url, "a8b9ec836410")
    before = row_counts(url)
    answers = _answer(monkeypatch, "quit")
    assert startup.run_startup_flow(Settings(database_url=url)) is False
    title, text, keys = answers.shown[0]
    assert title == "The database upgrade failed"
    assert "will not start" in text and "left exactly as it was" in text
    assert "before-upgrade" in text  # the backup's file name
    assert "clinicdesk.log" in text
    assert "Traceback" not in text
    assert keys == ["quit"]
    assert _revision(tmp_path / "clinic.db") == "a8b9ec836410"
    assert row_counts(url) == before


def test_fingerprint_mismatch_warns_and_names_the_dialog(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(url)
    conn = sqlite3.connect(tmp_path / "clinic.db")
    conn.execute("CREATE TABLE handmade (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    answers = _answer(monkeypatch, "continue")
    assert startup.run_startup_flow(Settings(database_url=url)) is True
    title, text, _ = answers.shown[0]
    assert title == "Database changed outside ClinicDesk"
    assert "Database tools" in text and "handmade" in text


def _damage(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'medicalrecord'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek(size * (page - 1))
        handle.write(b"\xa5" * size)


def test_damaged_database_offers_the_newest_good_backup_in_one_click(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: Any
) -> None:
    from desktop.db import backup

    make_web_database(url, "d24a4742aa81")
    migrate.upgrade(url)
    before = row_counts(url)
    made = backup.backup(url, reason="daily")
    _damage(tmp_path / "clinic.db")
    answers = _answer(monkeypatch, "restore_newest")
    assert startup.run_startup_flow(Settings(database_url=url)) is True
    title, text, keys = answers.shown[0]
    assert title == "The database is damaged"
    assert keys == ["restore_newest", "open_backup", "quit"]
    assert made.path is not None and made.path.name in text and "quick_check" not in title
    assert row_counts(url) == before
    assert [p for p in tmp_path.iterdir() if p.name.startswith("clinic.db.damaged-")]  # kept, not deleted


def test_damaged_database_without_a_backup_offers_a_file(
    qapp: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: Any
) -> None:
    migrate.upgrade(url)
    _damage(tmp_path / "clinic.db")
    before = (tmp_path / "clinic.db").read_bytes()
    answers = _answer(monkeypatch, "quit")
    assert startup.run_startup_flow(Settings(database_url=url)) is False
    assert answers.shown[0][2] == ["open_backup", "quit"] and "No verified backup" in answers.shown[0][1]
    assert (tmp_path / "clinic.db").read_bytes() == before
