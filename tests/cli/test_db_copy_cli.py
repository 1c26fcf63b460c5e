"""``clinicdesk db copy-to URL`` on real databases: output, exit codes, nothing printed as a traceback."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.cli.db_copy import register_db_subcommand
from desktop.db import models as m
from desktop.db.database import Database
from desktop.db.migrate import upgrade


def _parser() -> argparse.ArgumentParser:
    """The same shape as ``clinicdesk [--database-url U] db copy-to URL``."""
    parser = argparse.ArgumentParser(prog="clinicdesk")
    parser.add_argument("--database-url")
    commands = parser.add_subparsers(dest="command")
    db = commands.add_parser("db").add_subparsers(dest="db_command")
    register_db_subcommand(db)
    return parser


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    return int(args.handler(args))


@pytest.fixture
def source(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    database = Database(url)
    with database.unit_of_work() as s:
        s.add(m.User(id="u1", name="Ann", email="ann@clinic.example", password_hash="x"))
        s.flush()
        s.add_all(
            m.MedicalRecord(user_id="u1", date="2025-01-01", type=f"t{i}", result="", doctor="", notes="")
            for i in range(7)
        )
        s.commit()
    database.dispose()
    return url


@pytest.mark.postgres
def test_copy_to_postgres_prints_the_row_counts(source: str, postgres_url: str, capsys) -> None:
    assert run(["--database-url", source, "db", "copy-to", postgres_url]) == 0
    out = capsys.readouterr().out
    assert "copied medicalrecord" in out and "7 rows" in out  # progress, one line per table (not a tty)
    assert "medicalrecord" in out and "ok" in out and "DIFFERENT" not in out
    assert "9 rows copied and counted" in out  # the patient, seven records, the patient's search token
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM medicalrecord")).scalar_one() == 7
    engine.dispose()


def test_source_from_the_environment_and_a_refused_target(
    source: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    """The source is resolved like the app does; a target with data gives a one-line error, exit 1."""
    monkeypatch.setenv("CLINICDESK_DATABASE_URL", source)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    assert run(["db", "copy-to", target]) == 0
    capsys.readouterr()
    assert run(["db", "copy-to", target]) == 1
    captured = capsys.readouterr()
    assert "error: The target database already holds ClinicDesk data" in captured.err
    assert "Traceback" not in captured.err


def test_unreachable_server_is_a_plain_error(source: str, capsys) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = run(["--database-url", source, "db", "copy-to", f"postgresql+psycopg://u@127.0.0.1:{port}/clinic"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"Nothing answers at 127.0.0.1:{port}" in err


def test_copy_to_runs_through_the_real_cli(source: str, tmp_path: Path, capsys) -> None:
    """Through desktop.cli.main: ``clinicdesk --database-url U db copy-to URL``."""
    target = f"sqlite:///{tmp_path / 'wired.db'}"
    assert main(["--database-url", source, "db", "copy-to", target]) == 0
    assert "9 rows copied and counted" in capsys.readouterr().out


@pytest.mark.postgres
def test_missing_server_database_is_named(source: str, postgres_url: str, capsys) -> None:
    """Not "cannot be reached": the server answered, the database is not there."""
    from sqlalchemy.engine import make_url

    missing = make_url(postgres_url).set(database="no_such_db_4f1c").render_as_string(hide_password=False)
    assert run(["--database-url", source, "db", "copy-to", missing]) == 1
    assert "no database named “no_such_db_4f1c”" in capsys.readouterr().err
