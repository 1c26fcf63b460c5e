"""Streaming batch screening against numpy.loadtxt, on files of the UCI wdbc.data layout (prints a table).

    .venv/bin/python tests/perf/bench_screening_stream.py [--rounds N] [ROWS ...]   # default: 250000 1000000

Each file is the Wisconsin data set (scikit-learn's copy, the model's training data) repeated with new
ids. Every measurement runs in its own process, so peak RSS (ru_maxrss of that child) is its own:
- reference: ``numpy.loadtxt(FILE, delimiter=",", usecols=range(2, 32))``, parse only, whole file;
- ``clinicdesk screen FILE --out OUT`` and ``clinicdesk screen FILE``, through ``python -m desktop``
  (process start-up, imports and the model load included: the command as a person runs it).
Targets: screen --out <= 2.0x the reference, screen <= 1.5x, peak RSS < 300 MB at 1,000,000 rows
and not growing with the file (the largest file's peak within 1.25x of the smallest's).
The three runs are interleaved and repeated (``--rounds``, default 2); each keeps its fastest time,
which is the least disturbed by other work on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fixtures.screening_files import write_uci  # noqa: E402  (after the path is set)

LOADTXT = (
    "import sys, numpy; "
    "numpy.loadtxt(sys.argv[1], delimiter=',', usecols=range(2, 32))"
)  # fmt: skip


def measure(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {child.stderr.read().decode() if child.stderr else ''}")
    child.returncode = 0
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("sizes", nargs="*", type=int)
    options = parser.parse_args()
    sizes = options.sizes or [250_000, 1_000_000]
    python = sys.executable
    rows: list[tuple[int, str, float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            data = write_uci(Path(folder) / f"wdbc-{n}.csv", n)
            out = Path(folder) / "out.csv"
            mb = data.stat().st_size / 1e6
            print(f"{n} rows, {mb:.0f} MB ...", flush=True)
            cases = {
                "numpy.loadtxt (reference)": [python, "-c", LOADTXT, str(data)],
                "screen FILE --out OUT": [python, "-m", "desktop", "screen", str(data), "--out", str(out)],
                "screen FILE": [python, "-m", "desktop", "screen", str(data)],
            }
            best: dict[str, tuple[float, float]] = {}
            for _ in range(options.rounds):
                for name, args in cases.items():
                    seconds, rss = measure(args)
                    old = best.get(name, (float("inf"), 0.0))
                    best[name] = (min(old[0], seconds), max(old[1], rss))
            rows.extend((n, name, seconds, rss) for name, (seconds, rss) in best.items())
            out.unlink(missing_ok=True)

    print(f"\n{'rows':>9}  {'run':28} {'seconds':>8} {'x ref':>6} {'target':>7} {'peak RSS MB':>12}")
    ok = True
    peaks: dict[str, list[float]] = {}
    for n in sizes:
        ref = next(s for m, name, s, _ in rows if m == n and name.startswith("numpy"))
        for m, name, seconds, rss in rows:
            if m != n:
                continue
            ratio = seconds / ref
            target = {"screen FILE --out OUT": 2.0, "screen FILE": 1.5}.get(name)
            met = target is None or ratio <= target
            ok &= met
            shown = "" if target is None else f"<={target:.1f}" + ("" if met else " !")
            print(f"{n:>9}  {name:28} {seconds:8.2f} {ratio:6.2f} {shown:>7} {rss:12.0f}")
            if target is not None:
                peaks.setdefault(name, []).append(rss)
    for name, values in peaks.items():
        grows = values[-1] > 1.25 * values[0]
        below = values[-1] < 300
        ok &= below and not grows
        print(
            f"peak RSS of {name!r}: {' -> '.join(f'{v:.0f}' for v in values)} MB "
            f"(target < 300 MB at the largest file: {'met' if below else 'MISSED'}; "
            f"{'grows with the file' if grows else 'flat'})"
        )
    print("all targets met" if ok else "SOME TARGETS MISSED")


if __name__ == "__main__":
    main()
