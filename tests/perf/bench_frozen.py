"""Frozen bundle vs source: start-up to the sign-in window, self-test time, bundle and archive sizes.

    python tests/perf/bench_frozen.py [--runs 5] [--bundle dist/clinicdesk]

Needs a built bundle (python build_scripts/build.py). Both variants run in this same invocation, on the
same machine load, offscreen, each on its own data folder whose database is created (and migrated) by
a first, unmeasured run, so the measured runs start at head as a clinic's daily start does.

Start-up uses the app's own probe (CLINICDESK_EXIT_AFTER_SHOWN=1, see desktop/app/controller.py): it prints the
wall-clock time the sign-in window was shown and the time signing in became possible, and the peak RSS;
times here are from just before the process is spawned. Prints a table of medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def tree_size(path: Path) -> int:
    return sum(os.lstat(os.path.join(d, f)).st_size for d, _, files in os.walk(path) for f in files)


def start_once(command: list[str], data_dir: Path) -> dict[str, float]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        CLINICDESK_DATA_DIR=str(data_dir),
        CLINICDESK_EXIT_AFTER_SHOWN="1",
    )
    env.pop("CLINICDESK_DATABASE_URL", None)
    started = time.time()
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    ended = time.time()
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"{command[0]} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    probe = json.loads(lines[-1])
    return {
        "window": probe["window_shown"] - started,
        "sign_in": probe["sign_in_ready"] - started,
        "rss": float(probe.get("peak_rss_mb", float("nan"))),
        "exit": ended - started,
    }


def self_test_once(command: list[str]) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("CLINICDESK_DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        env["CLINICDESK_DATA_DIR"] = tmp
        started = time.perf_counter()
        result = subprocess.run(
            [*command, "--self-test"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"self-test failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def measure(name: str, command: list[str], runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        data = Path(tmp)
        start_once(command, data)  # creates the database at head; not measured
        samples = [start_once(command, data) for _ in range(runs)]
    result = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    result["self_test"] = statistics.median(self_test_once(command) for _ in range(max(1, runs // 2)))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "clinicdesk")
    args = parser.parse_args()
    exe = args.bundle / (
        "clinicdesk-cli.exe" if sys.platform == "win32" else "clinicdesk"
    )  # Windows: console build
    if not exe.is_file():
        print(f"no bundle at {args.bundle}: run python build_scripts/build.py first", file=sys.stderr)
        return 2

    variants = {"source": [sys.executable, "-m", "desktop"], "frozen": [str(exe)]}
    results = {name: measure(name, command, args.runs) for name, command in variants.items()}

    print(f"\nStart-up to sign-in, medians of {args.runs} runs (offscreen, database at head)\n")
    print(
        f"{'':8} {'window shown':>13} {'sign-in ready':>14} {'process exit':>13} {'peak RSS':>9} {'self-test':>10}"
    )
    for name, r in results.items():
        print(
            f"{name:8} {r['window']:12.3f}s {r['sign_in']:13.3f}s {r['exit']:12.3f}s {r['rss']:7.1f}MB "
            f"{r['self_test']:9.2f}s"
        )
    ratio = results["frozen"]["sign_in"] / results["source"]["sign_in"]
    print(f"\nfrozen / source, time to sign-in ready: {ratio:.2f}x")

    size = tree_size(args.bundle)
    print(f"\nbundle   {args.bundle}: {size / MIB:8.1f} MiB = {size / 1e6:.1f} MB (target <= 230)")
    archives = sorted(args.bundle.parent.glob("clinicdesk-*.tar.gz")) + sorted(
        args.bundle.parent.glob("clinicdesk-*.zip")
    )
    for archive in archives:
        size = archive.stat().st_size
        print(f"archive  {archive.name}: {size / MIB:8.1f} MiB = {size / 1e6:.1f} MB (target <= 90)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
