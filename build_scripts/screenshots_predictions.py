"""Screenshots of the prediction pages, the report, the Database tools and the start-up dialogs.

Run under a real X server so fonts and styles are what people see (without a DISPLAY it re-runs
itself under ``xvfb-run``, like screenshots.py)::

    xvfb-run -a -s "-screen 0 1400x1000x24" \
        .venv/bin/python build_scripts/screenshots_predictions.py /tmp/shots

Everything is real: a throw-away data folder, a SQLite database made by the migrations, the services,
the ONNX model. PNGs go to the folder given (default /tmp/clinicdesk-shots-predictions), never into
the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout


def main() -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("CLINICDESK_SCREENSHOTS_XVFB"):
        from build_scripts.screenshots import _reexec_under_xvfb  # Qt aborts without a display

        return _reexec_under_xvfb()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/clinicdesk-shots-predictions")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clinicdesk-shots-"))
    os.environ["CLINICDESK_DATA_DIR"] = str(work / "data")

    from PySide6.QtCore import QCoreApplication, QElapsedTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication(sys.argv)
    from desktop.ui import theme

    dark = os.environ.get("CLINICDESK_THEME") == "dark"
    theme.apply_theme(app, dark=dark)
    from desktop.db import migrate
    from desktop.services.container import Services
    from desktop.settings import Settings
    from desktop.ui.context import UiContext
    from desktop.ui.workers import Runner

    url = f"sqlite:///{work / 'clinic.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url)
    import datetime as dt

    moment: list[dt.datetime | None] = [None]  # None: real time; else the time the services see

    def clock() -> dt.datetime:
        return moment[0] or dt.datetime.now(dt.UTC)

    services = Services.create(url, settings, bcrypt_rounds=4, clock=clock)
    services.auth.create_first_admin("admin@clinic.example", "Ada Admin", "admin-pass-4321")
    session = services.auth.sign_in("admin@clinic.example", "admin-pass-4321")
    runner = Runner()
    ctx = UiContext(services, settings, runner)
    ctx.set_session(session)

    def settle(ms: int = 30_000) -> None:
        timer = QElapsedTimer()
        timer.start()
        while runner.is_running() and timer.elapsed() < ms:
            QCoreApplication.processEvents()
            runner.wait_for_done(20)
        for _ in range(10):
            QCoreApplication.processEvents()

    shown: list[QWidget] = []

    def shot(widget: QWidget, name: str, size: tuple[int, int] | None = None) -> None:
        shown.append(widget)
        if size:
            widget.resize(*size)
        widget.show()
        settle()
        widget.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    # Prediction history before anything was saved: the empty state, not an empty chart
    from desktop.ui.pages.prediction_history import PredictionHistoryPage

    shot(PredictionHistoryPage(ctx), "prediction_history_empty", (1200, 600))

    # New prediction: empty, then a malignant sample predicted
    from desktop.ui.pages.new_prediction import NewPredictionPage

    page = NewPredictionPage(ctx)
    page.refresh()
    shot(page, "new_prediction_empty", (1280, 900))
    page.form.load_sample(page.form.sample_names[-1])
    page.form.edit_for("texture_mean").setText("-1")
    page.predict()
    shot(page, "new_prediction_invalid", (1280, 900))
    page.form.load_sample(page.form.sample_names[-1])
    page.predict()
    settle()
    page.notes_edit.setPlainText("Referred for core biopsy.")
    shot(page, "new_prediction_result", (1280, 1000))
    page.save()
    settle()

    # History with several predictions
    from desktop.ui.sample_cases import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

    # Points on the way from the benign to the malignant example: the model gives them rising risk.
    for days, t in ((120, 0.0), (90, 0.45), (60, 0.55), (30, 0.7), (2, 1.0)):
        moment[0] = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)  # earlier visits, same session
        case = {name: b + t * (MALIGNANT_EXAMPLE[name] - b) for name, b in BENIGN_EXAMPLE.items()}
        services.predictions.save(session.token, case, "")
    moment[0] = None
    from desktop.ui.pages.prediction_history import PredictionHistoryPage

    history = PredictionHistoryPage(ctx)
    history.refresh()
    shot(history, "prediction_history", (1200, 800))
    history.table.selectRow(history.model.rowCount() - 1)
    detail = history.open_prediction(history.model.dto(0))
    shot(detail, "prediction_detail")

    # Screening
    from desktop.ui.pages.screening import ScreeningPage

    fixtures = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
    screening = ScreeningPage(ctx)
    if (fixtures / "wdbc_mixed.csv").exists():
        screening.screen_file(str(fixtures / "wdbc_mixed.csv"))
        settle()
    shot(screening, "screening", (1200, 800))
    screening.tabs.setCurrentIndex(1)
    shot(screening, "screening_rejected", (1200, 800))

    # Report PDF -> PNG
    from desktop.ui import report

    data = detail.report_data()
    pdf = out / "report.pdf"
    report.save_pdf(data, str(pdf))
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(out / "report")], check=True
        )
        print(out / "report.png")

    # Database tools at head, then after a downgrade
    from desktop.ui.dialogs.database_tools import DatabaseToolsDialog

    tools = DatabaseToolsDialog(ctx)
    shot(tools, "database_tools")
    tools._service.downgrade("screenshots", "-1")
    tools.refresh()
    shot(tools, "database_tools_downgraded")
    tools._service.upgrade("screenshots")
    tools._sign_out_reason = ""

    # Start-up dialogs
    from desktop.services.startup import StartupCheck, StartupState
    from desktop.ui.dialogs.startup_dialogs import ChoiceDialog, UpgradeProgressDialog

    too_new = ChoiceDialog(
        "Database made by a newer ClinicDesk",
        "This database was made by a newer version of ClinicDesk (schema revision ffffffffffff; this version "
        "knows up to c7e5d1f0a9b3). It has not been changed.\n\n"
        "Install the newer ClinicDesk, or open a backup.",
        [("open_backup", "Open a backup…"), ("quit", "Quit")],
        icon="warning",
    )
    shot(too_new, "startup_too_new")
    pending: Any = tuple(reversed(migrate.history(url)))[1:]
    progress = UpgradeProgressDialog(
        StartupCheck(
            StartupState.BEHIND,
            str(work / "clinic.db"),
            current="a8b9ec836410",
            head="c7e5d1f0a9b3",
            pending=pending,
        ),
        None,
    )
    if pending:
        progress.steps.item(0).setText(f"✓  {pending[0].revision} – {pending[0].message}")
        progress.steps.item(len(pending) - 1).setText(f"▶  {pending[-1].revision} – {pending[-1].message}")
        progress.bar.setRange(0, len(pending))
        progress.bar.setValue(1)
        progress.status.setText(f"Step 2 of 2: applying {pending[-1].revision} – {pending[-1].message}")
    shot(progress, "startup_progress")

    runner.wait_for_done(10_000)
    for widget in shown:
        widget.close()
        widget.deleteLater()
    app.processEvents()
    services.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
