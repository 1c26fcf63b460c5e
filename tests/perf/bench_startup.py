"""Start-up and records-page benchmark for the desktop GUI. Prints a table.

    python tests/perf/bench_startup.py [--runs 5] [--rows 100000]

Measured in one run:
1. process start -> first window shown, for a bare PySide6 program showing a QMainWindow and for
   ClinicDesk (``python -m desktop`` with ``CLINICDESK_EXIT_AFTER_SHOWN=1``, which prints wall-clock
   timestamps as JSON and exits; see desktop/app/controller.py). Target: ClinicDesk <= 1.5x bare.
2. process start -> sign-in possible (the services are open and a sign-in would run). Target < 0.5 s.
   (The e-mail and password fields accept typing from the first frame.)
3. peak RSS of the ClinicDesk process at the sign-in window. Target < 120 MB.
4. opening the medical records page over ``--rows`` records of one user (target < 200 ms) and
   scrolling to the end (every page fetched through fetchMore, as the view does when dragged down).

Both programs run with QT_QPA_PLATFORM=offscreen unless DISPLAY is set (then the real xcb window).
"Shown" means the window's first paint has been done (the same event-filter probe in both programs):
a 0 ms timer started at ``show()`` fires *before* Qt paints the window, which would flatter both.
Times are medians over ``--runs`` runs; the database for 1-3 is a SQLite file at head in a temp folder.
The peak RSS is taken once the start-up work behind the sign-in window has finished (the daily backup
check included). The services sign-in does not need are built when someone first types in the window,
so they are not part of it; the import costs behind that are listed in desktop/app/controller.py.
The machine's load average is printed before and after: the timings are only comparable at a similar
load.
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
sys.path.insert(0, str(ROOT))

BARE = """
import time, sys
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QEvent, QObject, QTimer
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(800, 600)
def shown():
    import resource
    print(time.time(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, flush=True)
    app.quit()
class FirstPaint(QObject):  # the same probe as desktop/app/controller.py: on screen = first paint done
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, shown)
        return False
probe = FirstPaint(); w.installEventFilter(probe)
w.show()
app.exec()
"""


def _env(data_dir: Path) -> dict[str, str]:
    """The programs' environment. On Linux the data folder is found as a user's is (platformdirs under
    XDG_DATA_HOME, ``data_dir`` being ``$XDG_DATA_HOME/ClinicDesk``), so that cost is measured too;
    elsewhere CLINICDESK_DATA_DIR points at it."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else "xcb")
    env.pop("CLINICDESK_DATA_DIR", None)
    if sys.platform.startswith("linux"):
        env["XDG_DATA_HOME"] = str(data_dir.parent)
    else:
        env["CLINICDESK_DATA_DIR"] = str(data_dir)
    env.pop("CLINICDESK_DATABASE_URL", None)
    # Byte-code caching as an installed copy has it (pip and PyInstaller ship .pyc): with
    # PYTHONDONTWRITEBYTECODE set (as on this machine) every start would recompile every module of
    # ClinicDesk that has no .pyc yet. The warm-up run below writes the missing ones.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def bare_run(env: dict[str, str]) -> tuple[float, float]:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", BARE], env=env, capture_output=True, text=True, check=True)
    shown, rss = out.stdout.split()
    return float(shown) - start, float(rss)


def app_run(env: dict[str, str]) -> dict[str, float]:
    env = {**env, "CLINICDESK_EXIT_AFTER_SHOWN": "1"}
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "desktop"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
    data = json.loads(line)
    return {
        "window": data["window_shown"] - start,
        "sign_in": data["sign_in_ready"] - start,
        "rss": data["peak_rss_mb"],
        "loaded": ",".join(data.get("loaded", [])),
    }


def prepare_database(data_dir: Path) -> str:
    os.environ["CLINICDESK_DATA_DIR"] = str(data_dir)
    from desktop.db import migrate
    from desktop.paths import default_database_path
    from desktop.settings import sqlite_url

    url = sqlite_url(default_database_path())
    migrate.upgrade(url)
    return url


def records_page(url: str, rows: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop.services.container import Services
    from desktop.settings import Settings
    from desktop.ui.context import UiContext
    from desktop.ui.pages.records import RecordsPage
    from desktop.ui.workers import Runner
    from tests.ui.conftest import bulk_add_records

    app = QApplication.instance() or QApplication([])
    settings = Settings(database_url=url, self_registration=True)  # the patient registers, as at a kiosk
    services = Services.create(url, settings, bcrypt_rounds=4)
    services.auth.create_first_admin("bench@clinic.example", "Bench", "bench-password-1")
    services.auth.register("many@clinic.example", "Many Records", "many-password-1")
    session = services.auth.sign_in("many@clinic.example", "many-password-1")
    chunk = 20_000
    for start in range(0, rows, chunk):
        bulk_add_records(services, session.user.id, min(chunk, rows - start), start)
    ctx = UiContext(services, settings, Runner())
    ctx.set_session(session)
    results: dict[str, float] = {}
    t0 = time.perf_counter()
    page = RecordsPage(ctx)
    page.resize(1100, 700)
    page.show()
    app.processEvents()
    results["open"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    page.search.setText("Test 0999")
    page.apply_filter()
    app.processEvents()
    results["filter"] = time.perf_counter() - t0
    page.search.clear()
    page.apply_filter()
    t0 = time.perf_counter()
    page.view.sortByColumn(1, page.view.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    app.processEvents()
    results["sort"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    page.view.scrollToBottom()  # the model holds every id from the start; only visible rows are read
    app.processEvents()
    results["scroll_end"] = time.perf_counter() - t0
    results["rows"] = page.model.rowCount()
    page.close()
    services.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "xdg-data" / "ClinicDesk"  # see _env
        data_dir.mkdir(parents=True)
        prepare_database(data_dir)
        env = _env(data_dir)
        app_run(env)  # warm the file cache once, like a second start of the day
        bare, app = [], []
        for _ in range(args.runs):  # interleaved, so load from other processes hits both alike
            bare.append(bare_run(env))
            app.append(app_run(env))
        page_dir = Path(tmp) / "page"
        page_dir.mkdir()
        page = records_page(prepare_database(page_dir), args.rows)

    bare_window = statistics.median(b[0] for b in bare)
    app_window = statistics.median(a["window"] for a in app)
    sign_in = statistics.median(a["sign_in"] for a in app)
    best = (min(b[0] for b in bare), min(a["window"] for a in app), min(a["sign_in"] for a in app))
    rss = max(a["rss"] for a in app)
    rows = [
        (
            "bare PySide6: process start -> QMainWindow shown",
            f"{bare_window * 1000:.0f} ms",
            f"best {best[0] * 1000:.0f} ms",
        ),
        (
            "ClinicDesk: process start -> first window shown",
            f"{app_window * 1000:.0f} ms",
            f"{app_window / bare_window:.2f}x bare (target <= 1.5x); best {best[1] * 1000:.0f} ms "
            f"= {best[1] / best[0]:.2f}x best bare",
        ),
        (
            "ClinicDesk: process start -> sign-in possible",
            f"{sign_in * 1000:.0f} ms",
            f"target < 500 ms; best {best[2] * 1000:.0f} ms (typing is possible from the first window)",
        ),
        (
            "ClinicDesk: peak RSS at the sign-in window",
            f"{rss:.0f} MB",
            f"target < 120 MB; bare {max(b[1] for b in bare):.0f} MB; loaded: {app[-1]['loaded']}",
        ),
        (f"records page open, {args.rows} rows", f"{page['open'] * 1000:.0f} ms", "target < 200 ms"),
        ("records: text filter (SQL)", f"{page['filter'] * 1000:.0f} ms", ""),
        ("records: sort by type (SQL)", f"{page['sort'] * 1000:.0f} ms", ""),
        (
            "records: scroll to the end",
            f"{page['scroll_end'] * 1000:.0f} ms",
            f"target < 200 ms; {int(page['rows'])} rows in the model",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>9}  note")
    print("-" * (width + 40))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>9}  {note}")
    print(
        f"\n{args.runs} runs each, medians; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
