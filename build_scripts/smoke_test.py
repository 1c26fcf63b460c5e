"""Smoke-test a built bundle: the things a clinic and a maintainer would do with it first.

    python build_scripts/smoke_test.py                 # dist/clinicdesk
    python build_scripts/smoke_test.py path/to/bundle  # or an unpacked archive

Checks: ``--version``; ``--self-test`` headless (QT_QPA_PLATFORM=offscreen, temporary data folder, exit 0
and its summary line); ``db init`` / ``db status`` on a new SQLite file and ``screen`` of a sample CSV.
When CLINICDESK_SMOKE_POSTGRES_URL (or the test suite's CLINICDESK_TEST_POSTGRES_URL) names a
PostgreSQL server, the bundle also migrates a new scratch database there (``db init``, dropped
afterwards) and reads its ``db status``, forcing psycopg's bundled libpq (PSYCOPG_IMPL=binary). A
MariaDB server named by CLINICDESK_SMOKE_MARIADB_URL (or CLINICDESK_TEST_MARIADB_URL) gets the same
through the bundled PyMySQL.

The offscreen platform does not load the xcb plugin a real desktop uses, so on Linux the GUI is also
started on xcb under Xvfb (when xvfb-run is installed) up to the point where signing in is possible,
and every remaining binary is checked with ``ldd`` for libraries trimming may have removed ("not
found"); only libraries deliberately left to the host system (bundle_layout.HOST_LIBRARIES, e.g.
libcups) may be missing, and are reported.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_layout as layout

SUMMARY_PREFIX = "ClinicDesk self-test passed (frozen)"


def executable(bundle: Path) -> Path:
    # Windows: the console variant, so the self-test's output is captured.
    name = layout.APP_NAME + ("-cli.exe" if sys.platform == "win32" else "")
    for candidate in (bundle / name, bundle / "Contents" / "MacOS" / layout.APP_NAME):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"no {name} in {bundle}")


def run_self_test(exe: Path) -> tuple[bool, str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("CLINICDESK_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="clinicdesk-smoke-") as tmp:
        env["CLINICDESK_DATA_DIR"] = tmp
        started = time.perf_counter()
        result = subprocess.run(
            [str(exe), "--self-test"], capture_output=True, text=True, env=env, timeout=300, check=False
        )
        elapsed = time.perf_counter() - started
    output = (result.stdout + result.stderr).strip()
    ok = result.returncode == 0 and SUMMARY_PREFIX in result.stdout
    return ok, f"exit {result.returncode}\n{output}", elapsed


SCREEN_FIXTURE = layout.ROOT / "tests" / "fixtures" / "wdbc_sample.csv"

#: Where the servers for the smoke test are named (any database on them, e.g. ``.../postgres``): the
#: smoke test's own variable first, then the test suite's, so a CI job that already runs the servers
#: for the tests needs nothing more.
POSTGRES_URL_ENVS = ("CLINICDESK_SMOKE_POSTGRES_URL", "CLINICDESK_TEST_POSTGRES_URL")
MARIADB_URL_ENVS = ("CLINICDESK_SMOKE_MARIADB_URL", "CLINICDESK_TEST_MARIADB_URL")


def server_url(names: tuple[str, ...]) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server at ``server_url``; dropped afterwards."""
    name = f"clinicdesk_smoke_{os.getpid()}_{int(time.time())}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    quoted = admin.dialect.identifier_preparer.quote_identifier(name)
    # PostgreSQL refuses to drop a database with sessions left open; MySQL / MariaDB drops it anyway.
    force = " WITH (FORCE)" if admin.dialect.name == "postgresql" else ""
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {quoted}"))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted}{force}"))
    finally:
        admin.dispose()


def run_cli_checks(exe: Path) -> list[tuple[str, bool, str]]:
    """The maintainer subcommands, frozen: ``db init`` / ``db status`` on a new file, ``screen`` a CSV,
    and ``db init`` / ``db status`` on a scratch PostgreSQL and MariaDB database when a server is
    named (see POSTGRES_URL_ENVS, MARIADB_URL_ENVS)."""
    checks: list[tuple[str, bool, str]] = []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("CLINICDESK_DATABASE_URL", None)
    servers = [("PostgreSQL", server_url(POSTGRES_URL_ENVS)), ("MariaDB", server_url(MARIADB_URL_ENVS))]
    with tempfile.TemporaryDirectory(prefix="clinicdesk-cli-") as tmp, contextlib.ExitStack() as stack:
        env["CLINICDESK_DATA_DIR"] = tmp
        url = f"sqlite:///{Path(tmp, 'cli.db').as_posix()}"
        commands = [
            ("db init", [str(exe), "--database-url", url, "db", "init"], "Created the database"),
            ("db status", [str(exe), "--database-url", url, "db", "status"], "pending: 0"),
        ]
        if SCREEN_FIXTURE.is_file():
            out = Path(tmp, "screened.csv")
            commands.append(
                ("screen", [str(exe), "screen", str(SCREEN_FIXTURE), "--out", str(out)], "Rejected: 0")
            )
        for engine, server in servers:
            if not server:
                continue
            # PostgreSQL runs with PSYCOPG_IMPL=binary: the bundled libpq is proven, not the system's.
            database = stack.enter_context(scratch_database(server))
            commands += [
                (
                    f"db init ({engine})",
                    [str(exe), "--database-url", database, "db", "init"],
                    "Created the database",
                ),
                (
                    f"db status ({engine})",
                    [str(exe), "--database-url", database, "db", "status"],
                    "pending: 0",
                ),
            ]
        for name, command, expected in commands:
            run_env = dict(env, PSYCOPG_IMPL="binary") if "PostgreSQL" in name else env
            result = subprocess.run(
                command, capture_output=True, text=True, env=run_env, timeout=120, check=False
            )
            output = (result.stdout + result.stderr).strip()
            checks.append((name, result.returncode == 0 and expected in output, output.splitlines()[-1:]))
    return [(name, ok, " ".join(last)) for name, ok, last in checks]


def start_under_xvfb(exe: Path) -> tuple[bool | None, str]:
    """Linux with xvfb-run: open the real GUI on the xcb platform until sign-in is possible, then exit.

    None when xvfb-run is not installed (the check is skipped, not failed).
    """
    if not sys.platform.startswith("linux") or shutil.which("xvfb-run") is None:
        return None, "xvfb-run not installed"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", CLINICDESK_EXIT_AFTER_SHOWN="1")
    env.pop("CLINICDESK_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="clinicdesk-xcb-") as tmp:
        env["CLINICDESK_DATA_DIR"] = tmp
        result = subprocess.run(
            ["xvfb-run", "-a", str(exe)], capture_output=True, text=True, env=env, timeout=120, check=False
        )
    ok = result.returncode == 0 and '"sign_in_ready"' in result.stdout
    return ok, f"exit {result.returncode}: {(result.stdout + result.stderr).strip()}"


def missing_libraries(bundle: Path) -> dict[str, set[str]]:
    """Linux: {binary: {missing sonames}} from ldd over every ELF file in the bundle."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return {}
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}")
    problems: dict[str, set[str]] = {}
    for path in sorted(internal.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env, check=False)
        gone = {line.split()[0] for line in result.stdout.splitlines() if "not found" in line}
        if gone:
            problems[str(path.relative_to(bundle))] = gone
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    bundle = Path(args[0]) if args else layout.ROOT / "dist" / layout.APP_NAME
    exe = executable(bundle)
    failures = 0

    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60, check=False)
    print(f"--version: exit {version.returncode}: {version.stdout.strip()}")
    failures += version.returncode != 0

    ok, output, elapsed = run_self_test(exe)
    print(
        f"--self-test: {'ok' if ok else 'FAILED'} in {elapsed:.2f}s wall\n  " + output.replace("\n", "\n  ")
    )
    failures += not ok

    for name, ok, last_line in run_cli_checks(exe):
        print(f"{name}: {'ok' if ok else 'FAILED'}: {last_line}")
        failures += not ok

    gui_ok, gui_output = start_under_xvfb(exe)
    if gui_ok is None:
        print(f"GUI under Xvfb (xcb): skipped ({gui_output})")
    else:
        print(f"GUI under Xvfb (xcb): {'ok' if gui_ok else 'FAILED'}: {gui_output}")
        failures += not gui_ok

    host_allowed = layout.HOST_LIBRARIES
    for binary, libs in missing_libraries(bundle).items():
        allowed = {lib for lib in libs if any(fnmatch.fnmatch(lib, pat) for pat in host_allowed)}
        fatal = libs - allowed
        note = f"{binary}: " + ", ".join(sorted(libs))
        if fatal:
            print(f"link check FAILED: {note} (trimmed out of the bundle)")
            failures += 1
        else:
            print(f"link check note: {note} (left to the host system)")
    print("smoke test:", "passed" if not failures else f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
