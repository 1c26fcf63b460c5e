"""Screenshots of the Batch screening page during and after a large run (offscreen, QWidget.grab()).

    .venv/bin/python build_scripts/screenshot_screening.py [OUT_FOLDER] [--rows N] [--size WxH]

Builds a file of N rows (default 1,000,000) in the UCI wdbc.data layout from scikit-learn's copy of
the data set (the model's training data), starts screening it on the real page with the real services
and model, and saves:
- ``screening-running.png`` once about a third of the file is done (progress bar, Cancel button);
- ``screening-done.png`` when the run has finished (summary, agreement, the results table);
- ``screening-out-of-range.png``: the committed mixed fixture, sorted by the Out of range column.
PNGs go to OUT_FOLDER (default /tmp/clinicdesk-shots-screening), never into the repository.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default="/tmp/clinicdesk-shots-screening", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--size", default="1024x700")
    options = parser.parse_args()
    width, height = (int(v) for v in options.size.split("x"))
    options.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clinicdesk-shots-"))
    os.environ["CLINICDESK_DATA_DIR"] = str(work / "data")
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from desktop.db import migrate
    from desktop.services.container import Services
    from desktop.settings import Settings
    from desktop.ui import theme
    from desktop.ui.context import UiContext
    from desktop.ui.pages.screening import ScreeningPage
    from desktop.ui.tablemodels.screening_model import COL_OUT_OF_RANGE
    from desktop.ui.workers import Runner
    from tests.fixtures.screening_files import FIXTURES, write_uci

    theme.apply_theme(app, dark=os.environ.get("CLINICDESK_THEME") == "dark")
    url = f"sqlite:///{work / 'clinic.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url)
    services = Services.create(url, settings, bcrypt_rounds=4)
    services.auth.create_first_admin("admin@clinic.example", "Ada Admin", "admin-pass-4321")
    runner = Runner()
    ctx = UiContext(services, settings, runner)
    ctx.set_session(services.auth.sign_in("admin@clinic.example", "admin-pass-4321"))

    print(f"writing {options.rows:,} rows ...", flush=True)
    data = write_uci(work / "wdbc-large.csv", options.rows)
    page = ScreeningPage(ctx)
    page.resize(width, height)
    page.show()

    def wait(condition, ms: int = 600_000) -> None:
        timer = QElapsedTimer()
        timer.start()
        while not condition() and timer.elapsed() < ms:
            QCoreApplication.processEvents()
            runner.wait_for_done(20)
        for _ in range(10):
            QCoreApplication.processEvents()

    def shot(name: str) -> None:
        path = options.out / name
        page.grab().save(str(path))
        print(f"saved {path}", flush=True)

    page.screen_file(str(FIXTURES / "wdbc_mixed.csv"))  # a previous run, whose summary the next one clears
    wait(lambda: not page.running)
    page.screen_file(str(data))
    wait(lambda: page.progress.value() >= 330 or not page.running)
    shot("screening-running.png")
    wait(lambda: not page.running)
    shot("screening-done.png")
    page.screen_file(str(FIXTURES / "wdbc_mixed.csv"))  # has a row outside the training range
    wait(lambda: not page.running)
    page.results_view.sortByColumn(COL_OUT_OF_RANGE, Qt.SortOrder.DescendingOrder)
    shot("screening-out-of-range.png")
    page.close()
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
