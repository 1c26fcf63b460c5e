"""Screenshots of the main window's pages, the sign-in and lock screens, the edit dialogs, and the
clinic's views: the patient list, a chart (banner and records) and the printed report.

    .venv/bin/python build_scripts/screenshots.py [OUT_DIR] [--dark] [--scale 2] [--size 1024x700]

Without a DISPLAY it re-runs itself under ``xvfb-run`` (a real X server, so fonts and the style are
what people see; QT_QPA_PLATFORM=xcb). Everything is real: a throw-away data folder, a SQLite database
made by the migrations, the services, a demo patient with sample records, family history and
predictions, and a clinician with registered patients. One PNG per page/dialog goes to OUT_DIR
(default ./screenshots, not committed), with the theme, window size (and scale) in the file names.
``--dark`` forces the dark theme, ``--scale 2`` renders at 200%. The main window is shot at each
``--size`` (default: 1024x700, the smallest window the clinic's laptops give it, and 1366x800); the
clinic's views are taken at 1366x800 and 1024x700, and the report is its PDF rendered by ``pdftoppm``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a source checkout

DEMO_EMAIL, DEMO_PASSWORD = "maria.lopez@clinic.example", "demo-password-2026"
CLINICIAN_EMAIL, CLINICIAN_PASSWORD = "cleo.okafor@clinic.example", "clinician-pass-2026"
CLINIC_SIZES = ((1366, 800), (1024, 700))
PATIENTS = (  # given names, family name, date of birth, sex, MRN, phone
    ("María José", "García López", "1945-07-14", "female", "000123", "+34 600 111 222"),
    ("John", "Smith", "1980-03-02", "male", "000456", "+44 7700 900123"),
    ("Aiko", "Tanaka", "1972-11-30", "female", "000789", ""),
    ("Chidi", "Okonkwo", None, "unknown", "001024", "+234 803 555 0101"),
)


def _reexec_under_xvfb() -> int:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print("No DISPLAY and no xvfb-run: install xvfb or run with a display.", file=sys.stderr)
        return 2
    command = [xvfb, "-a", "-s", "-screen 0 2600x1800x24", sys.executable, *sys.argv]
    return subprocess.call(command, env={**os.environ, "CLINICDESK_SCREENSHOTS_XVFB": "1"})


def _sample_data(services: Any) -> Any:
    from desktop.domain.dto import FamilyDraft, ProfileUpdate, RecordDraft

    services.auth.create_first_admin("admin@clinic.example", "Ada Admin", "admin-pass-4321")
    admin = services.auth.sign_in("admin@clinic.example", "admin-pass-4321")
    services.users.create_user(admin.token, "j.smith@clinic.example", "John Smith", "smith-pass-2026")
    services.auth.register(DEMO_EMAIL, "Maria Lopez", DEMO_PASSWORD)
    session = services.auth.sign_in(DEMO_EMAIL, DEMO_PASSWORD)
    token = session.token
    profile = services.profile.get(token)
    services.profile.update(
        token,
        ProfileUpdate(
            name="Maria Lopez",
            age=52,
            phone="+1 555 0142",
            emergency_contact="Carlos Lopez, +1 555 0143",
            blood_type="A+",
            allergies="Penicillin",
            medications="Levothyroxine 50 mcg daily",
        ),
        profile.version,
    )
    records = [
        ("2026-01-12", "Blood test", "Within range", "Dr. Patel", "normal", "Full blood count."),
        ("2026-02-03", "Mammogram", "BI-RADS 4", "Dr. Nguyen", "abnormal", "Suspicious mass, left breast."),
        ("2026-02-10", "Ultrasound", "Solid mass 14 mm", "Dr. Nguyen", "follow-up", "Biopsy recommended."),
        ("2026-02-18", "Core biopsy", "Awaiting pathology", "Dr. Okafor", "pending", ""),
        (
            "2026-03-01",
            "Pathology report",
            "Invasive ductal carcinoma",
            "Dr. Okafor",
            "critical",
            "Refer to oncology.",
        ),
        ("2025-11-20", "Thyroid panel", "TSH 2.1 mIU/L", "Dr. Patel", "completed", ""),
    ]
    created = []
    for day, kind, result, doctor, status, notes in records:
        created.append(services.records.create(token, RecordDraft(day, kind, result, doctor, notes, status)))
    first = created[0]
    again = RecordDraft(
        first.date, first.type, "Haemoglobin 13.1 g/dL", first.doctor, "Full blood count, repeated.", "normal"
    )
    services.records.update(token, first.id, again, first.version)
    for relation, age, condition in (
        ("Mother", 58, "Breast cancer"),
        ("Aunt", 61, "Ovarian cancer"),
        ("Father", 70, "Type 2 diabetes"),
    ):
        services.family.create(token, FamilyDraft(relation, age, condition))
    try:
        from desktop.ui.sample_cases import BENIGN_EXAMPLE, MALIGNANT_EXAMPLE

        for case in (BENIGN_EXAMPLE, MALIGNANT_EXAMPLE):
            services.predictions.save(token, case, "Demo case", confirm_out_of_range=True)
    except Exception as error:  # the model is another part's work; the pages still show
        print(f"(no sample predictions: {error})", file=sys.stderr)
    return session, admin


def _clinic_data(services: Any, admin: Any) -> tuple[Any, Any]:
    """A clinician, four registered patients, and records and a prediction in the first one's chart."""
    from desktop.domain.dto import RecordDraft
    from desktop.domain.enums import AllergyStatus, Role
    from desktop.domain.patient_dto import PatientDraft
    from desktop.ui.sample_cases import MALIGNANT_EXAMPLE

    given = "given-" + CLINICIAN_PASSWORD
    services.users.create_user(admin.token, CLINICIAN_EMAIL, "Dr Cleo Okafor", given, Role.CLINICIAN)
    first_session = services.auth.sign_in(CLINICIAN_EMAIL, given)
    # An account an administrator made chooses its own password before anything else.
    services.auth.set_required_password(first_session.token, CLINICIAN_PASSWORD)
    services.auth.sign_out(first_session.token)
    clinician = services.auth.sign_in(CLINICIAN_EMAIL, CLINICIAN_PASSWORD)
    token = clinician.token
    patients = [
        services.patients.register(
            token, PatientDraft(given_names=given, family_name=family, date_of_birth=born, sex=sex,
                                mrn=mrn, phone=phone))
        for given, family, born, sex, mrn, phone in PATIENTS
    ]  # fmt: skip
    first = patients[0]
    services.patients.set_allergies(token, first.id, AllergyStatus.RECORDED, "Penicillin (rash)")
    for day, kind, result, status in (
        ("2026-02-03", "Mammogram", "BI-RADS 4", "abnormal"),
        ("2026-02-10", "Ultrasound", "Solid mass 14 mm", "follow-up"),
        ("2026-02-18", "Core biopsy", "Awaiting pathology", "pending"),
    ):
        draft = RecordDraft(day, kind, result, "Dr Cleo Okafor", "", status)
        services.records.create(token, draft, patient_id=first.id)
    services.predictions.save(token, MALIGNANT_EXAMPLE, "Refer for biopsy.", patient_id=first.id)
    return clinician, first


def _pdf_to_png(pdf: Path, png: Path) -> bool:
    """The report's first page as a PNG at 60 dpi (what a reader sees on paper, not the screen)."""
    if shutil.which("pdftoppm") is None:
        print("(no report PNG: pdftoppm, from poppler-utils, is not installed)", file=sys.stderr)
        return False
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(png.with_suffix(""))], check=True
    )
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the ClinicDesk main window pages.")
    parser.add_argument("out", nargs="?", default="screenshots")
    parser.add_argument("--dark", action="store_true", help="force the dark theme")
    parser.add_argument("--scale", type=float, default=1.0, help="QT_SCALE_FACTOR, e.g. 2 for 200%%")
    parser.add_argument(
        "--size", action="append", help="main window WIDTHxHEIGHT (repeatable; default 1024x700 and 1366x800)"
    )
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in (args.size or ["1024x700", "1366x800"])]
    if not os.environ.get("DISPLAY"):
        return _reexec_under_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ["CLINICDESK_THEME"] = "dark" if args.dark else "light"
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clinicdesk-shots-"))
    os.environ["CLINICDESK_DATA_DIR"] = str(work / "data")
    suffix = ("dark" if args.dark else "light") + (f"-{args.scale:g}x" if args.scale != 1.0 else "")

    from PySide6.QtCore import QCoreApplication, QElapsedTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication(sys.argv)
    from desktop.db import migrate
    from desktop.services.container import Services
    from desktop.settings import Settings
    from desktop.ui import theme
    from desktop.ui.context import UiContext
    from desktop.ui.login import LoginDialog
    from desktop.ui.main_window import MainWindow
    from desktop.ui.workers import Runner

    theme.apply_theme(app)
    url = f"sqlite:///{work / 'clinic.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, self_registration=True)  # the demo patient registers herself
    services = Services.create(url, settings, bcrypt_rounds=4)
    session, admin = _sample_data(services)
    clinician, chart_patient = _clinic_data(services, admin)
    runner = Runner()

    def settle(ms: int = 30_000) -> None:
        timer = QElapsedTimer()
        timer.start()
        while runner.is_running() and timer.elapsed() < ms:
            QCoreApplication.processEvents()
            runner.wait_for_done(20)
        for _ in range(10):
            QCoreApplication.processEvents()

    saved: list[str] = []

    def shot(widget: QWidget, name: str) -> None:
        settle()
        path = out / f"{name}-{suffix}.png"
        widget.grab().save(str(path))
        saved.append(path.name)

    # sign-in window, before and after the database is open
    ctx = UiContext(services, settings, runner)
    login = LoginDialog()
    login.show()
    shot(login, "01-sign-in-opening")
    login.set_context(ctx)
    login.email.setText(DEMO_EMAIL)
    shot(login, "02-sign-in")
    login.password.setText("wrong password")
    login.submit_sign_in()
    shot(login, "03-sign-in-wrong-password")
    login.show_create()
    shot(login, "04-create-account")
    login.close()

    ctx.set_session(session)
    window = MainWindow(ctx)  # one window, resized: closing it signs the person out
    window.show()
    settle()  # the patient's own chart opens off the GUI thread
    for width, height in sizes:
        size = f"{width}x{height}"
        window.resize(width, height)
        for number, key in enumerate(window.page_keys(), start=10):
            page = window.show_page(key)
            if key == "new_prediction":  # with a result: the page at its fullest
                page.form.load_sample(page.form.sample_names[1])
                settle()
                page.predict()
            shot(window, f"{number}-{key.replace('_', '-')}-{size}")
            if key == "new_prediction":  # an impossible value: the result is flagged as not reliable
                page.form.edit_for("radius_mean").setText("50")
                page.predict()
                shot(window, f"{number}b-new-prediction-out-of-range-{size}")
        records = window.show_page("records")
        records.view.selectRow(1)
        records.edit_selected()
        shot(records._dialog, f"20-record-dialog-{size}")
        records._dialog.close()
        records.view.selectRow(records.model.row_of(min(r.id for r in records.model.all_rows())))
        records.show_history()
        settle()
        shot(records._dialog, f"21-record-history-{size}")
        records._dialog.close()
        history = window.show_page("prediction_history")
        settle()
        detail = history.open_prediction(history.model.dto(0))
        shot(detail, f"23-prediction-detail-{size}")
        detail.close()
        window.lock()
        shot(window, f"22-lock-screen-{size}")
        window.unlock()
    window.close()
    from desktop.ui.dialogs.server_settings import ServerSettingsDialog

    server = ServerSettingsDialog(ctx)
    server.show()
    shot(server, "24-database-connection")
    server.close()

    ctx.clear_session()
    ctx.set_session(admin)
    admin_window = MainWindow(ctx)
    admin_window.show()
    for width, height in sizes:
        admin_window.resize(width, height)
        for key in ("users", "audit"):
            page = admin_window.show_page(key)
            if key == "audit":
                settle()
                page.view.selectRow(0)
                shot(admin_window, f"30-admin-{key}-{width}x{height}")
                page.open_selected()
                shot(page._dialog, f"31-admin-audit-entry-{width}x{height}")
                page._dialog.close()
            else:
                shot(admin_window, f"30-admin-{key}-{width}x{height}")
    admin_window.close()

    from desktop.ui import report

    ctx.clear_session()
    ctx.set_session(clinician)
    clinic_windows = []
    for width, height in CLINIC_SIZES:
        size = f"{width}x{height}"
        clinic_window = MainWindow(ctx)
        clinic_window.resize(width, height)
        clinic_window.show()
        clinic_window.show_page("patients")
        shot(clinic_window, f"40-patient-list-{size}")
        clinic_window.choose_patient(chart_patient.id)
        settle()
        clinic_window.show_page("records")
        shot(clinic_window, f"41-chart-records-{size}")
        clinic_window.show_page("profile")
        settle()
        shot(clinic_window, f"43-chart-profile-{size}")
        history = clinic_window.show_page("prediction_history")
        settle()
        if history is not None and history.model.rowCount() and width == CLINIC_SIZES[0][0]:
            dialog = history.open_prediction(history.model.dto(0))
            settle()
            pdf = work / "report.pdf"
            report.save_pdf(dialog.report_data(), str(pdf))
            dialog.close()
            png = out / f"42-report-{suffix}.png"
            if _pdf_to_png(pdf, png):
                saved.append(png.name)
        clinic_window.hide()  # closing would end the clinician's session before the next size
        clinic_windows.append(clinic_window)
    for clinic_window in clinic_windows:
        clinic_window.close()
    settle()
    services.close()
    shutil.rmtree(work, ignore_errors=True)
    print("\n".join(f"{out / name}" for name in saved))
    return 0


if __name__ == "__main__":
    sys.exit(main())
