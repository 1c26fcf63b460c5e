"""`clinicdesk users create-admin` / `users list` as a maintainer runs them: a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.services.container import Services
from desktop.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def clinicdesk(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_create_admin_from_stdin_then_sign_in(sqlite_url):
    done = clinicdesk(
        "users",
        "create-admin",
        "--email",
        " Boss@Clinic.Example ",
        "--name",
        "The Boss",
        "--password-stdin",
        "--database-url",
        sqlite_url,
        stdin="a long enough secret\n",
    )
    assert done.returncode == 0, done.stderr
    assert "boss@clinic.example" in done.stdout
    services = Services.create(sqlite_url, Settings(database_url=sqlite_url), bcrypt_rounds=4)
    try:
        session = services.auth.sign_in("boss@clinic.example", "a long enough secret")
        assert session.user.is_admin
        entries = services.audit.list(session.token).rows
        assert any(e.actor == "console" and e.action == "account_created" for e in entries)
    finally:
        services.close()
    listed = clinicdesk("--database-url", sqlite_url, "users", "list")
    assert listed.returncode == 0 and "boss@clinic.example" in listed.stdout and "admin" in listed.stdout


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short\n", "at least 10 characters"),
        ("é" * 40 + "\n", "at most 72 bytes"),
    ],
)
def test_create_admin_refuses_a_bad_password_with_a_message(sqlite_url, password, message):
    done = clinicdesk(
        "users",
        "create-admin",
        "--email",
        "a@clinic.example",
        "--name",
        "A",
        "--password-stdin",
        "--database-url",
        sqlite_url,
        stdin=password,
    )
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr


def test_duplicate_email_is_refused(sqlite_url):
    args = (
        "users",
        "create-admin",
        "--email",
        "a@clinic.example",
        "--name",
        "A",
        "--password-stdin",
        "--database-url",
        sqlite_url,
    )
    assert clinicdesk(*args, stdin="a long enough secret\n").returncode == 0
    again = clinicdesk(*args, stdin="a long enough secret\n")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_list_on_an_empty_database_explains_what_to_do(sqlite_url):
    done = clinicdesk("users", "list", "--database-url", sqlite_url)
    assert done.returncode == 0 and "create-admin" in done.stdout


def test_prompted_password_is_asked_twice(sqlite_url, monkeypatch, capsys):
    from desktop.cli import main

    answers = iter(["first long secret", "second long secret", "same long secret", "same long secret"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    args = [
        "users",
        "create-admin",
        "--email",
        "p@clinic.example",
        "--name",
        "P",
        "--database-url",
        sqlite_url,
    ]
    assert main(args) == 1
    assert "differ" in capsys.readouterr().err
    assert main(args) == 0
    assert "p@clinic.example" in capsys.readouterr().out
